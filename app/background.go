package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/handlers"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/scanner"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Intervals of the periodic tasks.
const (
	reconcileEvery = 6 * time.Hour
	teamsEvery     = 24 * time.Hour
)

// background holds the app's periodic work: the check run watchdog,
// inventory reconciliation, paced baseline scans and webhook redelivery.
type background struct {
	baseline    bool
	scanners    []scanner.Scanner
	gh          *gitHub
	inventory   *onboard.Inventory
	planner     *onboard.Planner
	redeliverer *onboard.Redeliverer
	watchdog    *checks.Watchdog
	expiry      *handlers.ExceptionExpiry
}

func newBackground(cfg *config.Config, st store.Store, gh *gitHub, p pipeline) *background {
	return &background{
		baseline:  cfg.BaselineScans,
		scanners:  p.runner.Scanners,
		gh:        gh,
		inventory: p.inventory,
		watchdog:  p.watchdog,
		planner: &onboard.Planner{KV: st, Enqueue: func(ctx context.Context, repo onboard.Repo) error {
			payload, err := json.Marshal(repo)
			if err != nil {
				return fmt.Errorf("encoding baseline job: %w", err)
			}
			_, err = jobs.EnqueueInternal(ctx, st, handlers.EventBaseline, onboard.BaselineDedupKey(repo), payload)
			return err
		}},
		redeliverer: &onboard.Redeliverer{AppClient: gh.NewAppClient, KV: st},
		expiry:      &handlers.ExceptionExpiry{Queue: st, Exceptions: p.exceptions, Owner: consumerName()},
	}
}

// tasks are run each in its own goroutine until the app stops.
func (b *background) tasks() []func(context.Context) {
	tasks := []func(context.Context){
		b.watchdog.Run,
		func(ctx context.Context) {
			logFailure(ctx, "Redelivery", b.redeliverer.Run(ctx, onboard.DefaultRedeliveryInterval))
		},
		every(reconcileEvery, "Inventory reconciliation", func(ctx context.Context) error {
			app, err := b.gh.NewAppClient()
			if err != nil {
				return err
			}
			diff, err := b.inventory.ReconcileAll(ctx, app, b.gh.NewInstallationClient)
			if len(diff.Added) > 0 {
				b.planner.Wake()
			}
			return err
		}),
		every(teamsEvery, "Team sync", func(ctx context.Context) error {
			return b.inventory.SyncAllTeams(ctx, b.gh.NewInstallationClient)
		}),
		every(handlers.ExpiryInterval, "Exception expiry", b.expiry.Run),
	}
	if b.baseline {
		tasks = append(tasks, func(ctx context.Context) { logFailure(ctx, "Baseline planner", b.planner.Run(ctx)) })
	}
	return tasks
}

// every runs fn now and then every interval until ctx ends.
func every(interval time.Duration, what string, fn func(context.Context) error) func(context.Context) {
	return func(ctx context.Context) {
		for {
			logFailure(ctx, what, fn(ctx))
			select {
			case <-ctx.Done():
				return
			case <-time.After(interval):
			}
		}
	}
}

func logFailure(ctx context.Context, what string, err error) {
	if err != nil && ctx.Err() == nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg(what + " failed; it runs again later")
	}
}
