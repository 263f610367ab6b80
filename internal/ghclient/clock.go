package ghclient

import (
	"context"
	"math/rand/v2"
	"time"
)

// Clock is the time source of RetryTransport. Tests inject a fake one so
// that waits of minutes are asserted without sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done, in which case it returns
	// ctx.Err() promptly.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real Clock, backed by package time.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx is done, whichever comes first.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// EqualJitter returns a duration drawn uniformly from [d/2, d]: it keeps
// half of the backoff so retries still spread out, and randomises the rest
// so that clients failing together do not retry together. It is the default
// RetryOptions.Jitter and is safe for concurrent use.
func EqualJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
