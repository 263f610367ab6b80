package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/ghclient"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Planner hands every active repository that was not scanned since it was
// (last) covered to Enqueue for a baseline scan of its default branch, at a pace (Budget) that keeps
// each installation well inside GitHub's limits. Its state lives in the
// store, so a restarted planner, or one on another replica, continues
// where the last stopped: each installation's token bucket is persisted,
// and each repository is marked before and after Enqueue, so no planner
// enqueues a repository twice.
//
// Only a process dying between Enqueue and the mark after it leaves a
// repository whose enqueueing is uncertain; after ClaimTimeout it is
// enqueued again, which Enqueue must make harmless by enqueueing with
// store.Job.DedupKey = BaselineDedupKey(repo) and a dedup TTL of at least
// twice ClaimTimeout.
type Planner struct {
	// KV holds the inventory and the planner's state (required).
	KV store.KV
	// Enqueue queues a baseline scan of repo's default branch (required).
	// repo.DefaultBranch may be empty when no event or Reconcile told it;
	// the scan then resolves the default branch itself. The scan must end
	// with Inventory.RecordScan, which completes the baseline.
	Enqueue func(ctx context.Context, repo Repo) error
	// Budget is the pace (zero fields take defaults).
	Budget Budget
	// Policy, when set, excludes repositories from baseline scans.
	Policy Policy
	// Clock is the time source (default the system clock).
	Clock ghclient.Clock
	// IdleInterval is how soon Run looks again when nothing is due
	// (default DefaultIdleInterval); MinTickInterval the shortest pause
	// between ticks (default DefaultMinTickInterval).
	IdleInterval, MinTickInterval time.Duration
	// ClaimTimeout is how long a claim blocks other planners (default
	// DefaultClaimTimeout).
	ClaimTimeout time.Duration

	wakeOnce sync.Once
	wake     chan struct{}
}

// Wake makes Run tick now instead of at its next due time: call it when
// repositories were just added (an installation, a reconcile). It never
// blocks.
func (p *Planner) Wake() {
	select {
	case p.wakeCh() <- struct{}{}:
	default:
	}
}

func (p *Planner) wakeCh() chan struct{} {
	p.wakeOnce.Do(func() { p.wake = make(chan struct{}, 1) })
	return p.wake
}

// sleep waits for d on clock, or until Wake is called; it returns ctx's
// error when ctx ends.
func (p *Planner) sleep(ctx context.Context, clock ghclient.Clock, d time.Duration) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-p.wakeCh():
			cancel()
		case <-sctx.Done():
		}
	}()
	_ = clock.Sleep(sctx, d)
	return ctx.Err()
}

// TickResult is what one tick did.
type TickResult struct {
	// Enqueued are the repositories handed to Enqueue.
	Enqueued []Repo
	// Next is when the next tick has something to do (a token becomes due,
	// or the idle interval passed).
	Next time.Time
}

// BaselineDedupKey is the store.Job.DedupKey that Enqueue should give a
// baseline scan of repo.
func BaselineDedupKey(repo Repo) string { return "baseline:" + strconv.FormatInt(repo.ID, 10) }

func (p *Planner) now() time.Time {
	if p.Clock == nil {
		return time.Now().UTC()
	}
	return p.Clock.Now().UTC()
}

