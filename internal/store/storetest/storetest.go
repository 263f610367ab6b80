// Package storetest is the conformance suite that every store.Store
// back-end must pass. A back-end's own tests call Run with a constructor
// for fresh, empty stores:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return newEmptyStore(t) })
//	}
//
// The suite never asserts how fast anything happens: waits are bounded by
// generous deadlines, and the only time checks are lower bounds that a
// correct store can never violate (for example, that a delayed job is not
// handed out before its delay has passed).
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

const (
	// patience bounds every wait for something that must eventually happen.
	// A correct store makes it happen in milliseconds; the bound only
	// matters when the store is broken or the machine is very loaded.
	patience = 10 * time.Second
	// longTTL and longLease outlive any test.
	longTTL   = time.Minute
	longLease = time.Minute
	// shortTTL is used where a test waits for something to expire.
	shortTTL = 100 * time.Millisecond
	// pollEvery is the pause between checks in eventually.
	pollEvery = 10 * time.Millisecond
)

// Run runs the whole conformance suite as parallel subtests. newStore must
// return a fresh, empty store for each call and arrange (with t.Cleanup) for
// it to be closed and its data removed.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	groups := [][]namedTest{queueTests(), kvTests(), lockTests(), concurrencyTests()}
	for _, group := range groups {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.fn(t, newStore(t))
			})
		}
	}
}

type namedTest struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// BenchRoundTrip measures one enqueue + claim + ack round trip on s. Each
// back-end calls it from its own Benchmark function.
func BenchRoundTrip(b *testing.B, s store.Store) {
	ctx := context.Background()
	payload := []byte(`{"action":"opened","number":1}`)
	for b.Loop() {
		job := &store.Job{Kind: "bench", Payload: payload}
		if _, err := s.Enqueue(ctx, job, 0); err != nil {
			b.Fatalf("Enqueue: %v", err)
		}
		got, err := s.Claim(ctx, "bench", longLease, time.Second)
		if err != nil || got == nil {
			b.Fatalf("Claim = %v, %v; want a job", got, err)
		}
		if err := s.Ack(ctx, got); err != nil {
			b.Fatalf("Ack: %v", err)
		}
	}
}

// eventually polls cond until it holds, failing the test after patience.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", patience, what)
		}
		time.Sleep(pollEvery)
	}
}

func enqueue(t *testing.T, s store.Store, kind, payload string) *store.Job {
	t.Helper()
	job := &store.Job{Kind: kind, Payload: []byte(payload)}
	ok, err := s.Enqueue(t.Context(), job, 0)
	if err != nil || !ok {
		t.Fatalf("Enqueue(%s) = %v, %v; want true, nil", payload, ok, err)
	}
	if job.ID == "" {
		t.Fatalf("Enqueue(%s) left job.ID empty", payload)
	}
	return job
}

// claim claims a job that must be there (or arrive within wait).
func claim(t *testing.T, s store.Store, consumer string, lease, wait time.Duration) *store.Job {
	t.Helper()
	job, err := s.Claim(t.Context(), consumer, lease, wait)
	if err != nil {
		t.Fatalf("Claim(%s): %v", consumer, err)
	}
	if job == nil {
		t.Fatalf("Claim(%s) returned no job; want one", consumer)
	}
	return job
}

// claimNone checks that no job is claimable within wait.
func claimNone(t *testing.T, s store.Store, consumer string, wait time.Duration) {
	t.Helper()
	job, err := s.Claim(t.Context(), consumer, longLease, wait)
	if err != nil {
		t.Fatalf("Claim(%s): %v", consumer, err)
	}
	if job != nil {
		t.Fatalf("Claim(%s) = job %s (%q, attempt %d); want none",
			consumer, job.ID, job.Payload, job.Attempts)
	}
}

func wantStats(t *testing.T, s store.Store, ready, inFlight, dead int64) store.QueueStats {
	t.Helper()
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st.Ready != ready || st.InFlight != inFlight || st.Dead != dead {
		t.Fatalf("Stats = ready %d, in flight %d, dead %d; want %d, %d, %d",
			st.Ready, st.InFlight, st.Dead, ready, inFlight, dead)
	}
	return st
}

func wantLeaseLost(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("%s = %v; want store.ErrLeaseLost", what, err)
	}
}

func mustNil(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
