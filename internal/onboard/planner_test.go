package onboard_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/store"
)

// tight is a budget that makes the hourly limit bind: 60 requests a scan
// leave 41 scans an hour.
var tight = onboard.Budget{RequestsPerScan: 60, ContentPerScan: 4, Share: 0.5, Burst: 10}

func TestBudgetPace(t *testing.T) {
	def, err := onboard.Budget{}.Pace()
	must(t, err)
	// 2,500 requests / 6 = 416 scans an hour, 40 content / 2 = 20 scans a
	// minute: 10 at once, then 406 an hour.
	if def.Burst != onboard.DefaultBurst || def.MaxInFlight != 50 || def.ScansPerHour() < 405 || def.ScansPerHour() > 407 {
		t.Errorf("default pace %+v (%.1f scans/hour)", def, def.ScansPerHour())
	}
	p, err := tight.Pace()
	must(t, err)
	if p.Burst != 5 || p.ScansPerHour() > 36.7 || p.ScansPerHour() < 36 {
		t.Errorf("tight pace %+v (%.1f scans/hour), want burst 5 (half of 10 a minute), 36.6 an hour", p, p.ScansPerHour())
	}
	for _, bad := range []onboard.Budget{
		{RequestsPerScan: 3000}, {Share: 1.5}, {Share: -1}, {RequestsPerScan: 2, ContentPerScan: 3},
	} {
		if _, err := bad.Pace(); err == nil {
			t.Errorf("Budget %+v: want an error", bad)
		}
	}
}

// TestPlannerPacesTightBudget: with a budget where the hourly limit binds,
// 120 baseline scans take about three hours and no minute or hour window
// exceeds the budget.
func TestPlannerPacesTightBudget(t *testing.T) {
	clk := newClock()
	kv := memStore(t)
	inv := &onboard.Inventory{KV: kv, Clock: clk}
	seedInventory(t, inv, 7, 120)
	l := newLedger(clk, kv)
	p := &onboard.Planner{KV: kv, Enqueue: l.enqueue, Budget: tight, Clock: clk}
	drive(t, p, clk, 0, func() bool { return l.count() == 120 })
	l.check(t, tight)
	pace, _ := tight.Pace()
	if want := t0.Add(time.Duration(120-pace.Burst) * pace.Interval); clk.Now().After(want) {
		t.Errorf("finished at %s, want by %s", clk.Now(), want)
	}
	if pr := progressOf(t, p, 7); pr.Done != 120 || pr.Pending+pr.InFlight+pr.Overdue != 0 || pr.Total != 120 {
		t.Errorf("progress %+v", pr)
	}
}

// TestPlannerBoundsInFlight: scans without results hold the planner at
// MaxInFlight; once overdue they stop counting, and ResetBaseline
// re-enqueues one.
func TestPlannerBoundsInFlight(t *testing.T) {
	clk := newClock()
	kv := memStore(t)
	seedInventory(t, &onboard.Inventory{KV: kv, Clock: clk}, 7, 60)
	l := newLedger(clk, nil) // results never arrive
	b := onboard.Budget{MaxInFlight: 20, InFlightTimeout: time.Hour}
	p := &onboard.Planner{KV: kv, Enqueue: l.enqueue, Budget: b, Clock: clk}
	for clk.Now().Before(t0.Add(50 * time.Minute)) {
		res, err := p.Tick(t.Context())
		must(t, err)
		clk.Set(maxTime(res.Next, clk.Now().Add(time.Second)))
	}
	if n := l.count(); n != 20 {
		t.Fatalf("%d enqueued with no results, want MaxInFlight 20", n)
	}
	if pr := progressOf(t, p, 7); pr.InFlight != 20 || pr.Pending != 40 || pr.Done != 0 {
		t.Errorf("progress %+v, want 20 in flight, 40 pending", pr)
	}
	clk.Set(t0.Add(62 * time.Minute)) // all 20 are overdue now
	drive(t, p, clk, 0, func() bool { return l.count() == 40 })
	if pr := progressOf(t, p, 7); pr.Overdue != 20 || pr.InFlight != 20 || pr.Pending != 20 {
		t.Errorf("after the in-flight timeout: progress %+v; want 20 overdue, 20 in flight, 20 pending", pr)
	}
	var overdue int64
	for id, at := range l.at {
		if at.Equal(t0) {
			overdue = id
		}
	}
	must(t, p.ResetBaseline(t.Context(), overdue))
	if pr := progressOf(t, p, 7); pr.Overdue != 19 || pr.Pending != 21 {
		t.Errorf("after ResetBaseline: %+v", pr)
	}
}

