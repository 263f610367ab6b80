package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

var (
	high = findings.SeverityHigh
	none []findings.Finding
)

func TestApplyCreates(t *testing.T) {
	next, changes := Apply(State{}, mkScan("s1", t0, []findings.Finding{leak("a", high)}))
	rec := next.Records["a"]
	wantSeen := Sighting{At: t0, Commit: "c-s1", Ref: "refs/heads/main", ScanID: "s1", Scanner: "gitleaks"}
	if rec.Status != StatusCreated || rec.FirstSeen != wantSeen || rec.LastSeen != wantSeen || rec.Sightings != 1 ||
		rec.OriginalSeverity != high || rec.Severity != high || rec.RepoID != repo || rec.FindingID != "f-a" ||
		rec.Scanner != "gitleaks" || rec.CreatedAt() != t0 {
		t.Fatalf("created record = %+v", rec)
	}
	want := Change{Fingerprint: "a", HistoryEntry: HistoryEntry{At: t0, Event: EventCreated, From: StatusNone,
		To: StatusCreated, Actor: ScanActor("gitleaks"),
		Evidence: Evidence{ScanID: "s1", Commit: "c-s1", Ref: "refs/heads/main"}}}
	if len(changes) != 1 || jsonOf(t, changes[0]) != jsonOf(t, want) || jsonOf(t, rec.History) != jsonOf(t, []HistoryEntry{want.HistoryEntry}) {
		t.Fatalf("changes = %+v, history %+v", changes, rec.History)
	}
	if next.RepoID != repo || !next.Applied("s1") {
		t.Fatalf("state = %+v", next)
	}
}

// TestApplyDetection covers a detection of a record in every status.
func TestApplyDetection(t *testing.T) {
	cases := []struct {
		from   Status
		to     Status
		events []Event
	}{
		{StatusCreated, StatusIdentified, []Event{EventIdentified}},
		{StatusIdentified, StatusIdentified, nil},
		{StatusInProgress, StatusInProgress, nil},
		{StatusAwaitingValidation, StatusAwaitingValidation, nil},
		{StatusRiskAccepted, StatusRiskAccepted, nil},
		{StatusFalsePositive, StatusFalsePositive, nil},
		{StatusFixed, StatusIdentified, []Event{EventReopened}},
	}
	for _, tc := range cases {
		for _, opts := range [][]scanOpt{nil, {onPR}} {
			sc := mkScan("s2", hours(1), []findings.Finding{leak("a", high)}, opts...)
			next, changes := Apply(withStatus(tc.from), sc)
			rec := next.Records["a"]
			name := fmt.Sprintf("%s detected (default branch %v)", tc.from, sc.IsDefaultBranch)
			if rec.Status != tc.to || !slices.Equal(events(changes), tc.events) {
				t.Errorf("%s: status %s, events %v; want %s, %v", name, rec.Status, events(changes), tc.to, tc.events)
			}
			if rec.LastSeen.ScanID != "s2" || rec.LastSeen.At != hours(1) || rec.Sightings != 2 || rec.FirstSeen.ScanID != "s0" {
				t.Errorf("%s: sightings not updated: %+v", name, rec)
			}
		}
	}
}

func TestApplyReopensFixed(t *testing.T) {
	s := applyAll(
		mkScan("s1", t0, []findings.Finding{leak("a", high)}),
		mkScan("s2", hours(1), none),
	)
	fixed := s.Records["a"]
	if fixed.Status != StatusFixed || fixed.FixedAt != hours(1) || fixed.FixedCommit != "c-s2" || fixed.FirstFixedAt != hours(1) {
		t.Fatalf("fixed record = %+v", fixed)
	}
	s, changes := Apply(s, mkScan("s3", hours(2), []findings.Finding{leak("a", high)}, onPR))
	rec := s.Records["a"]
	if rec.Status != StatusIdentified || rec.ReopenCount != 1 || rec.ReopenedAt != hours(2) ||
		!rec.FixedAt.IsZero() || rec.FixedCommit != "" || rec.FirstFixedAt != hours(1) {
		t.Fatalf("reopened record = %+v", rec)
	}
	if got := events(changes); !slices.Equal(got, []Event{EventReopened}) || changes[0].From != StatusFixed {
		t.Fatalf("changes = %+v", changes)
	}
	s = applyAll2(s, mkScan("s4", hours(3), none), mkScan("s5", hours(4), []findings.Finding{leak("a", high)}))
	if rec := s.Records["a"]; rec.ReopenCount != 2 || rec.FirstFixedAt != hours(1) || rec.ReopenedAt != hours(4) {
		t.Fatalf("second reopen = %+v", rec)
	}
}

