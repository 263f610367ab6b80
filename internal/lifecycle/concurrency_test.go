package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/store"
)

const racers = 8

// race records, from racers goroutines spread over two replicas, one
// pull-request scan each (finding "shared", finding "pre" and a finding of
// its own), all at the same time so that none is stale for another, while
// another goroutine sets a decision on "pre". It returns
// the final records by fingerprint.
func race(t *testing.T, trackers [2]*Tracker) map[string]Record {
	t.Helper()
	ctx := t.Context()
	try(trackers[0].Record(ctx, mkScan("s0", t0, []findings.Finding{leak("pre", high)}))).must(t)
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, racers+1)
	for i := range racers {
		wg.Go(func() {
			<-start
			fs := []findings.Finding{leak("shared", high), leak("pre", high), leak(fmt.Sprint("own-", i), high)}
			if _, err := trackers[i%2].Record(ctx, mkScan(fmt.Sprint("s", i+1), hours(1), fs, onPR)); err != nil {
				errs <- err
			}
		})
	}
	wg.Go(func() {
		<-start
		if _, err := trackers[1].SetDecision(ctx, repo, "pre", StatusInProgress, UserActor("bob"), Evidence{}); err != nil {
			errs <- err
		}
	})
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("racing goroutine: %v", err)
	}
	recs := map[string]Record{}
	for _, r := range try(trackers[0].List(ctx, repo, Filter{})).must(t) {
		recs[r.Fingerprint] = r
	}
	return recs
}

// checkNoLostUpdate checks what every racer and the decision wrote is
// there, whatever the interleaving.
func checkNoLostUpdate(t *testing.T, kv store.KV, recs map[string]Record) {
	t.Helper()
	if len(recs) != racers+2 {
		t.Fatalf("%d records, want %d", len(recs), racers+2)
	}
	for i := range racers {
		if rec, ok := recs[fmt.Sprint("own-", i)]; !ok || rec.Status != StatusCreated || rec.Sightings != 1 {
			t.Errorf("own-%d: %+v", i, rec)
		}
	}
	if pre := recs["pre"]; pre.Status != StatusInProgress {
		t.Errorf("the decision on pre was lost: %+v", pre)
	}
	var m meta
	if err := json.Unmarshal(try(kv.Get(t.Context(), MetaPrefix+repo)).must(t), &m); err != nil {
		t.Fatal(err)
	}
	slices.Sort(m.AppliedScans)
	want := []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"}
	if !slices.Equal(m.AppliedScans, want) || m.Version != racers+1 {
		t.Errorf("meta = %+v, want version %d and scans %v", m, racers+1, want)
	}
}

// TestTrackerConcurrentScans: with the lock, scans are serialised exactly:
// every sighting is counted once.
func TestTrackerConcurrentScans(t *testing.T) {
	eachBackend(t, func(t *testing.T, r [2]store.Store) {
		recs := race(t, [2]*Tracker{{KV: r[0], Locker: r[0]}, {KV: r[1], Locker: r[1]}})
		checkNoLostUpdate(t, r[0], recs)
		if s := recs["shared"]; s.Sightings != racers || s.Status != StatusIdentified || len(s.History) != 2 {
			t.Errorf("shared: %d sightings, %s, %d entries", s.Sightings, s.Status, len(s.History))
		}
		if p := recs["pre"]; p.Sightings != racers+1 {
			t.Errorf("pre: %d sightings, want %d", p.Sightings, racers+1)
		}
	})
}

// noLock is a Locker that excludes nobody, as if every holder outlived
// its lock: only CompareAndSwap stands between the writers.
type noLock struct{}

func (noLock) Acquire(context.Context, string, string, time.Duration) (bool, error) { return true, nil }
func (noLock) Refresh(context.Context, string, string, time.Duration) (bool, error) { return true, nil }
func (noLock) Release(context.Context, string, string) error                        { return nil }

// TestTrackerOverlappingWritersLoseNoUpdate: even without exclusion,
// CompareAndSwap keeps every record, decision and applied scan.
func TestTrackerOverlappingWritersLoseNoUpdate(t *testing.T) {
	eachBackend(t, func(t *testing.T, r [2]store.Store) {
		recs := race(t, [2]*Tracker{{KV: r[0], Locker: noLock{}}, {KV: r[1], Locker: noLock{}}})
		checkNoLostUpdate(t, r[0], recs)
		if s := recs["shared"]; s.Sightings < racers {
			t.Errorf("shared: %d sightings, want at least %d", s.Sightings, racers)
		}
	})
}

// expiring is a Locker whose first Refresh reports the lock lost.
type expiring struct {
	store.Locker
	refreshed, acquired atomic.Int32
}

func (e *expiring) Acquire(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	e.acquired.Add(1)
	return e.Locker.Acquire(ctx, key, owner, ttl)
}

func (e *expiring) Refresh(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if e.refreshed.Add(1) == 1 {
		return false, nil
	}
	return e.Locker.Refresh(ctx, key, owner, ttl)
}

// TestTrackerRetakesAnExpiredLock: a holder that finds its lock gone
// before committing takes it again and starts over on fresh data.
func TestTrackerRetakesAnExpiredLock(t *testing.T) {
	eachBackend(t, func(t *testing.T, r [2]store.Store) {
		lock := &expiring{Locker: r[0]}
		tr := &Tracker{KV: r[0], Locker: lock}
		changes := try(tr.Record(t.Context(), mkScan("s1", t0, []findings.Finding{leak("a", high)}))).must(t)
		if len(changes) != 1 || lock.acquired.Load() != 2 || lock.refreshed.Load() != 2 {
			t.Fatalf("changes %v, %d acquisitions, %d refreshes", changes, lock.acquired.Load(), lock.refreshed.Load())
		}
		// The lock was released when Record returned: another owner gets it.
		if ok := try(r[1].Acquire(t.Context(), LockPrefix+repo, "other", time.Minute)).must(t); !ok {
			t.Fatal("Record kept the repository's lock")
		}
	})
}
