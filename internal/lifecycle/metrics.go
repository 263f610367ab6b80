package lifecycle

import (
	"slices"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// Backlog counts the open findings (Created, Identified, In Progress,
// Awaiting Validation) by current severity.
func Backlog(recs []Record) map[findings.Severity]int {
	out := map[findings.Severity]int{}
	for _, r := range recs {
		if r.Status.Open() {
			out[r.Severity]++
		}
	}
	return out
}

// FixTimes summarises how long findings took to be fixed for the first time.
type FixTimes struct {
	// Count is how many findings were first fixed in the window.
	Count int `json:"count"`
	// Median is the nearest-rank 50th percentile of first fixed − first
	// seen; zero when Count is.
	Median time.Duration `json:"median"`
	// P90 is the nearest-rank 90th percentile; zero when Count is.
	P90 time.Duration `json:"p90"`
}

// TimeToFirstFix summarises first fixed − first seen over the findings
// first fixed in [from, to).
func TimeToFirstFix(recs []Record, from, to time.Time) FixTimes {
	var ds []time.Duration
	for _, r := range recs {
		at := r.FirstFixedAt
		if at.IsZero() || at.Before(from) || !at.Before(to) {
			continue
		}
		ds = append(ds, at.Sub(r.CreatedAt()))
	}
	if len(ds) == 0 {
		return FixTimes{}
	}
	slices.Sort(ds)
	return FixTimes{Count: len(ds), Median: nearestRank(ds, 50), P90: nearestRank(ds, 90)}
}

// nearestRank returns the p-th percentile (0 < p ≤ 100) of sorted, not
// empty ds: the smallest value with at least p % of the values at or below
// it.
func nearestRank(ds []time.Duration, p int) time.Duration {
	rank := (p*len(ds) + 99) / 100 // ⌈p·n/100⌉, at least 1 for p > 0
	return ds[rank-1]
}

// Reopens is the reopen rate: reopened findings over findings ever fixed.
type Reopens struct {
	// Reopened counts findings reopened at least once.
	Reopened int `json:"reopened"`
	// EverFixed counts findings fixed at least once.
	EverFixed int `json:"ever_fixed"`
	// Rate is Reopened / EverFixed, 0 when nothing was ever fixed.
	Rate float64 `json:"rate"`
}

// ReopenRate computes the reopen rate of recs.
func ReopenRate(recs []Record) Reopens {
	var out Reopens
	for _, r := range recs {
		if r.FirstFixedAt.IsZero() {
			continue
		}
		out.EverFixed++
		if r.ReopenCount > 0 {
			out.Reopened++
		}
	}
	if out.EverFixed > 0 {
		out.Rate = float64(out.Reopened) / float64(out.EverFixed)
	}
	return out
}

// Overdue counts, by current severity, the open findings past their
// deadline at now (SLA state Breached), for an aging-aware gate.
func Overdue(recs []Record, m policy.SLAMatrix, imp policy.Impact, now time.Time) map[findings.Severity]int {
	out := map[findings.Severity]int{}
	for _, r := range recs {
		if SLA(r, m, imp, now).State == SLABreached {
			out[r.Severity]++
		}
	}
	return out
}
