package simulate

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

var at = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)

func finding(rule string, sev findings.Severity, isNew bool) findings.Finding {
	fp := "fp-" + rule + "-" + sev.String()
	return findings.Finding{ID: "f-" + rule, Fingerprint: fp, Scanner: "semgrep", RuleID: rule, Severity: sev,
		Path: "src/" + rule + ".go", StartLine: 1, New: isNew}
}

var ok = []policy.ScannerStatus{{Name: "semgrep", Ran: true, RulesRun: 10}}

// cases as the default policy (block_at high, scope new) recorded them.
func recorded() []Case {
	return []Case{
		{ID: "1", At: at, Repo: "acme/api", Commit: "a1", Outcome: "failed", Blocked: true, Conditions: []string{"gate.block_at"},
			Findings: []findings.Finding{finding("sqli", findings.SeverityHigh, true)}, Scanners: ok},
		{ID: "2", At: at.Add(time.Hour), Repo: "acme/api", Commit: "a2", Outcome: "passed",
			Findings: []findings.Finding{finding("xss", findings.SeverityMedium, true)}, Scanners: ok},
		{ID: "3", At: at.Add(2 * time.Hour), Repo: "acme/web", Commit: "w1", Outcome: "passed",
			Findings: []findings.Finding{finding("old", findings.SeverityCritical, false)}, Scanners: ok},
		{ID: "4", At: at, Repo: "acme/web", Commit: "w2", Outcome: "failed", NotReplayable: SkipExpired},
	}
}

func candidate(t *testing.T, yaml string) *policy.Policy {
	t.Helper()
	f, err := policy.Parse("candidate.yml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	p, _, _ := policy.Merge(nil, nil, f)
	return p
}

// TestReplay: looser, stricter and identical candidates, and the cases
// that could not be replayed.
func TestReplay(t *testing.T) {
	for _, tc := range []struct {
		label            string
		yaml             string
		now, cand        int
		flipped, drivers string
	}{
		{"identical", "version: 1\n", 1, 1, "", ""},
		{"looser: block at critical", "version: 1\ngate:\n  block_at: critical\n", 1, 0, "1", "gate.block_at: 1 fewer blocks"},
		{"looser: never_block the rule", "version: 1\ngate:\n  never_block:\n    rules: [sqli]\n", 1, 0, "1",
			"gate.never_block rule sqli: 1 fewer blocks"},
		{"looser: ignore the path", "version: 1\nignore:\n  - paths: ['src/sqli.go']\n    reason: fixture\n", 1, 0, "1",
			"ignore src/sqli.go: 1 fewer blocks"},
		{"looser: mode off", "version: 1\nmode: off\n", 1, 0, "1", "mode: off: 1 fewer blocks"},
		{"stricter: max medium 0", "version: 1\ngate:\n  max:\n    medium: 0\n", 1, 2, "2", "gate.max.medium: 1 more blocks"},
		{"stricter: scope all", "version: 1\ngate:\n  scope: all\n", 1, 2, "3", "gate.block_at: 1 more blocks"},
		{"warn mode still counts what would block", "version: 1\nmode: warn\n", 1, 1, "", ""},
	} {
		t.Run(tc.label, func(t *testing.T) {
			rep := Replay(candidate(t, tc.yaml), recorded())
			if rep.Overall.BlockedNow != tc.now || rep.Overall.BlockedCandidate != tc.cand || rep.Overall.Cases != 3 {
				t.Errorf("overall %+v, want %d → %d of 3", rep.Overall, tc.now, tc.cand)
			}
			var ids, drivers []string
			for _, f := range rep.Flipped {
				ids = append(ids, f.ID)
			}
			for _, d := range rep.Drivers {
				drivers = append(drivers, d.String())
			}
			if got := strings.Join(ids, ","); got != tc.flipped {
				t.Errorf("flipped %q, want %q", got, tc.flipped)
			}
			if got := strings.Join(drivers, "; "); got != tc.drivers {
				t.Errorf("drivers %q, want %q", got, tc.drivers)
			}
			if rep.NotReplayable != 1 || rep.Skipped[SkipExpired] != 1 {
				t.Errorf("not replayable %d %v, want 1 expired", rep.NotReplayable, rep.Skipped)
			}
			if len(rep.Repositories) != 2 || rep.Repositories[0].Repo != "acme/api" || rep.Repositories[0].Cases != 2 {
				t.Errorf("repositories %+v", rep.Repositories)
			}
		})
	}
}

// TestReplayExcused: a finding excused then stays excused.
func TestReplayExcused(t *testing.T) {
	cs := recorded()[:1]
	cs[0].Blocked, cs[0].Outcome, cs[0].Conditions = false, "passed", nil
	cs[0].Excused = []string{cs[0].Findings[0].Fingerprint}
	rep := Replay(candidate(t, "version: 1\n"), cs)
	if rep.Overall.BlockedCandidate != 0 || len(rep.Flipped) != 0 {
		t.Errorf("an excused finding blocked: %+v", rep)
	}
}

// TestReplayRequiredScanner: a stricter candidate requiring a scanner
// that did not run names the scanner.
func TestReplayRequiredScanner(t *testing.T) {
	rep := Replay(candidate(t, "version: 1\ngate:\n  required_scanners: [gitleaks]\n"), recorded())
	if rep.Overall.BlockedCandidate != 3 || len(rep.Drivers) != 1 ||
		!slices.Contains([]string{"required_scanners gitleaks", "gate.required_scanners gitleaks"}, rep.Drivers[0].Condition) {
		t.Errorf("got %+v", rep.Drivers)
	}
}