// TestPlannerRetriesFailedEnqueue: an Enqueue error releases the claim; the
// repository is enqueued on a later tick, once.
func TestPlannerRetriesFailedEnqueue(t *testing.T) {
	clk := newClock()
	kv := memStore(t)
	repos := seedInventory(t, &onboard.Inventory{KV: kv, Clock: clk}, 7, 3)
	l := newLedger(clk, kv)
	l.failOn[repos[1].ID] = 1
	p := &onboard.Planner{KV: kv, Enqueue: l.enqueue, Clock: clk}
	if _, err := p.Tick(t.Context()); err == nil || !strings.Contains(err.Error(), "queue unavailable") {
		t.Fatalf("Tick error = %v, want the Enqueue error", err)
	}
	clk.Advance(time.Minute)
	_, err := p.Tick(t.Context())
	must(t, err)
	if l.count() != 3 {
		t.Fatalf("%d enqueued, want 3", l.count())
	}
	l.check(t, onboard.Budget{}.WithDefaults())
}

// dropConfirm is a KV that fails once to write a baseline mark as
// "enqueued": the process dying between Enqueue and its confirmation.
type dropConfirm struct {
	store.KV
	once sync.Once
}

func (d *dropConfirm) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	var fail bool
	if strings.Contains(key, ":baseline:") && strings.Contains(string(value), `"enqueued"`) {
		d.once.Do(func() { fail = true })
	}
	if fail {
		return errors.New("process died")
	}
	return d.KV.Put(ctx, key, value, ttl)
}

// TestPlannerUnconfirmedClaim: when the process dies after Enqueue but
// before the mark, the repository is enqueued again only after
// ClaimTimeout, with the same dedup key, which the queue drops.
func TestPlannerUnconfirmedClaim(t *testing.T) {
	clk := newClock()
	st := memStore(t)
	repos := seedInventory(t, &onboard.Inventory{KV: st, Clock: clk}, 7, 1)
	enqueues := 0
	enqueue := func(ctx context.Context, r onboard.Repo) error {
		enqueues++
		job := &store.Job{Kind: "baseline", DedupKey: onboard.BaselineDedupKey(r)}
		_, err := st.Enqueue(ctx, job, 2*onboard.DefaultClaimTimeout)
		return err
	}
	p := &onboard.Planner{KV: &dropConfirm{KV: st}, Enqueue: enqueue, Clock: clk}
	if _, err := p.Tick(t.Context()); err == nil {
		t.Fatal("Tick: want the failed confirmation's error")
	}
	clk.Advance(onboard.DefaultClaimTimeout)
	_, err := p.Tick(t.Context())
	must(t, err)
	if enqueues != 1 {
		t.Fatalf("enqueued %d times within the claim timeout, want 1", enqueues)
	}
	clk.Advance(time.Second)
	_, err = p.Tick(t.Context())
	must(t, err)
	stats, err := st.Stats(t.Context())
	must(t, err)
	if enqueues != 2 || stats.Ready != 1 {
		t.Fatalf("after the claim timeout: %d Enqueue calls, %d jobs queued; want 2 calls, 1 job (%s)",
			enqueues, stats.Ready, onboard.BaselineDedupKey(repos[0]))
	}
}

// TestPlannerRebaselinesRecoveredRepo: a repository removed from the
// installation and added back later is baselined again, once.
func TestPlannerRebaselinesRecoveredRepo(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	kv := memStore(t)
	inv := &onboard.Inventory{KV: kv, Clock: clk}
	repos := seedInventory(t, inv, 7, 3)
	l := newLedger(clk, kv)
	p := &onboard.Planner{KV: kv, Enqueue: l.enqueue, Clock: clk}
	_, err := p.Tick(ctx)
	must(t, err)
	ev := func(action string) *github.InstallationRepositoriesEvent {
		gr := &github.Repository{ID: github.Int64(repos[0].ID), FullName: github.String(repos[0].FullName)}
		e := &github.InstallationRepositoriesEvent{Action: github.String(action), Installation: &github.Installation{ID: github.Int64(7)}}
		if action == "added" {
			e.RepositoriesAdded = []*github.Repository{gr}
		} else {
			e.RepositoriesRemoved = []*github.Repository{gr}
		}
		return e
	}
	clk.Advance(time.Hour)
	_, err = inv.ApplyInstallationRepositoriesEvent(ctx, ev("removed"))
	must(t, err)
	clk.Advance(30 * 24 * time.Hour)
	_, err = inv.ApplyInstallationRepositoriesEvent(ctx, ev("added"))
	must(t, err)
	if pr := progressOf(t, p, 7); pr.Pending != 1 || pr.Done != 2 {
		t.Fatalf("progress after re-adding %+v, want 1 pending", pr)
	}
	for range 3 {
		_, err = p.Tick(ctx)
		must(t, err)
		clk.Advance(time.Minute)
	}
	if len(l.dups) != 1 || l.dups[0] != repos[0].ID || l.count() != 3 {
		t.Fatalf("enqueued %d, again %v; want repo %d once more", l.count(), l.dups, repos[0].ID)
	}
}
