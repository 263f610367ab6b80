package onboard_test

import (
	"context"
	"testing"

	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/policy"
)

func TestStarterPolicyParses(t *testing.T) {
	f, err := policy.Parse(".github/conviso.yml", []byte(onboard.StarterPolicy))
	if err != nil {
		t.Fatalf("starter policy: %v", err)
	}
	if f == nil {
		t.Fatal("no policy")
	}
}

func TestOnboardingPRRecord(t *testing.T) {
	ctx := context.Background()
	kv := memStore(t)
	if _, found, err := onboard.OnboardingPRFor(ctx, kv, 7); err != nil || found {
		t.Fatalf("fresh: found=%v err=%v", found, err)
	}
	if err := onboard.RecordOnboardingPR(ctx, kv, 7, onboard.OnboardingPR{Number: 3, State: "open"}); err != nil {
		t.Fatal(err)
	}
	rec, found, err := onboard.OnboardingPRFor(ctx, kv, 7)
	if err != nil || !found || rec.Number != 3 || rec.State != "open" {
		t.Fatalf("got %+v found=%v err=%v", rec, found, err)
	}
}
