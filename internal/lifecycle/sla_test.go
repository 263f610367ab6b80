package lifecycle

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// matrix is a typical server configuration.
var matrix = SLAMatrix{
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
		imp  Impact
		want SLAState
	}{
		{"unknown severity beats resolved", with(StatusFixed, findings.SeverityUnknown), ImpactHigh, SLANotTracked},
		{"unknown severity beats not parameterized", with(StatusIdentified, findings.SeverityUnknown), ImpactNone, SLANotTracked},
		{"fixed beats not parameterized", with(StatusFixed, high), ImpactNone, SLAResolved},
		{"risk accepted", with(StatusRiskAccepted, high), ImpactHigh, SLAResolved},
		{"false positive", with(StatusFalsePositive, high), ImpactHigh, SLAResolved},
		{"no impact", with(StatusCreated, high), ImpactNone, SLANotParameterized},
		{"no cell", with(StatusInProgress, findings.SeverityLow), ImpactLow, SLANotParameterized},
		{"unknown impact", with(StatusIdentified, high), Impact("huge"), SLANotParameterized},
		{"awaiting validation is still on the clock", with(StatusAwaitingValidation, high), ImpactHigh, SLABreached},
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
	if got := SLA(open(high), nil, ImpactHigh, now); got.State != SLANotParameterized {
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
		got := SLA(open(high), matrix, ImpactHigh, tc.now)
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
	got := SLA(rec, matrix, ImpactHigh, days(10))
	// Critical × high is 7 days from the creation, not from the raise.
	if want := (SLAStatus{State: SLABreached, Deadline: days(7), DaysRemaining: -3}); got != want {
		t.Fatalf("SLA = %+v, want %+v", got, want)
	}
}

func TestSLAMatrixChangeMovesDeadlines(t *testing.T) {
	now := days(20)
	recs := []Record{open(high), open(findings.SeverityMedium)}
	before := SLA(recs[0], matrix, ImpactHigh, now)
	if before.State != SLAOnTrack || before.Deadline != days(30) {
		t.Fatalf("before = %+v", before)
	}
	stricter := SLAMatrix{"high": {"high": 14}, "medium": {"high": 30}}
	after := SLA(recs[0], stricter, ImpactHigh, now)
	if after.State != SLABreached || after.Deadline != days(14) || after.DaysRemaining != -6 {
		t.Fatalf("after = %+v", after)
	}
	if got := Overdue(recs, matrix, ImpactHigh, now); len(got) != 0 {
		t.Errorf("overdue before = %v", got)
	}
	if got := Overdue(recs, stricter, ImpactHigh, now); got[high] != 1 || got[findings.SeverityMedium] != 0 {
		t.Errorf("overdue after = %v", got)
	}
}

func TestSLAMatrixValidate(t *testing.T) {
	if err := matrix.Validate(); err != nil {
		t.Fatalf("valid matrix: %v", err)
	}
	if err := (SLAMatrix{}).Validate(); err != nil {
		t.Fatalf("empty matrix: %v", err)
	}
	bad := SLAMatrix{
		"severe":   {"high": 1},
		"critical": {"huge": 7, "high": 0, "medium": -3, "low": MaxSLADays + 1},
		"Low":      {"low": 5},
	}
	err := bad.Validate()
	want := []string{
		`sla["Low"]: unknown severity (allowed: critical, high, medium, low)`,
		`sla["critical"]["high"]: 0 days to fix (allowed: a whole number of days from 1 to 3650)`,
		`sla["critical"]["huge"]: unknown business impact (allowed: high, medium, low)`,
		`sla["critical"]["low"]: 3651 days to fix`,
		`sla["critical"]["medium"]: -3 days to fix`,
		`sla["severe"]: unknown severity`,
	}
	if err == nil || !strings.HasPrefix(err.Error(), "invalid SLA matrix: ") {
		t.Fatalf("Validate() = %v", err)
	}
	lines := strings.Split(strings.TrimPrefix(err.Error(), "invalid SLA matrix: "), "\n")
	if len(lines) != len(want) {
		t.Fatalf("Validate() reported %d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d = %q, want it to start with %q", i, lines[i], w)
		}
	}
}

func TestSLAMatrixYAML(t *testing.T) {
	var cfg struct {
		SLA SLAMatrix `yaml:"sla"`
	}
	src := "sla:\n  critical: {high: 7, medium: 15}\n  high:\n    high: 30\n"
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.SLA.Validate(); err != nil {
		t.Fatal(err)
	}
	if d, ok := cfg.SLA.Days(findings.SeverityCritical, ImpactMedium); !ok || d != 15 {
		t.Errorf("critical × medium = %d, %v", d, ok)
	}
	if _, ok := cfg.SLA.Days(findings.SeverityCritical, ImpactLow); ok {
		t.Error("critical × low should be missing")
	}
	if _, ok := cfg.SLA.Days(findings.SeverityCritical, ImpactNone); ok {
		t.Error("no impact should have no cell")
	}
}

func TestParseImpact(t *testing.T) {
	for in, want := range map[string]Impact{"high": ImpactHigh, " Medium ": ImpactMedium, "LOW": ImpactLow, "": ImpactNone} {
		if got, err := ParseImpact(in); err != nil || got != want {
			t.Errorf("ParseImpact(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseImpact("critical"); err == nil || !strings.Contains(err.Error(), "allowed: high, medium, low") {
		t.Errorf("ParseImpact(critical) error = %v", err)
	}
}
