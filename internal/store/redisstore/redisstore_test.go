package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/storetest"
	"github.com/conviso/conviso-github-app/internal/testutil/redistest"
)

// newTestStore returns a Store on its own client and a prefix unique to
// the test (keys deleted at cleanup).
func newTestStore(t testing.TB, prefix string) (*Store, *redis.Client) {
	t.Helper()
	client := redistest.New(t)
	if prefix == "" {
		prefix = redistest.Prefix(t)
	}
	s, err := New(context.Background(), client, WithPrefix(prefix))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, client
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := newTestStore(t, "")
		return s
	})
}

// TestRestartedReplicaReclaims simulates a replica dying with a job in
// flight: a new client (the restarted replica) reclaims it once its lease
// has passed, and the dead consumer's lease is lost.
func TestRestartedReplicaReclaims(t *testing.T) {
	ctx := t.Context()
	const lease = 200 * time.Millisecond
	first, client := newTestStore(t, "")
	prefix := first.k.prefix

	in := &store.Job{Kind: "webhook", Payload: []byte("in-flight")}
	if ok, err := first.Enqueue(ctx, in, 0); err != nil || !ok {
		t.Fatalf("Enqueue = %v, %v", ok, err)
	}
	claimedAt := time.Now()
	held, err := first.Claim(ctx, "replica-1", lease, 0)
	if err != nil || held == nil {
		t.Fatalf("Claim = %+v, %v", held, err)
	}
	_ = client.Close() // the replica dies without acknowledging

	second, _ := newTestStore(t, prefix)
	got, err := second.Claim(ctx, "replica-2", time.Minute, 10*time.Second)
	if err != nil || got == nil || got.ID != in.ID || got.Attempts != 2 {
		t.Fatalf("Claim by the restarted replica = %+v, %v; want %s attempt 2", got, err, in.ID)
	}
	if elapsed := time.Since(claimedAt); elapsed < lease {
		t.Fatalf("job reclaimed after %s; its lease was %s", elapsed, lease)
	}
	pending, err := second.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: second.k.stream, Group: group, Start: "-", End: "+", Count: 10,
	}).Result()
	if err != nil || len(pending) != 1 || pending[0].Consumer != "replica-2" {
		t.Fatalf("pending entries = %+v, %v; want one held by replica-2", pending, err)
	}
	if err := second.Ack(ctx, held); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("Ack with the dead replica's lease = %v; want ErrLeaseLost", err)
	}
	if err := second.Ack(ctx, got); err != nil {
		t.Fatalf("Ack: %v", err)
	}
}

// TestReplicasShareQueue drains one queue from two Store instances on
// separate clients; every job must be acknowledged exactly once.
func TestReplicasShareQueue(t *testing.T) {
	a, _ := newTestStore(t, "")
	prefix := a.k.prefix
	b, _ := newTestStore(t, prefix)
	const jobs = 30
	for i := range jobs {
		if _, err := a.Enqueue(t.Context(), &store.Job{Kind: "k", Payload: fmt.Append(nil, i)}, 0); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	var (
		mu    sync.Mutex
		acked = map[string]int{}
		wg    sync.WaitGroup
	)
	for i, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for {
				job, err := s.Claim(context.Background(), fmt.Sprint("c", i), time.Minute, 200*time.Millisecond)
				if err != nil || job == nil {
					return
				}
				if err := s.Ack(context.Background(), job); err != nil {
					t.Errorf("Ack: %v", err)
				}
				mu.Lock()
				acked[job.ID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(acked) != jobs {
		t.Fatalf("%d distinct jobs acknowledged; want %d", len(acked), jobs)
	}
	for id, n := range acked {
		if n != 1 {
			t.Errorf("job %s acknowledged %d times", id, n)
		}
	}
}

func TestOpen(t *testing.T) {
	redistest.New(t) // skips, or fails in CI, when Redis is unreachable
	s, err := Open(t.Context(), redistest.URL(), WithPrefix(redistest.Prefix(t)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Ping(t.Context()); err != nil || s.Backend() != "redis" {
		t.Fatalf("Ping = %v, Backend = %q", err, s.Backend())
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping after Close succeeded")
	}
	if _, err := Open(t.Context(), "not a url"); err == nil {
		t.Fatal("Open with a bad URL succeeded")
	}
}

// TestRecreatesVanishedStream checks that the queue recovers when its
// stream and consumer group disappear (for example after FLUSHDB).
func TestRecreatesVanishedStream(t *testing.T) {
	s, client := newTestStore(t, "")
	if err := client.Del(t.Context(), s.k.stream).Err(); err != nil {
		t.Fatalf("Del: %v", err)
	}
	if _, err := s.Stats(t.Context()); err != nil {
		t.Fatalf("Stats without stream: %v", err)
	}
	if _, err := s.Enqueue(t.Context(), &store.Job{Kind: "k"}, 0); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	job, err := s.Claim(t.Context(), "c", time.Minute, 0)
	if err != nil || job == nil {
		t.Fatalf("Claim after the stream vanished = %+v, %v; want the job", job, err)
	}
}

func TestEscapeGlob(t *testing.T) {
	for in, want := range map[string]string{
		"conviso:":  "conviso:",
		"a*b?c":     `a\*b\?c`,
		"[x]":       `\[x\]`,
		`back\`:     `back\\`,
		"{tag}:é":   "{tag}:é",
		"":          "",
		"plain-key": "plain-key",
	} {
		if got := escapeGlob(in); got != want {
			t.Errorf("escapeGlob(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestMillis(t *testing.T) {
	for d, want := range map[time.Duration]int64{
		-time.Second: 0, 0: 0, time.Nanosecond: 1, time.Millisecond: 1,
		1500 * time.Microsecond: 2, time.Second: 1000,
	} {
		if got := millis(d); got != want {
			t.Errorf("millis(%s) = %d; want %d", d, got, want)
		}
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	s, _ := newTestStore(b, "")
	storetest.BenchRoundTrip(b, s)
}
