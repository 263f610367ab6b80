package exceptions_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
	"github.com/conviso/conviso-github-app/internal/store/redisstore"
	"github.com/conviso/conviso-github-app/internal/testutil/redistest"
)

// backends opens each store back-end for a test.
func backends(t *testing.T) map[string]store.Store {
	t.Helper()
	bolt, err := boltstore.Open(filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bolt.Close() })
	out := map[string]store.Store{"bolt": bolt}
	client := redistest.New(t)
	rs, err := redisstore.New(context.Background(), client, redisstore.WithPrefix(redistest.Prefix(t)))
	if err != nil {
		t.Fatal(err)
	}
	out["redis"] = rs
	return out
}

// clock is a settable test clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

var (
	repo    = exceptions.Repo{ID: 42, Owner: "acme", Name: "api", InstallationID: 7}
	finding = exceptions.Scope{FindingID: "f-0123456789ab"}
)

func request(by string, comment int64, until time.Time) exceptions.Request {
	return exceptions.Request{Repo: repo, Scope: finding, FindingRule: "github-pat", Kind: policy.KindFalsePositive,
		Reason: "fixture", Until: until, By: by, CommentID: comment, CommentURL: "https://x/c", PullRequest: 3}
}

func TestLifecycleOnEveryBackend(t *testing.T) {
	for name, st := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{now: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
			s := &exceptions.Store{KV: st, Locker: st, Now: clk.Now}
			e, created, err := s.Request(ctx, request("dev", 1, time.Time{}))
			if err != nil || !created || e.State != exceptions.StateRequested {
				t.Fatalf("request: %+v %v %v", e, created, err)
			}
			if want := clk.now.Add(exceptions.DefaultMaxDuration); !e.Until.Equal(want) {
				t.Errorf("until %v, want the maximum %v", e.Until, want)
			}
			if _, created, err := s.Request(ctx, request("dev", 1, time.Time{})); err != nil || created {
				t.Fatalf("the same request again must be a no-op: %v %v", created, err)
			}
			if _, _, err := s.Request(ctx, request("other", 2, time.Time{})); !errors.Is(err, exceptions.ErrActive) {
				t.Fatalf("a second active request: %v", err)
			}
			if got, _ := s.Approved(ctx, repo.ID); len(got) != 0 {
				t.Fatalf("a request is not approved: %+v", got)
			}
			a := exceptions.Actor{Login: "lead", CommentURL: "https://x/a", PullRequest: 4}
			if _, changed, err := s.Approve(ctx, repo.ID, finding, a, []string{"@acme/appsec"}); err != nil || !changed {
				t.Fatalf("approve: %v %v", changed, err)
			}
			got, err := s.Approved(ctx, repo.ID)
			if err != nil || len(got) != 1 || got[0].ApprovedBy != "lead" || got[0].ApprovedVia[0] != "@acme/appsec" {
				t.Fatalf("approved: %+v %v", got, err)
			}
			counts, err := exceptions.FalsePositivesByRule(ctx, st, 0)
			if err != nil || counts["github-pat"] != 1 {
				t.Fatalf("false positives by rule: %v %v", counts, err)
			}
			if expired, err := s.ExpireDue(ctx, "me"); err != nil || len(expired) != 0 {
				t.Fatalf("nothing is due yet: %v %v", expired, err)
			}
			clk.now = clk.now.Add(91 * 24 * time.Hour)
			expired, err := s.ExpireDue(ctx, "me")
			if err != nil || len(expired) != 1 || expired[0].State != exceptions.StateExpired {
				t.Fatalf("expire: %+v %v", expired, err)
			}
			if prs := expired[0].PullRequests; len(prs) != 2 || prs[0] != 3 || prs[1] != 4 {
				t.Errorf("pull requests touched %v, want [3 4]", prs)
			}
			if h := expired[0].History; len(h) != 3 || h[0].By != "dev" || h[1].By != "lead" || h[1].CommentURL != "https://x/a" {
				t.Errorf("audit trail %+v", h)
			}
			e, created, err = s.Request(ctx, request("dev", 5, clk.now.Add(400*24*time.Hour)))
			if err != nil || !created || len(e.History) != 4 || e.History[3].Note == "" {
				t.Fatalf("a new request after expiry keeps the history and notes the cap: %+v %v", e, err)
			}
			if _, _, err := s.Revoke(ctx, repo.ID, finding, exceptions.Actor{Login: "dev"}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Approve(ctx, repo.ID, finding, a, nil); !errors.Is(err, exceptions.ErrState) {
				t.Fatalf("approving a revoked exception: %v", err)
			}
			if _, _, err := s.Approve(ctx, 99, finding, a, nil); !errors.Is(err, exceptions.ErrNotFound) {
				t.Fatalf("approving a missing exception: %v", err)
			}
		})
	}
}