func applyAll2(s State, scans ...Scan) State {
	for _, sc := range scans {
		s, _ = Apply(s, sc)
	}
	return s
}

// TestApplyAbsence covers a finding missing from a later scan, for every
// status and every kind of scan: only a default-branch scan in which the
// finding's own scanner succeeded fixes, and only open findings.
func TestApplyAbsence(t *testing.T) {
	scans := []struct {
		name  string
		opts  []scanOpt
		fixes bool
	}{
		{"default branch, scanner ran", nil, true},
		{"default branch, scanner failed", []scanOpt{ran()}, false},
		{"default branch, only another scanner ran", []scanOpt{ran("semgrep")}, false},
		{"default branch, both ran", []scanOpt{ran("semgrep", "gitleaks")}, true},
		{"pull request, scanner ran", []scanOpt{onPR}, false},
	}
	for _, from := range Statuses {
		for _, sc := range scans {
			next, changes := Apply(withStatus(from), mkScan("s2", hours(1), none, sc.opts...))
			rec := next.Records["a"]
			want := from
			if sc.fixes && from.Open() {
				want = StatusFixed
			}
			if rec.Status != want || (want != from) != (len(changes) == 1) {
				t.Errorf("%s, %s: status %s, changes %v; want %s", from, sc.name, rec.Status, events(changes), want)
			}
			if want != from && (rec.FixedAt != hours(1) || rec.FixedCommit != "c-s2" || rec.LastScanID != "s2" ||
				changes[0].Actor != ScanActor("gitleaks") || changes[0].Evidence.ScanID != "s2") {
				t.Errorf("%s, %s: fix not recorded: %+v %+v", from, sc.name, rec, changes)
			}
		}
	}
}

func TestApplyFinalStatusesNeverRevertedByScans(t *testing.T) {
	for _, st := range []Status{StatusRiskAccepted, StatusFalsePositive} {
		s := withStatus(st)
		s = applyAll2(s,
			mkScan("s2", hours(1), none),
			mkScan("s3", hours(2), []findings.Finding{leak("a", findings.SeverityCritical)}),
			mkScan("s4", hours(3), none, onPR),
			mkScan("s5", hours(4), []findings.Finding{leak("a", high)}, onPR),
		)
		rec := s.Records["a"]
		if rec.Status != st || rec.ReopenCount != 0 || !rec.FixedAt.IsZero() || rec.LastSeen.ScanID != "s5" {
			t.Errorf("%s after scans: %+v", st, rec)
		}
		for _, e := range rec.History {
			if e.Actor.Kind == ActorScan && e.From != e.To && e.From != StatusNone {
				t.Errorf("%s: a scan changed the status: %+v", st, e)
			}
		}
	}
}

func TestApplyIsIdempotentPerScanID(t *testing.T) {
	s1 := mkScan("s1", t0, []findings.Finding{leak("a", high)})
	s2 := mkScan("s2", hours(1), none)
	once := applyAll(s1)
	twice, changes := Apply(once, s1)
	if len(changes) != 0 || jsonOf(t, twice) != jsonOf(t, once) {
		t.Fatalf("re-applying s1 changed %v", changes)
	}
	// A redelivered older scan must not reopen what a later scan fixed.
	fixed := applyAll(s1, s2)
	again, changes := Apply(fixed, s1)
	if len(changes) != 0 || again.Records["a"].Status != StatusFixed {
		t.Fatalf("re-applying s1 after s2: %v, %s", changes, again.Records["a"].Status)
	}
}

func TestApplyStaleScanLeavesRecordsAlone(t *testing.T) {
	s := applyAll(mkScan("s1", hours(5), []findings.Finding{leak("a", high)}))
	// Older than the record's last sighting: neither a fix nor a confirmation.
	for _, sc := range []Scan{mkScan("old1", hours(1), none), mkScan("old2", hours(2), []findings.Finding{leak("a", high)})} {
		next, changes := Apply(s, sc)
		if len(changes) != 0 || jsonOf(t, next.Records) != jsonOf(t, s.Records) || !next.Applied(sc.ScanID) {
			t.Errorf("stale scan %s changed %v", sc.ScanID, changes)
		}
	}
}

