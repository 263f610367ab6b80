package onboard_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/onboard"
)

// TestInstallationLifecycle: suspension makes the installation's
// repositories "app lost access" and pauses its baseline; uninstalling
// takes them out of scope.
func TestInstallationLifecycle(t *testing.T) {
	ctx := t.Context()
	o := newOrg(t, 2)
	clk := newClock()
	kv := memStore(t)
	inv := &onboard.Inventory{KV: kv, Clock: clk}
	event := func(action string) {
		t.Helper()
		_, err := inv.ApplyInstallationEvent(ctx, decode[github.InstallationEvent](t, o.gh.InstallationEvent(o.inst, action, "octocat")))
		must(t, err)
	}
	event("created")
	o.gh.SetSuspended(o.inst.ID, true)
	event("suspend")
	rep, err := inv.CoverageReport(ctx, 0, nil)
	must(t, err)
	if rep.Total.Uncovered[onboard.ReasonLostAccess] != 2 || rep.Total.Active != 0 {
		t.Errorf("suspended: %+v, want 2 lost access, none active", rep.Total)
	}
	l := newLedger(clk, kv)
	p := &onboard.Planner{KV: kv, Enqueue: l.enqueue, Clock: clk}
	_, err = p.Tick(ctx)
	must(t, err)
	if pr := progressOf(t, p, o.inst.ID); l.count() != 0 || !pr.Suspended || pr.Pending != 2 {
		t.Errorf("suspended: %d enqueued, progress %+v", l.count(), pr)
	}
	o.gh.SetSuspended(o.inst.ID, false)
	event("unsuspend")
	_, err = p.Tick(ctx)
	must(t, err)
	if l.count() != 2 {
		t.Errorf("unsuspended: %d enqueued, want 2", l.count())
	}
	event("deleted")
	rep, err = inv.CoverageReport(ctx, 0, nil)
	must(t, err)
	if len(rep.Uncovered)+rep.Total.Active+len(rep.Organizations) != 0 {
		t.Errorf("uninstalled: report %+v, want nothing", rep)
	}
	if all, _ := p.Progress(ctx); len(all) != 0 {
		t.Errorf("uninstalled: progress %+v, want none", all)
	}
}

// TestReconcileAll: installations listed by GET /app/installations are
// recorded and reconciled; one the inventory knows but GitHub no longer
// lists is uninstalled; a suspended one is not reconciled.
func TestReconcileAll(t *testing.T) {
	ctx := t.Context()
	o := newOrg(t, 2)
	beta := o.gh.AddInstallation(fakegithub.InstallationSpec{Account: "beta", Selected: true})
	o.gh.AddRepo(fakegithub.RepoSpec{Owner: "beta", Name: "tool", InstallationID: beta.ID})
	paused := o.gh.AddInstallation(fakegithub.InstallationSpec{Account: "paused"})
	o.gh.SetSuspended(paused.ID, true)
	inv := &onboard.Inventory{KV: memStore(t), Clock: newClock()}
	seedInventory(t, inv, 99, 1) // an installation GitHub no longer lists

	d, err := inv.ReconcileAll(ctx, appClient(t, o.gh), func(id int64) (*github.Client, error) {
		if id == paused.ID {
			return nil, errors.New("no token for a suspended installation")
		}
		return o.gh.InstallationClient(id), nil
	})
	must(t, err)
	expect(t, "ReconcileAll", d, diffNames{added: []string{"acme/repo-000", "acme/repo-001", "beta/tool"},
		removed: []string{"acme/repo-000"}}) // the seeded installation's acme/repo-000 is another repository
	for id, want := range map[int64]onboard.Installation{
		o.inst.ID: {Account: "acme", AccountType: "Organization", RepositorySelection: "all"},
		beta.ID:   {Account: "beta", AccountType: "Organization", RepositorySelection: "selected"},
		paused.ID: {Account: "paused", Suspended: true, RepositorySelection: "all", AccountType: "Organization"},
		99:        {Account: "acme", Deleted: true, RepositorySelection: "all", AccountType: "Organization"},
	} {
		got, found, err := inv.Installation(ctx, id)
		must(t, err)
		if !found || got.Account != want.Account || got.AccountType != want.AccountType || got.Suspended != want.Suspended ||
			got.Deleted != want.Deleted || got.RepositorySelection != want.RepositorySelection {
			t.Errorf("installation %d: %+v, want %+v", id, got, want)
		}
	}
}

// TestConcurrentPlanners: two planners (two replicas) ticking at once over
// one store never enqueue a repository twice, and share one budget.
func TestConcurrentPlanners(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		clk := newClock()
		kv := b.reopen(t)
		seedInventory(t, &onboard.Inventory{KV: kv, Clock: clk}, 7, 40)
		l := newLedger(clk, kv)
		planners := []*onboard.Planner{
			{KV: kv, Enqueue: l.enqueue, Clock: clk}, {KV: kv, Enqueue: l.enqueue, Clock: clk},
		}
		for round := 0; l.count() < 40 && round < 1000; round++ {
			var wg sync.WaitGroup
			for _, p := range planners {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := p.Tick(context.Background()); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			clk.Advance(5 * time.Second)
		}
		if l.count() != 40 {
			t.Fatalf("%d enqueued, want 40", l.count())
		}
		l.check(t, onboard.Budget{}.WithDefaults())
	})
}

// TestPlannerRun: Run sleeps between ticks on its clock and stops with
// its context.
func TestPlannerRun(t *testing.T) {
	clk := newClock()
	kv := memStore(t)
	seedInventory(t, &onboard.Inventory{KV: kv, Clock: clk}, 7, 30)
	l := newLedger(clk, kv)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	clk.onSleep = func() {
		if l.count() == 30 {
			cancel()
		}
	}
	p := &onboard.Planner{KV: kv, Enqueue: l.enqueue, Clock: clk}
	if err := p.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	l.check(t, onboard.Budget{}.WithDefaults())
	if l.count() != 30 {
		t.Errorf("%d enqueued, want 30", l.count())
	}
}
