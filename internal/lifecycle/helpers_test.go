package lifecycle

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// t0 is the time of the first scan in the tests.
var t0 = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

const repo = "1296269"

// hours returns t0 plus n hours.
func hours(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

// days returns t0 plus n days.
func days(n float64) time.Time { return t0.Add(time.Duration(n * float64(day))) }

// leak returns a gitleaks finding whose fingerprint is fp.
func leak(fp string, sev findings.Severity) findings.Finding {
	return findings.Finding{
		ID: findings.IDFromFingerprint(fp), Fingerprint: fp, Scanner: "gitleaks", RuleID: "github-pat",
		Title: "GitHub Personal Access Token", Severity: sev, Path: "config/app.env", StartLine: 3, EndLine: 3,
	}
}

// scanOpt adjusts a Scan built by mkScan.
type scanOpt func(*Scan)

// onPR makes the scan a pull-request scan.
func onPR(s *Scan) { s.IsDefaultBranch, s.Ref = false, "refs/pull/7/head" }

// ran sets the scanners that ran successfully.
func ran(names ...string) scanOpt { return func(s *Scan) { s.Scanners = names } }

// mkScan builds a successful gitleaks scan of the default branch at at.
func mkScan(id string, at time.Time, fs []findings.Finding, opts ...scanOpt) Scan {
	s := Scan{
		RepoID: repo, Commit: "c-" + id, Ref: "refs/heads/main", IsDefaultBranch: true, ScanID: id, At: at,
		Scanners: []string{"gitleaks"}, Findings: fs,
	}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// applyAll applies scans in order from an empty state.
func applyAll(scans ...Scan) State {
	var s State
	for _, sc := range scans {
		s, _ = Apply(s, sc)
	}
	return s
}

// jsonOf renders v for deep comparisons.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// events lists the events of changes.
func events(changes []Change) []Event {
	out := make([]Event, len(changes))
	for i, c := range changes {
		out[i] = c.Event
	}
	return out
}

// withStatus returns a state whose only record, fingerprint "a", has the
// given status after being created by scan "s0" at t0.
func withStatus(st Status) State {
	s := applyAll(mkScan("s0", t0, []findings.Finding{leak("a", findings.SeverityHigh)}))
	rec := s.Records["a"]
	rec.Status = st
	if st == StatusFixed {
		rec.FixedAt, rec.FirstFixedAt = t0, t0
	}
	s.Records["a"] = rec
	return s
}
