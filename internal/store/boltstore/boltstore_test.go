package boltstore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/storetest"
)

func openTemp(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openTemp(t, filepath.Join(t.TempDir(), "conviso.db"))
	})
}

func TestRestartKeepsJobsAndReleasesLeases(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "conviso.db")
	const lease = 200 * time.Millisecond

	s := openTemp(t, path)
	queued := &store.Job{Kind: "webhook", Payload: []byte("queued")}
	inFlight := &store.Job{Kind: "webhook", Payload: []byte("in-flight")}
	for _, j := range []*store.Job{inFlight, queued} {
		if ok, err := s.Enqueue(ctx, j, time.Hour); err != nil || !ok {
			t.Fatalf("Enqueue = %v, %v", ok, err)
		}
	}
	claimedAt := time.Now()
	held, err := s.Claim(ctx, "crashing-worker", lease, 0)
	if err != nil || held == nil || held.ID != inFlight.ID {
		t.Fatalf("Claim = %+v, %v; want the first job", held, err)
	}
	if err := s.Put(ctx, "state", []byte("kept"), 0); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openTemp(t, path)
	got := map[string]*store.Job{}
	for range 2 {
		j, err := s.Claim(ctx, "new-worker", time.Minute, 10*time.Second)
		if err != nil || j == nil {
			t.Fatalf("Claim after restart = %+v, %v; want a job", j, err)
		}
		got[string(j.Payload)] = j
	}
	if j := got["queued"]; j == nil || j.ID != queued.ID || j.Attempts != 1 {
		t.Fatalf("queued job after restart = %+v; want %s attempt 1", j, queued.ID)
	}
	if j := got["in-flight"]; j == nil || j.ID != inFlight.ID || j.Attempts != 2 {
		t.Fatalf("in-flight job after restart = %+v; want %s attempt 2", j, inFlight.ID)
	}
	if elapsed := time.Since(claimedAt); elapsed < lease {
		t.Fatalf("in-flight job reclaimed after %s; its lease was %s", elapsed, lease)
	}
	if err := s.Ack(ctx, held); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("Ack by the crashed worker = %v; want ErrLeaseLost", err)
	}
	if v, err := s.Get(ctx, "state"); err != nil || string(v) != "kept" {
		t.Fatalf("Get after restart = %q, %v; want kept", v, err)
	}
}

func TestSecondOpenFailsClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conviso.db")
	openTemp(t, path)
	_, err := Open(path, WithOpenTimeout(100*time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "locked by another process") {
		t.Fatalf("second Open = %v; want a 'locked by another process' error", err)
	}
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conviso.db")
	openTemp(t, path)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if mode := info.Mode().Perm(); mode != fileMode {
		t.Fatalf("file mode = %o; want %o", mode, fileMode)
	}
}

func TestClosedStore(t *testing.T) {
	s := openTemp(t, filepath.Join(t.TempDir(), "conviso.db"))
	done := make(chan error, 1)
	go func() {
		_, err := s.Claim(t.Context(), "c", time.Minute, time.Minute)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("waiting Claim after Close = %v; want ErrClosed", err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Ping after Close = %v; want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestSweepRemovesExpiredEntries(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t, filepath.Join(t.TempDir(), "conviso.db"), WithSweepInterval(0))
	ttl := 50 * time.Millisecond
	mustOK := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustOK(s.Put(ctx, "gone", []byte("v"), ttl))
	mustOK(s.Put(ctx, "kept", []byte("v"), 0))
	mustOK(s.Put(ctx, "renewed", []byte("v"), ttl))
	mustOK(s.Put(ctx, "renewed", []byte("v"), time.Hour))
	_, err := s.Acquire(ctx, "lock", "me", ttl)
	mustOK(err)
	_, err = s.Enqueue(ctx, &store.Job{Kind: "k", DedupKey: "d"}, ttl)
	mustOK(err)
	time.Sleep(2 * ttl)
	mustOK(s.Sweep())

	counts := map[string]int{}
	mustOK(s.db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketKV, bucketLocks, bucketDedup, bucketExpiry} {
			counts[string(b)] = tx.Bucket(b).Stats().KeyN
		}
		return nil
	}))
	want := map[string]int{"kv": 2, "locks": 0, "dedup": 0, "expiry": 1}
	for b, n := range want {
		if counts[b] != n {
			t.Errorf("bucket %s has %d keys after sweep; want %d", b, counts[b], n)
		}
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	storetest.BenchRoundTrip(b, openTemp(b, filepath.Join(b.TempDir(), "conviso.db")))
}
