// Package jobs connects go-githubapp's event dispatcher to the durable queue:
// a Scheduler that persists each webhook before GitHub gets its answer, and a
// Pool of workers that claims queued webhooks and runs their handlers through
// go-githubapp's asynchronous scheduler, acknowledging each job only when its
// handler has finished.
package jobs

import (
	"errors"
	"time"

	"github.com/conviso/conviso-github-app/internal/retry"
)

// RetryError asks the pool to run the job again after a delay; handlers
// build it with package retry, which the pool and the domain share.
type RetryError = retry.Error

// RetryAfter wraps err so that the job is retried after d.
func RetryAfter(err error, d time.Duration) error { return retry.After(err, d) }

// RetryBusy wraps err so that the job is retried after d without spending
// its failure budget.
func RetryBusy(err error, d time.Duration) error { return retry.Busy(err, d) }

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
