// Package retry is how a job's handler asks its queue to run it again
// later. It sits below both the queue (internal/jobs, which reads it) and
// the domain packages that produce it (checks), so neither imports the
// other.
package retry

import (
	"fmt"
	"time"
)

// Error asks for the job to run again after a delay.
type Error struct {
	// After is how long to wait before the job is claimable again.
	After time.Duration
	// Busy marks contention (another job holds the lock for the same pull
	// request or ref), which does not count toward the failure budget.
	Busy bool
	// Err is the cause.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// After wraps err so that the job is retried after d.
func After(err error, d time.Duration) error {
	return &Error{After: d, Err: err}
}

// Busy wraps err so that the job is retried after d without spending its
// failure budget.
func Busy(err error, d time.Duration) error {
	return &Error{After: d, Busy: true, Err: err}
}
