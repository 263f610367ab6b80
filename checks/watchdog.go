package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/store"
)

// Watchdog defaults.
const (
	// DefaultStaleAfter is how long a check run may go without a heartbeat
	// before the watchdog completes it. It is longer than a job lease, so a
	// job reclaimed by another worker gets to resume its run first.
	DefaultStaleAfter = 10 * time.Minute
	// DefaultWatchdogInterval is how often the watchdog looks.
	DefaultWatchdogInterval = time.Minute
	watchdogLockTTL         = time.Minute
)

// Watchdog completes check runs whose job died, so that no check run is ever
// left in_progress.
type Watchdog struct {
	Store      store.Store
	Publisher  *Publisher
	Client     func(installationID int64) (*github.Client, error)
	StaleAfter time.Duration
	Interval   time.Duration
	// Owner identifies this replica in the watchdog's locks.
	Owner string
}

// Run sweeps every Interval until ctx is cancelled.
func (w *Watchdog) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultWatchdogInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if n, err := w.Sweep(ctx); err != nil {
				zerolog.Ctx(ctx).Error().Err(err).Msg("Watchdog sweep failed")
			} else if n > 0 {
				zerolog.Ctx(ctx).Warn().Int("completed", n).Msg("Watchdog completed orphaned check runs")
			}
		}
	}
}

// Sweep completes every open check run whose heartbeat is older than
// StaleAfter and reports how many it completed.
func (w *Watchdog) Sweep(ctx context.Context) (int, error) {
	stale := w.StaleAfter
	if stale <= 0 {
		stale = DefaultStaleAfter
	}
	cutoff := w.Publisher.now().Add(-stale)
	var orphans []*RunRecord
	err := w.Store.Scan(ctx, keyRunOpen, func(key string, value []byte) (bool, error) {
		var rec RunRecord
		if err := json.Unmarshal(value, &rec); err != nil {
			zerolog.Ctx(ctx).Warn().Str("key", key).Msg("Unreadable check run record dropped")
			return true, w.Store.Delete(ctx, key)
		}
		if rec.HeartbeatAt.Before(cutoff) {
			orphans = append(orphans, &rec)
		}
		return true, nil
	})
	if err != nil {
		return 0, fmt.Errorf("listing open check runs: %w", err)
	}
	done := 0
	var errs []string
	for _, rec := range orphans {
		ok, err := w.complete(ctx, rec)
		if err != nil {
			errs = append(errs, err.Error())
		}
		if ok {
			done++
		}
	}
	if len(errs) > 0 {
		return done, fmt.Errorf("completing orphaned check runs: %s", strings.Join(errs, "; "))
	}
	return done, nil
}

func (w *Watchdog) complete(ctx context.Context, rec *RunRecord) (bool, error) {
	lock := "watchdog:" + openKey(rec)
	ok, err := w.Store.Acquire(ctx, lock, w.Owner, watchdogLockTTL)
	if err != nil || !ok {
		return false, err
	}
	defer func() { _ = w.Store.Release(context.WithoutCancel(ctx), lock, w.Owner) }()
	gh, err := w.Client(rec.InstallationID)
	if err != nil {
		return false, fmt.Errorf("client for installation %d: %w", rec.InstallationID, err)
	}
	if err := w.Publisher.Complete(ctx, gh, rec, RenderInterrupted()); err != nil {
		return false, err
	}
	zerolog.Ctx(ctx).Warn().Int64("check_run_id", rec.ID).Str("repo", rec.Owner+"/"+rec.Repo).
		Msg("Completed a check run whose scan was interrupted")
	return true, nil
}
