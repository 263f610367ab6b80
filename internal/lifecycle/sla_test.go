package lifecycle

import (
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// matrix is a typical server configuration.
var matrix = policy.SLAMatrix{
	"critical": {"high": 7, "medium": 15, "low": 30},
	"high":     {"high": 30, "medium": 45, "low": 60},
	"medium":   {"high": 60, "medium": 90, "low": 120},
	"low":      {"high": 120, "medium": 180},
}

// open returns an open record created at t0.
func open(sev findings.Severity) Record {
	return Record{Status: StatusIdentified, Severity: sev, OriginalSeverity: sev, FirstSeen: Sighting{At: t0}}
}

func TestSLAPrecedence(t *testing.T) {
	now := days(365) // long past every deadline
	with := func(st Status, sev findings.Severity) Record { r := open(sev); r.Status = st; return r }
	cases := []struct {
		name string
		rec  Record
		imp  policy.Impact
		want SLAState
	}{
		{"unknown severity beats resolved", with(StatusFixed, findings.SeverityUnknown), policy.ImpactHigh, SLANotTracked},
		{"unknown severity beats not parameterized", with(StatusIdentified, findings.SeverityUnknown), policy.ImpactNone, SLANotTracked},
		{"fixed beats not parameterized", with(StatusFixed, high), policy.ImpactNone, SLAResolved},
		{"risk accepted", with(StatusRiskAccepted, high), policy.ImpactHigh, SLAResolved},
		{"false positive", with(StatusFalsePositive, high), policy.ImpactHigh, SLAResolved},
		{"no impact", with(StatusCreated, high), policy.ImpactNone, SLANotParameterized},
		{"no cell", with(StatusInProgress, findings.SeverityLow), policy.ImpactLow, SLANotParameterized},
		{"unknown impact", with(StatusIdentified, high), policy.Impact("huge"), SLANotParameterized},
		{"awaiting validation is still on the clock", with(StatusAwaitingValidation, high), policy.ImpactHigh, SLABreached},
	}
	for _, tc := range cases {
		got := SLA(tc.rec, matrix, tc.imp, now)
		if got.State != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got.State, tc.want)
		}
		if tc.want != SLABreached && (got != SLAStatus{State: tc.want}) {
			t.Errorf("%s: %+v has a deadline", tc.name, got)
		}
	}
	if got := SLA(open(high), nil, policy.ImpactHigh, now); got.State != SLANotParameterized {
		t.Errorf("nil matrix: %s", got.State)
	}
}

// TestSLAClock walks a 30-day window (high × high) across its boundaries.
func TestSLAClock(t *testing.T) {
	deadline := days(30)
	cases := []struct {
		name string
		now  time.Time
		want SLAState
		left int
	}{
		{"at creation", t0, SLAOnTrack, 30},
		{"before creation (clock skew)", t0.Add(-time.Hour), SLAOnTrack, 30},
		{"just under 75 %", days(22.5).Add(-time.Nanosecond), SLAOnTrack, 7},
		{"exactly 75 %", days(22.5), SLAApproaching, 7},
		{"last day", days(29.5), SLAApproaching, 0},
		{"exactly the deadline", deadline, SLAApproaching, 0},
		{"just past the deadline", deadline.Add(time.Nanosecond), SLABreached, -1},
		{"a day past the deadline", days(31), SLABreached, -1},
		{"just over a day past", days(31).Add(time.Nanosecond), SLABreached, -2},
	}
	for _, tc := range cases {
		got := SLA(open(high), matrix, policy.ImpactHigh, tc.now)
		want := SLAStatus{State: tc.want, Deadline: deadline, DaysRemaining: tc.left}
		if got != want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, want)
		}
	}
}

// TestSLAApproachingOddWindow checks the 75 % threshold of a window that
// is not a multiple of 4 nanoseconds is not rounded down.
func TestSLAApproachingOddWindow(t *testing.T) {
	w := 7 * time.Nanosecond
	if got := clockState(5*time.Nanosecond, w); got != SLAOnTrack { // 5/7 = 71 %
		t.Errorf("5 of 7: %s", got)
	}
	if got := clockState(6*time.Nanosecond, w); got != SLAApproaching { // 6/7 = 86 %
		t.Errorf("6 of 7: %s", got)
	}
	if got := clockState(3*time.Nanosecond, 4*time.Nanosecond); got != SLAApproaching {
		t.Errorf("3 of 4: %s", got)
	}
}

func TestSLARaisedSeverityKeepsCreationDate(t *testing.T) {
	s := applyAll(
		mkScan("s1", t0, []findings.Finding{leak("a", findings.SeverityMedium)}),
		mkScan("s2", days(10), []findings.Finding{leak("a", findings.SeverityCritical)}),
	)
	rec := s.Records["a"]
	got := SLA(rec, matrix, policy.ImpactHigh, days(10))
	// Critical × high is 7 days from the creation, not from the raise.
	if want := (SLAStatus{State: SLABreached, Deadline: days(7), DaysRemaining: -3}); got != want {
		t.Fatalf("SLA = %+v, want %+v", got, want)
	}
}

func TestSLAMatrixChangeMovesDeadlines(t *testing.T) {
	now := days(20)
	recs := []Record{open(high), open(findings.SeverityMedium)}
	before := SLA(recs[0], matrix, policy.ImpactHigh, now)
	if before.State != SLAOnTrack || before.Deadline != days(30) {
		t.Fatalf("before = %+v", before)
	}
	stricter := policy.SLAMatrix{"high": {"high": 14}, "medium": {"high": 30}}
	after := SLA(recs[0], stricter, policy.ImpactHigh, now)
	if after.State != SLABreached || after.Deadline != days(14) || after.DaysRemaining != -6 {
		t.Fatalf("after = %+v", after)
	}
	if got := Overdue(recs, matrix, policy.ImpactHigh, now); len(got) != 0 {
		t.Errorf("overdue before = %v", got)
	}
	if got := Overdue(recs, stricter, policy.ImpactHigh, now); got[high] != 1 || got[findings.SeverityMedium] != 0 {
		t.Errorf("overdue after = %v", got)
	}
}
