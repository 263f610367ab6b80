package onboard_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/store"
)

// ledger is a fake Enqueue: it records when (fake clock) each repository
// was enqueued, counts duplicates, and optionally records the scan as
// finished at once.
type ledger struct {
	mu     sync.Mutex
	clk    *fakeClock
	kv     store.KV // when set, each scan is recorded as done
	at     map[int64]time.Time
	times  []time.Time
	dups   []int64
	failOn map[int64]int // repository ID -> failures left
}

func newLedger(clk *fakeClock, kv store.KV) *ledger {
	return &ledger{clk: clk, kv: kv, at: map[int64]time.Time{}, failOn: map[int64]int{}}
}

func (l *ledger) enqueue(ctx context.Context, r onboard.Repo) error {
	l.mu.Lock()
	if l.failOn[r.ID] > 0 {
		l.failOn[r.ID]--
		l.mu.Unlock()
		return fmt.Errorf("queue unavailable")
	}
	now := l.clk.Now()
	if _, dup := l.at[r.ID]; dup {
		l.dups = append(l.dups, r.ID)
	}
	l.at[r.ID] = now
	l.times = append(l.times, now)
	l.mu.Unlock()
	if l.kv == nil {
		return nil
	}
	inv := &onboard.Inventory{KV: l.kv, Clock: l.clk}
	return inv.RecordScan(ctx, r.ID, onboard.LastScan{At: now, Commit: "c0ffee", OK: true})
}

func (l *ledger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.at)
}

// check fails t on duplicates, or when any window broke the budget.
func (l *ledger) check(t *testing.T, b onboard.Budget) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.dups) > 0 {
		t.Errorf("repositories enqueued twice: %v", l.dups)
	}
	assertWithinBudget(t, l.times, b)
}

// assertWithinBudget checks every closed minute and hour window: the scans
// they hold, times the requests each costs, stay within the budget's share
// of GitHub's limits.
func assertWithinBudget(t *testing.T, times []time.Time, b onboard.Budget) {
	t.Helper()
	sorted := append([]time.Time(nil), times...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	perMinute := b.Share * onboard.MaxContentCreatingPerMinute
	perHour := b.Share * onboard.PrimaryRequestsPerHour
	for i := range sorted {
		minute, hour := 0, 0
		for j := i; j < len(sorted); j++ {
			d := sorted[j].Sub(sorted[i])
			if d <= time.Minute {
				minute++
			}
			if d <= time.Hour {
				hour++
			}
		}
		if c := float64(minute * b.ContentPerScan); c > perMinute {
			t.Fatalf("%d scans in the minute from %s: %.0f content-creating requests > budget %.0f",
				minute, sorted[i].Format(time.TimeOnly), c, perMinute)
		}
		if c := float64(hour * b.RequestsPerScan); c > perHour {
			t.Fatalf("%d scans in the hour from %s: %.0f requests > budget %.0f",
				hour, sorted[i].Format(time.TimeOnly), c, perHour)
		}
	}
}

// drive ticks p until stop says so, moving the fake clock to each tick's
// Next (at least step later); it returns the number of ticks.
func drive(t *testing.T, p *onboard.Planner, clk *fakeClock, step time.Duration, stop func() bool) int {
	t.Helper()
	for ticks := 1; ticks <= 10000; ticks++ {
		res, err := p.Tick(t.Context())
		must(t, err)
		if stop() {
			return ticks
		}
		clk.Set(maxTime(res.Next, clk.Now().Add(step)))
	}
	t.Fatalf("planner did not finish in 10000 ticks")
	return 0
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// seedInventory records an installation of n repositories "acme/repo-NNN"
// through an installation "created" event.
func seedInventory(t *testing.T, inv *onboard.Inventory, installationID int64, n int) []onboard.Repo {
	t.Helper()
	ev := &github.InstallationEvent{Action: github.String("created"), Installation: &github.Installation{
		ID: github.Int64(installationID), Account: &github.User{Login: github.String("acme"), Type: github.String("Organization")},
		RepositorySelection: github.String("all"),
	}}
	for i := range n {
		ev.Repositories = append(ev.Repositories, &github.Repository{
			ID: github.Int64(installationID*10000 + int64(i)), FullName: github.String(fmt.Sprintf("acme/repo-%03d", i)),
			Name: github.String(fmt.Sprintf("repo-%03d", i)), Private: github.Bool(true),
		})
	}
	d, err := inv.ApplyInstallationEvent(t.Context(), ev)
	must(t, err)
	if len(d.Added) != n {
		t.Fatalf("seeded %d repositories, want %d", len(d.Added), n)
	}
	return d.Added
}

// progressOf returns the installation's progress.
func progressOf(t *testing.T, p *onboard.Planner, installationID int64) onboard.InstallationProgress {
	t.Helper()
	all, err := p.Progress(t.Context())
	must(t, err)
	for _, pr := range all {
		if pr.InstallationID == installationID {
			return pr
		}
	}
	t.Fatalf("no progress for installation %d in %+v", installationID, all)
	return onboard.InstallationProgress{}
}
