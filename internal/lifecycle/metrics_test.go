package lifecycle

import (
	"maps"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

var (
	crit = findings.SeverityCritical
	med  = findings.SeverityMedium
	low  = findings.SeverityLow
)

func rec(st Status, sev findings.Severity) Record {
	return Record{Status: st, Severity: sev, FirstSeen: Sighting{At: t0}}
}

// fixedAfter returns a record created at t0 and first fixed d days later.
func fixedAfter(d float64, reopens int) Record {
	r := rec(StatusFixed, high)
	r.FirstFixedAt, r.ReopenCount = days(d), reopens
	return r
}

func TestBacklog(t *testing.T) {
	recs := []Record{
		rec(StatusCreated, crit), rec(StatusIdentified, crit), rec(StatusInProgress, high),
		rec(StatusAwaitingValidation, med), rec(StatusFixed, crit), rec(StatusRiskAccepted, high),
		rec(StatusFalsePositive, low), rec(StatusIdentified, findings.SeverityUnknown),
	}
	want := map[findings.Severity]int{crit: 2, high: 1, med: 1, findings.SeverityUnknown: 1}
	if got := Backlog(recs); !maps.Equal(got, want) {
		t.Errorf("Backlog = %v, want %v", got, want)
	}
	if got := Backlog(nil); len(got) != 0 {
		t.Errorf("Backlog(nil) = %v", got)
	}
}

func TestTimeToFirstFix(t *testing.T) {
	var recs []Record
	for _, d := range []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} {
		recs = append(recs, fixedAfter(d, 0))
	}
	recs = append(recs, rec(StatusIdentified, high), fixedAfter(40, 0)) // never fixed; outside the window
	got := TimeToFirstFix(recs, days(1), days(11))
	want := FixTimes{Count: 10, Median: 5 * day, P90: 9 * day}
	if got != want {
		t.Errorf("TimeToFirstFix = %+v, want %+v", got, want)
	}
	// The window is [from, to): a fix at `to` is outside, at `from` inside.
	if got := TimeToFirstFix(recs, days(10), days(40)); got != (FixTimes{Count: 1, Median: 10 * day, P90: 10 * day}) {
		t.Errorf("window bounds: %+v", got)
	}
	if got := TimeToFirstFix(recs, days(100), days(200)); got != (FixTimes{}) {
		t.Errorf("empty window: %+v", got)
	}
}

func TestNearestRank(t *testing.T) {
	ds := []time.Duration{1, 2, 3, 4}
	for p, want := range map[int]time.Duration{50: 2, 90: 4, 25: 1, 26: 2, 100: 4} {
		if got := nearestRank(ds, p); got != want {
			t.Errorf("p%d = %d, want %d", p, got, want)
		}
	}
	if got := nearestRank([]time.Duration{7}, 90); got != 7 {
		t.Errorf("p90 of one = %d", got)
	}
}

func TestReopenRate(t *testing.T) {
	reopened := fixedAfter(1, 2)
	reopened.Status = StatusIdentified // fixed once, then back
	recs := []Record{fixedAfter(1, 0), fixedAfter(2, 0), fixedAfter(3, 1), reopened, rec(StatusIdentified, high)}
	if got := ReopenRate(recs); got != (Reopens{Reopened: 2, EverFixed: 4, Rate: 0.5}) {
		t.Errorf("ReopenRate = %+v", got)
	}
	if got := ReopenRate([]Record{rec(StatusCreated, high)}); got != (Reopens{}) {
		t.Errorf("nothing fixed: %+v", got)
	}
}

func TestOverdue(t *testing.T) {
	now := days(31) // past critical (7) and high (30) × high; not medium (60)
	recs := []Record{
		rec(StatusIdentified, crit), rec(StatusInProgress, crit), rec(StatusCreated, high),
		rec(StatusIdentified, med), rec(StatusFixed, crit), rec(StatusRiskAccepted, high),
		rec(StatusIdentified, findings.SeverityUnknown),
	}
	want := map[findings.Severity]int{crit: 2, high: 1}
	if got := Overdue(recs, matrix, policy.ImpactHigh, now); !maps.Equal(got, want) {
		t.Errorf("Overdue = %v, want %v", got, want)
	}
	if got := Overdue(recs, matrix, policy.ImpactNone, now); len(got) != 0 {
		t.Errorf("no impact: %v", got)
	}
}
