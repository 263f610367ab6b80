package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/policy"
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

// Runner runs one scan per pull request (or ref) at a time and reports it as
// a check run; a newer head supersedes an older scan in progress.
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
	// Aging, when set, returns the repository's open findings with their
	// first-seen dates, for the gate's aging conditions.
	Aging AgingSource
	// Exceptions, when set, returns the exceptions recorded for the
	// repository; the policy decides which apply.
	Exceptions func(ctx context.Context, t Target) ([]policy.Exception, error)
	// Observe, when set, hears of every scan that completed its check run
	// (not superseded, not interrupted): scanErr is why it failed, if it did.
	Observe func(ctx context.Context, t Target, rep Report, scanErr error)
	LockTTL time.Duration
	Poll    time.Duration
}

// Run scans t and completes its check run. It returns an error only when the
// job should be retried: scan failures are reported on the check run (fail
// closed) and end the job.
func (r *Runner) Run(ctx context.Context, gh *github.Client, t Target) error {
	log := zerolog.Ctx(ctx)
	if t.PullRequest != 0 {
		pr, err := r.current(ctx, gh, t)
		if err != nil || pr == nil {
			return err
		}
		t.BaseSHA, t.BaseRef = pr.GetBase().GetSHA(), pr.GetBase().GetRef()
	}
	if err := r.Store.Put(ctx, keyLatest+t.scope(), []byte(t.HeadSHA), latestTTL); err != nil {
		return fmt.Errorf("recording latest head: %w", err)
	}
	lockKey := keyLock + t.scope()
	ok, err := r.Store.Acquire(ctx, lockKey, t.JobKey, r.lockTTL())
	if err != nil {
		return fmt.Errorf("taking scan lock: %w", err)
	}
	if !ok {
		return retry.Busy(fmt.Errorf("another scan of %s is running", t.scope()), busyDelay)
	}
	defer func() { _ = r.Store.Release(context.WithoutCancel(ctx), lockKey, t.JobKey) }()

	rec, err := r.Publisher.Start(ctx, gh, t)
	if err != nil {
		return err
	}
	log.Info().Int64("check_run_id", rec.ID).Msg("Scan started")
	scanCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := r.watch(scanCtx, cancel, t, rec)
	report, scanErr := r.scan(scanCtx, gh, t)
	stop()
	out, superseded, err := r.outcome(ctx, t, report, scanErr, context.Cause(scanCtx))
	if err != nil {
		return err
	}
	log.Info().Str("conclusion", out.Conclusion).Str("title", out.Title).Int("findings", len(report.Findings)).Msg("Scan finished")
	if err := r.Publisher.Complete(context.WithoutCancel(ctx), gh, rec, out); err != nil {
		return err
	}
	if !superseded && r.Observe != nil {
		r.Observe(context.WithoutCancel(ctx), t, report, scanErr)
	}
	return nil
}

// current returns the pull request when the event's head is still its head
// and it is open; nil otherwise (its newer commit is scanned by its own
// event). The base SHA comes from here, not from the payload.
func (r *Runner) current(ctx context.Context, gh *github.Client, t Target) (*github.PullRequest, error) {
	pr, _, err := gh.PullRequests.Get(ctx, t.Owner, t.Repo, t.PullRequest)
	if err != nil {
		return nil, fmt.Errorf("getting pull request #%d: %w", t.PullRequest, err)
	}
	log := zerolog.Ctx(ctx)
	switch {
	case pr.GetState() != "open":
		log.Info().Msg("Pull request is closed; not scanning")
		return nil, nil
	case pr.GetHead().GetSHA() != t.HeadSHA:
		log.Info().Str("current_head", pr.GetHead().GetSHA()).Msg("Event is for an outdated head; not scanning")
		return nil, nil
	}
	return pr, nil
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
func (r *Runner) watch(ctx context.Context, cancel context.CancelCauseFunc, t Target, rec *RunRecord) (stop func()) {
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
				if cause := r.check(ctx, t, rec); cause != nil {
					cancel(cause)
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

func (r *Runner) check(ctx context.Context, t Target, rec *RunRecord) error {
	if ok, err := r.Store.Refresh(ctx, keyLock+t.scope(), t.JobKey, r.lockTTL()); err == nil && !ok {
		return errLockLost
	}
	if latest, err := r.Store.Get(ctx, keyLatest+t.scope()); err == nil && string(latest) != t.HeadSHA {
		return errSuperseded
	}
	if err := r.Publisher.Heartbeat(ctx, rec); err != nil {
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
