package policy_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/findings"
	"github.com/conviso/conviso-github-app/policy"
)

// TestDefaultMatchesChecksGate: with no policy file anywhere, the policy
// engine decides exactly as checks.EvaluateDefault (the gate before
// policies): the same outcome and the same blocking findings, for random
// sets of findings of every severity, new and pre-existing.
func TestDefaultMatchesChecksGate(t *testing.T) {
	p, _, errs := policy.Merge(nil, nil, nil)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	g := policy.Effective(p, "main")
	rng := rand.New(rand.NewPCG(1, 2))
	scanners := []policy.ScannerStatus{{Name: "gitleaks", Ran: true, RulesRun: 180}}
	for i := 0; i < 2000; i++ {
		fs := randomFindings(rng)
		v := checks.EvaluateDefault(fs)
		d := policy.Evaluate(g, policy.Input{Findings: fs, Scanners: scanners, Now: time.Now()})
		wantBlock := v.Decision == checks.Block
		if (d.Outcome == policy.OutcomeBlock) != wantBlock || (d.Outcome == policy.OutcomePass) == wantBlock {
			t.Fatalf("case %d: policy %s, checks %s (%v)", i, d.Outcome, v.Decision, fs)
		}
		if !sameFindings(d.Blocking, v.Blocking) {
			t.Fatalf("case %d: blocking %v, checks %v", i, d.Blocking, v.Blocking)
		}
		if want := map[bool]string{true: "failure", false: "success"}[wantBlock]; d.Conclusion != want {
			t.Fatalf("case %d: conclusion %s, want %s", i, d.Conclusion, want)
		}
	}
}

func randomFindings(rng *rand.Rand) []findings.Finding {
	n := rng.IntN(8)
	fs := make([]findings.Finding, n)
	for i := range fs {
		fs[i] = findings.Finding{
			ID: fmt.Sprintf("f-%012x", rng.Uint64()&0xffffffffffff), Scanner: "gitleaks",
			RuleID: []string{"aws-access-token", "generic-api-key", "private-key"}[rng.IntN(3)],
			Path:   []string{"a.go", "testdata/x.pem", "cmd/main.go"}[rng.IntN(3)], StartLine: 1 + rng.IntN(50),
			Severity: findings.Severity(rng.IntN(5)), New: rng.IntN(2) == 0,
			Tags: []string{"secret"}, CWE: []string{"CWE-798"},
		}
	}
	return fs
}

func sameFindings(a, b []findings.Finding) bool {
	key := func(fs []findings.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID+"@"+f.Location())
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}
