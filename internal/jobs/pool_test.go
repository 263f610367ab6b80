package jobs

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

// handlerFunc adapts a function to githubapp.EventHandler.
type handlerFunc func(ctx context.Context, deliveryID string) error

func (h handlerFunc) Handles() []string { return []string{"push"} }

func (h handlerFunc) Handle(ctx context.Context, _, deliveryID string, _ []byte) error {
	return h(ctx, deliveryID)
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func schedule(t *testing.T, s *Scheduler, delivery string) {
	t.Helper()
	if err := s.Schedule(githubapp.InitializeResponder(context.Background()), githubapp.Dispatch{EventType: "push", DeliveryID: delivery, Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func startPool(t *testing.T, st store.Store, h githubapp.EventHandler, grace time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{Queue: st, Handlers: []githubapp.EventHandler{h}, Workers: 2, Consumer: "test",
		Lease: 3 * time.Second, Grace: grace, Logger: zerolog.Nop()}
	done := make(chan struct{})
	go func() { _ = p.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func TestPoolRunsEachDeliveryOnce(t *testing.T) {
	st := openStore(t)
	s := &Scheduler{Queue: st}
	var mu sync.Mutex
	seen := map[string]int{}
	stop := startPool(t, st, handlerFunc(func(_ context.Context, id string) error {
		mu.Lock()
		defer mu.Unlock()
		seen[id]++
		return nil
	}), time.Second)
	defer stop()
	for _, id := range []string{"a", "b", "a", "c", "b"} {
		schedule(t, s, id)
	}
	waitFor(t, "three deliveries", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 3 })
	waitFor(t, "queue drained", func() bool {
		st, err := st.Stats(context.Background())
		return err == nil && st.Ready == 0 && st.InFlight == 0
	})
	mu.Lock()
	defer mu.Unlock()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s handled %d times", id, n)
		}
	}
}

func TestPoolRetriesFailuresAndPanics(t *testing.T) {
	st := openStore(t)
	var calls atomic.Int32
	stop := startPool(t, st, handlerFunc(func(_ context.Context, id string) error {
		switch calls.Add(1) {
		case 1:
			return RetryAfter(errors.New("transient"), 10*time.Millisecond)
		case 2:
			panic("boom")
		}
		return nil
	}), time.Second)
	defer stop()
	schedule(t, &Scheduler{Queue: st}, "x")
	waitFor(t, "third attempt", func() bool { return calls.Load() >= 3 })
	waitFor(t, "queue drained", func() bool {
		s, err := st.Stats(context.Background())
		return err == nil && s.Ready == 0 && s.InFlight == 0 && s.Dead == 0
	})
}

func TestPoolDropsPermanentFailures(t *testing.T) {
	st := openStore(t)
	var calls atomic.Int32
	stop := startPool(t, st, handlerFunc(func(context.Context, string) error {
		calls.Add(1)
		return Permanent(errors.New("bad payload"))
	}), time.Second)
	defer stop()
	schedule(t, &Scheduler{Queue: st}, "x")
	waitFor(t, "queue drained", func() bool {
		s, err := st.Stats(context.Background())
		return err == nil && calls.Load() == 1 && s.Ready == 0 && s.InFlight == 0
	})
}

func TestShutdownReturnsRunningJobToQueue(t *testing.T) {
	st := openStore(t)
	started := make(chan struct{})
	stop := startPool(t, st, handlerFunc(func(ctx context.Context, _ string) error {
		close(started)
		<-ctx.Done() // runs until the grace period is over
		return ctx.Err()
	}), 50*time.Millisecond)
	schedule(t, &Scheduler{Queue: st}, "long")
	<-started
	stop()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Ready != 1 || s.InFlight != 0 {
		t.Fatalf("after shutdown the job must be back in the queue, stats %+v", s)
	}
}

func TestBackoffBounded(t *testing.T) {
	for attempt := 0; attempt < 40; attempt++ {
		d := Backoff(attempt)
		if d <= 0 || d > maxBackoff {
			t.Fatalf("Backoff(%d) = %s out of (0, %s]", attempt, d, maxBackoff)
		}
	}
}

func TestJobThatKeepsKillingWorkersIsDeadLettered(t *testing.T) {
	st := openStore(t)
	schedule(t, &Scheduler{Queue: st}, "poison")
	ctx := context.Background()
	// Workers died running it three times: two recorded, the last one left its marker.
	job, err := st.Claim(ctx, "dead-worker", 50*time.Millisecond, time.Second)
	if err != nil || job == nil {
		t.Fatalf("claim: %v %v", job, err)
	}
	_ = st.Put(ctx, "job:running:"+job.ID, []byte("1"), time.Hour)
	_ = st.Put(ctx, "job:crashes:"+job.ID, []byte("2"), time.Hour)
	var calls atomic.Int32
	ctx2, cancel := context.WithCancel(ctx)
	p := &Pool{Queue: st, State: st, Workers: 1, Consumer: "w2", Lease: time.Second, Grace: time.Second, Logger: zerolog.Nop(),
		Handlers: []githubapp.EventHandler{handlerFunc(func(context.Context, string) error { calls.Add(1); return nil })}}
	done := make(chan struct{})
	go func() { _ = p.Run(ctx2); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the job to be dead-lettered", func() bool {
		s, err := st.Stats(ctx)
		return err == nil && s.Dead == 1
	})
	if calls.Load() != 0 {
		t.Fatal("a job that crashed its worker three times must not run again")
	}
}

// internalHandler handles an internal event.
type internalHandler struct{ got chan string }

func (h internalHandler) Handles() []string { return []string{"conviso.test"} }

func (h internalHandler) Handle(_ context.Context, event, id string, payload []byte) error {
	h.got <- event + "/" + id + "/" + string(payload)
	return nil
}

func TestInternalJobsReachTheirHandler(t *testing.T) {
	st := openStore(t)
	h := internalHandler{got: make(chan string, 2)}
	stop := startPool(t, st, h, time.Second)
	defer stop()
	ctx := context.Background()
	for i := 0; i < 2; i++ { // the second is a duplicate
		if _, err := EnqueueInternal(ctx, st, "conviso.test", "k1", []byte(`"p"`)); err != nil {
			t.Fatal(err)
		}
	}
	if got := <-h.got; got != `conviso.test/k1/"p"` {
		t.Fatalf("handler got %q", got)
	}
	waitFor(t, "queue drained", func() bool {
		s, err := st.Stats(ctx)
		return err == nil && s.Ready == 0 && s.InFlight == 0
	})
	select {
	case extra := <-h.got:
		t.Fatalf("a duplicate internal job ran: %q", extra)
	default:
	}
}