func (p *Planner) claimTimeout() time.Duration { return orDefault(p.ClaimTimeout, DefaultClaimTimeout) }

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Tick enqueues, for every installation that is not suspended, as many
// baseline scans as its bucket and in-flight bound allow now. Errors of
// one installation do not stop the others; they are joined.
func (p *Planner) Tick(ctx context.Context) (TickResult, error) {
	pace, err := p.Budget.Pace()
	if err != nil {
		return TickResult{}, err
	}
	if p.Enqueue == nil {
		return TickResult{}, errors.New("onboard: Planner.Enqueue is not set")
	}
	s, err := p.load(ctx)
	if err != nil {
		return TickResult{}, fmt.Errorf("planning baseline scans: %w", err)
	}
	now := p.now()
	res := TickResult{Next: now.Add(orDefault(p.IdleInterval, DefaultIdleInterval))}
	plans := p.plans(s, pace, now)
	ids := make([]int64, 0, len(plans))
	for id := range plans {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var errs []error
	for _, id := range ids {
		pl := plans[id]
		if pl.inst.Suspended || len(pl.candidates) == 0 {
			continue
		}
		done, next, err := p.tickInstallation(ctx, pl, pace, now)
		res.Enqueued = append(res.Enqueued, done...)
		if err != nil {
			errs = append(errs, fmt.Errorf("installation %d: %w", id, err))
		}
		if next.Before(res.Next) {
			res.Next = next
		}
	}
	return res, errors.Join(errs...)
}

// tickInstallation enqueues what one installation's pace allows and
// returns when it can take more.
func (p *Planner) tickInstallation(ctx context.Context, pl *instPlan, pace Pace, now time.Time) ([]Repo, time.Time, error) {
	idle := now.Add(orDefault(p.IdleInterval, DefaultIdleInterval))
	want := min(len(pl.candidates), pace.MaxInFlight-pl.inFlight)
	if want <= 0 {
		return nil, idle, nil // wait for results
	}
	got, next, err := pace.reserve(ctx, p.KV, pl.inst.ID, want, now)
	if err != nil {
		return nil, idle, err
	}
	var done []Repo
	for _, r := range pl.candidates {
		if len(done) == got {
			break
		}
		ok, err := p.enqueue(ctx, r, now)
		if ok {
			done = append(done, r)
		}
		if err != nil {
			return done, idle, errors.Join(err, pace.refund(ctx, p.KV, pl.inst.ID, got-len(done)))
		}
	}
	if err := pace.refund(ctx, p.KV, pl.inst.ID, got-len(done)); err != nil {
		return done, idle, err
	}
	if len(done) == len(pl.candidates) || pl.inFlight+len(done) >= pace.MaxInFlight {
		return done, idle, nil
	}
	return done, next, nil
}

// enqueue claims r, hands it to Enqueue and marks it enqueued. It reports
// false when another planner holds r.
func (p *Planner) enqueue(ctx context.Context, r Repo, now time.Time) (bool, error) {
	claimed, err := p.claim(ctx, r, now)
	if err != nil || !claimed {
		return false, err
	}
	key := idKey(keyMark, r.ID)
	if err := p.Enqueue(ctx, r); err != nil {
		if derr := p.KV.Delete(ctx, key); derr != nil {
			err = errors.Join(err, fmt.Errorf("releasing %s: %w", key, derr))
		}
		return false, fmt.Errorf("enqueueing baseline scan of %s: %w", r.FullName, err)
	}
	err = putJSON(ctx, p.KV, key, mark{State: markEnqueued, At: now, InstallationID: r.InstallationID}, 0)
	return true, err
}

// claim takes r's mark: a new one, a claim older than ClaimTimeout (its
// planner died), or a mark from before r was last covered. It reports
// whether this planner holds it.
func (p *Planner) claim(ctx context.Context, r Repo, now time.Time) (bool, error) {
	key := idKey(keyMark, r.ID)
	next, err := json.Marshal(mark{State: markClaimed, At: now, InstallationID: r.InstallationID})
	if err != nil {
		return false, fmt.Errorf("encoding %s: %w", key, err)
	}
	ok, err := p.KV.PutIfAbsent(ctx, key, next, 0)
	if err != nil || ok {
		return ok, wrapf(err, "claiming %s", key)
	}
	cur, err := p.KV.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // released meanwhile; the next tick retries
	}
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", key, err)
	}
	var m mark
	if err := json.Unmarshal(cur, &m); err != nil {
		return false, fmt.Errorf("decoding %s: %w", key, err)
	}
	abandoned := m.State == markClaimed && now.Sub(m.At) > p.claimTimeout()
	if !abandoned && !m.At.Before(r.AddedAt) {
		return false, nil
	}
	swapped, err := p.KV.CompareAndSwap(ctx, key, cur, next, 0)
	return swapped, wrapf(err, "claiming %s", key)
}

// ResetBaseline forgets that the repository's baseline scan was enqueued,
// so the planner enqueues it again if it still has no scan (for an
// overdue scan whose job was lost).
func (p *Planner) ResetBaseline(ctx context.Context, repoID int64) error {
	return wrapf(p.KV.Delete(ctx, idKey(keyMark, repoID)), "resetting baseline of repository %d", repoID)
}

// Run ticks until ctx is done, sleeping until the next tick is due (never
// less than MinTickInterval). Tick errors are logged (zerolog from ctx)
// and retried at the idle interval. It returns ctx's error.
func (p *Planner) Run(ctx context.Context) error {
	clock := p.Clock
	if clock == nil {
		clock = ghclient.SystemClock{}
	}
	logger := zerolog.Ctx(ctx)
	for {
		res, err := p.Tick(ctx)
		now := p.now()
		if err != nil {
			logger.Error().Err(err).Msg("Baseline planner tick failed")
			res.Next = now.Add(orDefault(p.IdleInterval, DefaultIdleInterval))
		} else if len(res.Enqueued) > 0 {
			logger.Info().Int("enqueued", len(res.Enqueued)).Msg("Baseline scans enqueued")
		}
		wait := max(res.Next.Sub(now), orDefault(p.MinTickInterval, DefaultMinTickInterval))
		if err := p.sleep(ctx, clock, wait); err != nil {
			return err
		}
	}
}
