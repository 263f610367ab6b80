// Package jobs connects go-githubapp's event dispatcher to the durable queue:
// a Scheduler that persists each webhook before GitHub gets its answer, and a
// Pool of workers that claims queued webhooks and runs their handlers through
// go-githubapp's asynchronous scheduler, acknowledging each job only when its
// handler has finished.
package jobs

import (
	"errors"
	"fmt"
	"time"
)

// RetryError asks the pool to run the job again after a delay.
type RetryError struct {
	// After is the delay before the job is claimable again.
	After time.Duration
	// Busy marks a retry caused by contention (another job holds the lock
	// for the same pull request), which does not count toward the attempt
	// budget of failing jobs.
	Busy bool
	// Err is the cause.
	Err error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryError) Unwrap() error { return e.Err }

// RetryAfter wraps err so that the job is retried after d.
func RetryAfter(err error, d time.Duration) error {
	return &RetryError{After: d, Err: err}
}

// RetryBusy wraps err so that the job is retried after d without spending
// its failure budget.
func RetryBusy(err error, d time.Duration) error {
	return &RetryError{After: d, Busy: true, Err: err}
}

// PermanentError marks a failure that no retry can fix (a malformed payload):
// the job is acknowledged and dropped with an error log.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }

func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err is or wraps a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
