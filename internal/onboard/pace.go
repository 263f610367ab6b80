package onboard

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

// Budget is the share of one installation's GitHub limits that baseline
// scans may use. Zero fields take the Default values.
type Budget struct {
	// RequestsPerScan is how many API requests one scan costs (primary
	// limit, PrimaryRequestsPerHour).
	RequestsPerScan int
	// ContentPerScan is how many of them create content (secondary limit,
	// MaxContentCreatingPerMinute). Negative means none.
	ContentPerScan int
	// Share is the fraction (0, 1] of each limit baseline scans may use.
	Share float64
	// Burst is how many scans may start at once; it is lowered when the
	// limits leave no room for it.
	Burst int
	// MaxInFlight bounds the enqueued scans without a result yet (a scan
	// sends one request at a time, so this bounds concurrent requests:
	// default Share × MaxConcurrentRequests).
	MaxInFlight int
	// InFlightTimeout is how long an enqueued scan counts as in flight.
	InFlightTimeout time.Duration
}

// Pace is a Budget resolved into a token bucket: Burst scans at once, then
// one every Interval, at most MaxInFlight without a result.
type Pace struct {
	// Interval is the steady spacing of scans.
	Interval time.Duration
	// Burst is how many scans may start at once.
	Burst int
	// MaxInFlight bounds the scans enqueued without a result.
	MaxInFlight int
	// InFlightTimeout is how long an enqueued scan counts as in flight.
	InFlightTimeout time.Duration
}

// ScansPerHour is the steady rate.
func (p Pace) ScansPerHour() float64 { return float64(time.Hour) / float64(p.Interval) }

// Pace resolves the budget. In any window of length w the bucket allows at
// most Burst + w/Interval scans, so Interval is chosen to keep an hour
// within Share of PrimaryRequestsPerHour and a minute within Share of
// MaxContentCreatingPerMinute, burst included.
func (b Budget) Pace() (Pace, error) {
	b = b.WithDefaults()
	if b.RequestsPerScan < 1 || b.ContentPerScan > b.RequestsPerScan || b.Share <= 0 || b.Share > 1 {
		return Pace{}, fmt.Errorf("onboard: invalid budget %+v", b)
	}
	perHour := b.Share * PrimaryRequestsPerHour / float64(b.RequestsPerScan)
	perMinute := math.Inf(1)
	if b.ContentPerScan > 0 {
		perMinute = b.Share * MaxContentCreatingPerMinute / float64(b.ContentPerScan)
	}
	burst := min(b.Burst, int(math.Min(perHour, perMinute)/2))
	if burst < 1 {
		return Pace{}, fmt.Errorf("onboard: budget %+v leaves room for fewer than two scans a minute or an hour", b)
	}
	seconds := math.Max(3600/(perHour-float64(burst)), 60/(perMinute-float64(burst)))
	return Pace{
		Interval: time.Duration(math.Ceil(seconds * float64(time.Second))), Burst: burst,
		MaxInFlight: b.MaxInFlight, InFlightTimeout: b.InFlightTimeout,
	}, nil
}

// WithDefaults returns b with its zero fields set to the Default values.
func (b Budget) WithDefaults() Budget {
	if b.RequestsPerScan == 0 {
		b.RequestsPerScan = DefaultRequestsPerScan
	}
	switch {
	case b.ContentPerScan == 0:
		b.ContentPerScan = DefaultContentPerScan
	case b.ContentPerScan < 0:
		b.ContentPerScan = 0
	}
	if b.Share == 0 {
		b.Share = DefaultShare
	}
	if b.Burst <= 0 {
		b.Burst = DefaultBurst
	}
	if b.MaxInFlight <= 0 {
		b.MaxInFlight = max(1, int(b.Share*MaxConcurrentRequests))
	}
	if b.InFlightTimeout <= 0 {
		b.InFlightTimeout = DefaultInFlightTimeout
	}
	return b
}

// paceState is an installation's persisted bucket as GCRA keeps it: the
// theoretical arrival time of the next scan. Integer arithmetic on it is
// exact, so no rounding lets a window exceed the budget.
type paceState struct {
	TAT time.Time `json:"tat"`
}

// reserve takes up to want tokens of the installation's bucket at now. It
// returns how many it took and when the next token is due.
func (p Pace) reserve(ctx context.Context, kv store.KV, installationID int64, want int, now time.Time) (int, time.Time, error) {
	tau := time.Duration(p.Burst-1) * p.Interval
	var got int
	var tat time.Time
	_, _, err := update(ctx, kv, idKey(keyPace, installationID), func(cur paceState, _ bool) (paceState, bool) {
		got, tat = 0, cur.TAT
		if tat.Before(now) {
			tat = now
		}
		for got < want && !tat.After(now.Add(tau)) {
			tat = tat.Add(p.Interval)
			got++
		}
		return paceState{TAT: tat}, got > 0
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("pacing installation %d: %w", installationID, err)
	}
	next := tat.Add(-tau)
	if next.Before(now) {
		next = now
	}
	return got, next, nil
}

// refund gives back n unused tokens.
func (p Pace) refund(ctx context.Context, kv store.KV, installationID int64, n int) error {
	if n <= 0 {
		return nil
	}
	_, _, err := update(ctx, kv, idKey(keyPace, installationID), func(cur paceState, exists bool) (paceState, bool) {
		return paceState{TAT: cur.TAT.Add(-time.Duration(n) * p.Interval)}, exists
	})
	return wrapf(err, "pacing installation %d", installationID)
}

// nextAt is when the installation's bucket next has a token.
func (p Pace) nextAt(ctx context.Context, kv store.KV, installationID int64, now time.Time) (time.Time, error) {
	var st paceState
	if _, err := getJSON(ctx, kv, idKey(keyPace, installationID), &st); err != nil {
		return time.Time{}, err
	}
	next := st.TAT.Add(-time.Duration(p.Burst-1) * p.Interval)
	if next.Before(now) {
		next = now
	}
	return next, nil
}
