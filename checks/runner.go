package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/retry"
	"github.com/conviso/conviso-github-app/internal/scanner"
	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/tarball"
)

// Runner defaults.
const (
	DefaultLockTTL     = time.Minute
	DefaultPoll        = time.Second
	DefaultScanTimeout = 10 * time.Minute
	// busyDelay is how long a job waits when another scan of the same pull
	// request holds the lock (that scan notices the newer head and stops
	// within one poll).
	busyDelay = 2 * time.Second
	latestTTL = 30 * 24 * time.Hour
)

// Key prefixes in the store.
const (
	keyLatest = "scan:latest:"
	keyLock   = "scan:lock:"
)

var (
	errSuperseded  = errors.New("superseded by a newer commit")
	errLockLost    = errors.New("scan lock lost")
	errScanTimeout = errors.New("scan timed out")
)

// Runner is the scan pipeline: for the app's own scans and for uploaded
// SARIF categories alike it evaluates one pull request (or ref, per
// category) at a time under a lock, lets a newer head supersede an older
// evaluation in progress, compares the findings with the baseline, decides
// the gate with the policy and the exceptions, reports a check run and
// records the evaluation.
type Runner struct {
	Store       store.Store
	Publisher   *Publisher
	Scanners    []scanner.Scanner
	HTTPClient  *http.Client
	WorkDir     string
	ScanTimeout time.Duration
	Limits      tarball.Limits
	Policies    PolicySource
	// FullScansOnly turns diff-scoped pull request scans off: every scan
	// downloads and scans the whole tree.
	FullScansOnly bool
	// Aging, Exceptions and Recorder are the pipeline's collaborators (see
	// their types); each is optional.
	Aging      AgingSource
	Exceptions ExceptionSource
	Recorder   Recorder
	LockTTL    time.Duration
	Poll       time.Duration
}

// source produces an evaluation's findings, classified against the
// baseline: the app's scanners (builtin) or an uploaded log (uploaded).
type source interface {
	findings(ctx context.Context, gh *github.Client, t Target, files []ChangedFile) (Report, error)
}

// Run scans t with the app's scanners and completes its check run. It
// returns an error only when the job should be retried: scan failures are
// reported on the check run (fail closed) and end the job.
func (r *Runner) Run(ctx context.Context, gh *github.Client, t Target) error {
	return r.run(ctx, gh, t, builtin{r})
}

// run is the pipeline, the same for every source.
func (r *Runner) run(ctx context.Context, gh *github.Client, t Target, src source) error {
	t, ok, err := r.resolve(ctx, gh, t)
	if err != nil || !ok {
		return err
	}
	release, err := r.lock(ctx, t)
	if err != nil {
		return err
	}
	defer release()
	pub := r.publisher(t)
	rec, err := pub.Start(ctx, gh, t)
	if err != nil {
		return err
	}
	log := zerolog.Ctx(ctx)
	log.Info().Int64("check_run_id", rec.ID).Msg("Scan started")
	scanCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := r.watch(scanCtx, cancel, pub, t, rec)
	report, scanErr := r.evaluate(scanCtx, gh, t, src)
	stop()
	out, superseded, err := r.outcome(ctx, t, report, scanErr, context.Cause(scanCtx))
	if err != nil {
		return err
	}
	log.Info().Str("conclusion", out.Conclusion).Str("title", out.Title).Int("findings", len(report.Findings)).Msg("Scan finished")
	if err := pub.Complete(context.WithoutCancel(ctx), gh, rec, out); err != nil {
		return err
	}
	if !superseded && r.Recorder != nil {
		r.Recorder.Record(context.WithoutCancel(ctx), evaluation(t, report, scanErr))
	}
	return nil
}

// lock records t's head as the latest of its scope and takes the scope's
// lock; another evaluation holding it makes the job retry shortly.
func (r *Runner) lock(ctx context.Context, t Target) (release func(), err error) {
	if err := r.Store.Put(ctx, keyLatest+t.scope(), []byte(t.HeadSHA), latestTTL); err != nil {
		return nil, fmt.Errorf("recording latest head: %w", err)
	}
	lockKey := keyLock + t.scope()
	ok, err := r.Store.Acquire(ctx, lockKey, t.JobKey, r.lockTTL())
	if err != nil {
		return nil, fmt.Errorf("taking scan lock: %w", err)
	}
	if !ok {
		return nil, retry.Busy(fmt.Errorf("another scan of %s is running", t.scope()), busyDelay)
	}
	return func() { _ = r.Store.Release(context.WithoutCancel(ctx), lockKey, t.JobKey) }, nil
}

// publisher reports t's check run: an uploaded category has its own
// ("<check name> / <category>").
func (r *Runner) publisher(t Target) *Publisher {
	if t.Category == "" {
		return r.Publisher
	}
	pub := *r.Publisher
	pub.Name = r.Publisher.Name + " / " + t.Category
	return &pub
}

// outcome decides what the check run says. It returns an error when the
// scan was interrupted by shutdown or a lost lease: the job goes back to the
// queue and its next attempt reuses the check run.
func (r *Runner) outcome(ctx context.Context, t Target, report Report, scanErr, cause error) (out Output, superseded bool, err error) {
	latest, err := r.Store.Get(context.WithoutCancel(ctx), keyLatest+t.scope())
	if (err == nil && string(latest) != t.HeadSHA) || errors.Is(cause, errSuperseded) {
		return RenderSuperseded(string(latest)), true, nil
	}
	switch {
	case ctx.Err() != nil:
		return Output{}, false, fmt.Errorf("scan interrupted: %w", ctx.Err())
	case errors.Is(cause, errLockLost):
		return Output{}, false, retry.After(errLockLost, busyDelay)
	case scanErr != nil:
		zerolog.Ctx(ctx).Warn().Err(scanErr).Msg("Scan failed; failing closed")
		return RenderFailure(scanErr.Error()), false, nil
	}
	return Render(report), false, nil
}

// watch keeps the lock and the check run record alive and cancels the scan
// when a newer head arrives or the lock is lost.
func (r *Runner) watch(ctx context.Context, cancel context.CancelCauseFunc, pub *Publisher, t Target, rec *RunRecord) (stop func()) {
	done := make(chan struct{})
	go func() {
		poll := r.Poll
		if poll <= 0 {
			poll = DefaultPoll
		}
		tick := time.NewTicker(poll)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if cause := r.check(ctx, pub, t, rec); cause != nil {
					cancel(cause)
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

func (r *Runner) check(ctx context.Context, pub *Publisher, t Target, rec *RunRecord) error {
	if ok, err := r.Store.Refresh(ctx, keyLock+t.scope(), t.JobKey, r.lockTTL()); err == nil && !ok {
		return errLockLost
	}
	if latest, err := r.Store.Get(ctx, keyLatest+t.scope()); err == nil && string(latest) != t.HeadSHA {
		return errSuperseded
	}
	if err := pub.Heartbeat(ctx, rec); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Check run heartbeat failed")
	}
	return nil
}

func (r *Runner) lockTTL() time.Duration {
	if r.LockTTL <= 0 {
		return DefaultLockTTL
	}
	return r.LockTTL
}

// withCause names the scan timeout instead of a bare "context deadline exceeded".
func withCause(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errScanTimeout) {
		return fmt.Errorf("%w: %v", errScanTimeout, err)
	}
	return err
}