func TestApplySeverityChange(t *testing.T) {
	s := applyAll(
		mkScan("s1", t0, []findings.Finding{leak("a", findings.SeverityMedium)}),
		mkScan("s2", days(3), []findings.Finding{leak("a", findings.SeverityCritical)}),
	)
	rec := s.Records["a"]
	if rec.OriginalSeverity != findings.SeverityMedium || rec.Severity != findings.SeverityCritical || rec.CreatedAt() != t0 {
		t.Fatalf("record = %+v", rec)
	}
	e := rec.History[1]
	if e.Event != EventSeverity || e.From != StatusCreated || e.To != StatusCreated ||
		*e.Severity != (SeverityChange{From: findings.SeverityMedium, To: findings.SeverityCritical}) {
		t.Fatalf("severity entry = %+v", e)
	}
	if got := rec.History[2]; got.Event != EventIdentified {
		t.Fatalf("third entry = %+v", got)
	}
}

// TestApplyIdentityIsTheFingerprint: a finding that moved (other lines, or
// another path with a fingerprint that does not include it, as SARIF
// partial fingerprints) is the same finding; another fingerprint is not.
func TestApplyIdentityIsTheFingerprint(t *testing.T) {
	moved := leak("a", high)
	moved.StartLine, moved.EndLine, moved.Path = 40, 41, "config/renamed.env"
	s := applyAll(mkScan("s1", t0, []findings.Finding{leak("a", high)}), mkScan("s2", hours(1), []findings.Finding{moved}))
	if len(s.Records) != 1 || s.Records["a"].Status != StatusIdentified || s.Records["a"].Path != "config/renamed.env" {
		t.Fatalf("moved finding: %+v", s.Records)
	}
	s, _ = Apply(s, mkScan("s3", hours(2), []findings.Finding{leak("b", high)}))
	if s.Records["a"].Status != StatusFixed || s.Records["b"].Status != StatusCreated {
		t.Fatalf("other fingerprint: %+v", s.Records)
	}
}

func TestApplyIsPure(t *testing.T) {
	prev := applyAll(mkScan("s1", t0, []findings.Finding{leak("a", high), leak("b", high)}))
	before := jsonOf(t, prev)
	next, _ := Apply(prev, mkScan("s2", hours(1), []findings.Finding{leak("a", findings.SeverityLow), leak("c", high)}))
	if jsonOf(t, prev) != before {
		t.Fatal("Apply modified its input")
	}
	// Appending to next's histories must not reach prev's either.
	for fp, rec := range next.Records {
		rec.History = append(rec.History, HistoryEntry{Event: "x"})
		next.Records[fp] = rec
	}
	if jsonOf(t, prev) != before {
		t.Fatal("next shares history arrays with prev")
	}
}

func TestApplyDuplicatesAndChangeOrder(t *testing.T) {
	_, changes := Apply(State{}, mkScan("s1", t0, []findings.Finding{leak("b", high), leak("a", high), leak("b", high)}))
	if len(changes) != 2 || changes[0].Fingerprint != "a" || changes[1].Fingerprint != "b" {
		t.Fatalf("changes = %+v", changes)
	}
}

func TestAppliedScansBounded(t *testing.T) {
	var s State
	for i := range MaxAppliedScans + 5 {
		s, _ = Apply(s, mkScan(fmt.Sprint("s", i), hours(i), none, onPR))
	}
	if len(s.AppliedScans) != MaxAppliedScans || s.AppliedScans[0] != "s5" || s.Applied("s4") {
		t.Fatalf("%d applied scans, first %s", len(s.AppliedScans), s.AppliedScans[0])
	}
}

func TestScanValidate(t *testing.T) {
	bad := Scan{RepoID: "o:r", Findings: []findings.Finding{{RuleID: "r", Path: "p", StartLine: 2}}}
	err := bad.Validate()
	for _, want := range []string{`repository id "o:r" contains ':'`, "scan id is empty", "scan time is not set",
		"finding 0 (r p:2) has no fingerprint", "finding 0 (r p:2) has no scanner"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to say %q", err, want)
		}
	}
	if err := (Scan{ScanID: "s", At: t0}).Validate(); err == nil || !strings.Contains(err.Error(), "repository id is empty") {
		t.Errorf("Validate() without repository = %v", err)
	}
	if err := mkScan("s1", t0, nil).Validate(); err != nil {
		t.Errorf("valid scan: %v", err)
	}
}
