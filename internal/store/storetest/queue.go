package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

func queueTests() []namedTest {
	return []namedTest{
		{"Queue/EnqueueClaimAck", testEnqueueClaimAck},
		{"Queue/FIFO", testFIFO},
		{"Queue/Dedup", testDedup},
		{"Queue/ClaimWaitTimeout", testClaimWaitTimeout},
		{"Queue/ClaimWakesOnEnqueue", testClaimWakesOnEnqueue},
		{"Queue/ClaimContextCancel", testClaimContextCancel},
		{"Queue/LeaseExpiry", testLeaseExpiry},
		{"Queue/Extend", testExtend},
		{"Queue/NackNow", testNackNow},
		{"Queue/NackDelay", testNackDelay},
		{"Queue/DeadLetter", testDeadLetter},
		{"Queue/Stats", testStats},
		{"Queue/BadInput", testQueueBadInput},
	}
}

func testEnqueueClaimAck(t *testing.T, s store.Store) {
	in := &store.Job{Kind: "webhook", Payload: []byte("payload\x00with zero")}
	ok, err := s.Enqueue(t.Context(), in, 0)
	if err != nil || !ok || in.ID == "" {
		t.Fatalf("Enqueue = %v, %v, ID %q; want true, nil and an ID", ok, err, in.ID)
	}
	got := claim(t, s, "c1", longLease, 0)
	if got.ID != in.ID || got.Kind != "webhook" || string(got.Payload) != string(in.Payload) {
		t.Fatalf("Claim = %+v; want the enqueued job %+v", got, in)
	}
	if got.Attempts != 1 || got.EnqueuedAt.IsZero() {
		t.Fatalf("Claim: attempts %d, enqueued at %v; want 1 and a time", got.Attempts, got.EnqueuedAt)
	}
	claimNone(t, s, "c2", 0)
	mustNil(t, "Ack", s.Ack(t.Context(), got))
	wantLeaseLost(t, "second Ack", s.Ack(t.Context(), got))
	claimNone(t, s, "c1", 0)
	wantStats(t, s, 0, 0, 0)
}

func testFIFO(t *testing.T, s store.Store) {
	const n = 5
	ids := map[string]bool{}
	for i := range n {
		ids[enqueue(t, s, "k", fmt.Sprint(i)).ID] = true
	}
	if len(ids) != n {
		t.Fatalf("%d enqueued jobs got %d distinct IDs", n, len(ids))
	}
	for i := range n {
		got := claim(t, s, "c", longLease, 0)
		if string(got.Payload) != fmt.Sprint(i) {
			t.Fatalf("claim %d returned payload %q; want %q (FIFO)", i, got.Payload, fmt.Sprint(i))
		}
		mustNil(t, "Ack", s.Ack(t.Context(), got))
	}
}

func testDedup(t *testing.T, s store.Store) {
	ctx := t.Context()
	try := func(key string, ttl time.Duration) bool {
		t.Helper()
		job := &store.Job{Kind: "webhook", DedupKey: key, Payload: []byte(key)}
		ok, err := s.Enqueue(ctx, job, ttl)
		mustNil(t, "Enqueue "+key, err)
		if ok == (job.ID == "") {
			t.Fatalf("Enqueue(%s) = %v but job.ID = %q", key, ok, job.ID)
		}
		return ok
	}
	if !try("long", longTTL) || try("long", longTTL) {
		t.Fatal("second Enqueue with the same dedup key within its TTL was not dropped")
	}
	if !try("other", longTTL) {
		t.Fatal("Enqueue with a different dedup key was dropped")
	}
	for range 2 {
		if !try("", longTTL) {
			t.Fatal("Enqueue without dedup key was dropped")
		}
		if !try("nottl", 0) {
			t.Fatal("Enqueue with dedupTTL 0 was dropped")
		}
	}
	wantStats(t, s, 6, 0, 0)
	start := time.Now()
	if !try("short", shortTTL) {
		t.Fatal("first Enqueue of a dedup key was dropped")
	}
	eventually(t, "a dedup key to expire", func() bool { return try("short", shortTTL) })
	if elapsed := time.Since(start); elapsed < shortTTL {
		t.Fatalf("dedup key expired after %s; its TTL is %s", elapsed, shortTTL)
	}
}

func testClaimWaitTimeout(t *testing.T, s store.Store) {
	claimNone(t, s, "c", shortTTL)
}

func testClaimWakesOnEnqueue(t *testing.T, s store.Store) {
	got := make(chan *store.Job, 1)
	errs := make(chan error, 1)
	go func() {
		job, err := s.Claim(context.Background(), "waiter", longLease, patience)
		got <- job
		errs <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the waiter start waiting (not required)
	in := enqueue(t, s, "k", "wake")
	job, err := <-got, <-errs
	if err != nil || job == nil || job.ID != in.ID {
		t.Fatalf("waiting Claim = %+v, %v; want the job enqueued during the wait", job, err)
	}
}

func testClaimContextCancel(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 1)
	go func() {
		job, err := s.Claim(ctx, "waiter", longLease, patience)
		if job != nil {
			err = fmt.Errorf("got job %s from an empty queue", job.ID)
		}
		errs <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("Claim with cancelled context = %v; want context.Canceled", err)
	}
}

func testLeaseExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	in := enqueue(t, s, "k", "lease")
	start := time.Now()
	first := claim(t, s, "dead-consumer", shortTTL, 0)
	second := claim(t, s, "live-consumer", longLease, patience)
	if elapsed := time.Since(start); elapsed < shortTTL {
		t.Fatalf("job was reclaimed after %s; its lease was %s", elapsed, shortTTL)
	}
	if second.ID != in.ID || second.Attempts != 2 {
		t.Fatalf("reclaimed job %s attempt %d; want %s attempt 2", second.ID, second.Attempts, in.ID)
	}
	wantLeaseLost(t, "Ack by the first consumer", s.Ack(ctx, first))
	wantLeaseLost(t, "Extend by the first consumer", s.Extend(ctx, first, longLease))
	wantLeaseLost(t, "Nack by the first consumer", s.Nack(ctx, first, 0, 10))
	wantStats(t, s, 0, 1, 0)
	mustNil(t, "Ack by the second consumer", s.Ack(ctx, second))
	wantLeaseLost(t, "Ack after Ack", s.Ack(ctx, second))
	wantStats(t, s, 0, 0, 0)
}

func testExtend(t *testing.T, s store.Store) {
	enqueue(t, s, "k", "extend")
	job := claim(t, s, "c1", 2*shortTTL, 0)
	mustNil(t, "Extend", s.Extend(t.Context(), job, longLease))
	time.Sleep(4 * shortTTL) // well past the original lease
	claimNone(t, s, "c2", shortTTL)
	mustNil(t, "Extend again", s.Extend(t.Context(), job, longLease))
	mustNil(t, "Ack after Extend", s.Ack(t.Context(), job))
	wantLeaseLost(t, "Extend after Ack", s.Extend(t.Context(), job, longLease))
}

func testNackNow(t *testing.T, s store.Store) {
	in := enqueue(t, s, "k", "nack")
	job := claim(t, s, "c1", longLease, 0)
	got := make(chan *store.Job, 1)
	go func() {
		j, _ := s.Claim(context.Background(), "waiter", longLease, patience)
		got <- j
	}()
	time.Sleep(50 * time.Millisecond)
	mustNil(t, "Nack", s.Nack(t.Context(), job, 0, 10))
	again := <-got
	if again == nil || again.ID != in.ID || again.Attempts != 2 {
		t.Fatalf("Claim after Nack = %+v; want job %s attempt 2", again, in.ID)
	}
	wantLeaseLost(t, "Ack of the nacked claim", s.Ack(t.Context(), job))
	mustNil(t, "Ack", s.Ack(t.Context(), again))
}

func testNackDelay(t *testing.T, s store.Store) {
	const delay = 300 * time.Millisecond
	in := enqueue(t, s, "k", "delay")
	job := claim(t, s, "c1", longLease, 0)
	start := time.Now()
	mustNil(t, "Nack", s.Nack(t.Context(), job, delay, 10))
	wantStats(t, s, 1, 0, 0) // delayed jobs count as ready
	early, err := s.Claim(t.Context(), "c2", longLease, 0)
	mustNil(t, "Claim", err)
	if early != nil && time.Since(start) < delay {
		t.Fatalf("delayed job was claimable after %s; delay is %s", time.Since(start), delay)
	}
	if early == nil {
		early = claim(t, s, "c2", longLease, patience)
	}
	if elapsed := time.Since(start); elapsed < delay {
		t.Fatalf("delayed job was claimed after %s; delay is %s", elapsed, delay)
	}
	if early.ID != in.ID || early.Attempts != 2 {
		t.Fatalf("Claim after delay = job %s attempt %d; want %s attempt 2", early.ID, early.Attempts, in.ID)
	}
	mustNil(t, "Ack", s.Ack(t.Context(), early))
}

func testDeadLetter(t *testing.T, s store.Store) {
	ctx := t.Context()
	enqueue(t, s, "k", "poison")
	job := claim(t, s, "c", longLease, 0)
	mustNil(t, "Nack with no limit", s.Nack(ctx, job, 0, 0))
	job = claim(t, s, "c", longLease, 0)
	mustNil(t, "Nack below the limit", s.Nack(ctx, job, 0, 3))
	job = claim(t, s, "c", longLease, 0)
	if job.Attempts != 3 {
		t.Fatalf("third claim has attempt %d; want 3", job.Attempts)
	}
	mustNil(t, "Nack at the limit", s.Nack(ctx, job, 0, 3))
	claimNone(t, s, "c", 0)
	wantStats(t, s, 0, 0, 1)
	wantLeaseLost(t, "Ack of a dead job", s.Ack(ctx, job))

	enqueue(t, s, "k", "once")
	job = claim(t, s, "c", longLease, 0)
	mustNil(t, "Nack with maxAttempts 1", s.Nack(ctx, job, time.Hour, 1))
	wantStats(t, s, 0, 0, 2)
}

func testStats(t *testing.T, s store.Store) {
	if st := wantStats(t, s, 0, 0, 0); st.OldestReadyAge != 0 {
		t.Fatalf("empty queue OldestReadyAge = %s; want 0", st.OldestReadyAge)
	}
	for i := range 3 {
		enqueue(t, s, "k", fmt.Sprint(i))
	}
	time.Sleep(20 * time.Millisecond)
	job := claim(t, s, "c", longLease, 0)
	if st := wantStats(t, s, 2, 1, 0); st.OldestReadyAge <= 0 {
		t.Fatalf("OldestReadyAge = %s after waiting; want > 0", st.OldestReadyAge)
	}
	mustNil(t, "Ack", s.Ack(t.Context(), job))
	wantStats(t, s, 2, 0, 0)
	for range 2 {
		mustNil(t, "Ack", s.Ack(t.Context(), claim(t, s, "c", longLease, 0)))
	}
	if st := wantStats(t, s, 0, 0, 0); st.OldestReadyAge != 0 {
		t.Fatalf("drained queue OldestReadyAge = %s; want 0", st.OldestReadyAge)
	}
}

func testQueueBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Enqueue(ctx, nil, 0); err == nil {
		t.Error("Enqueue(nil) succeeded")
	}
	if _, err := s.Claim(ctx, "", longLease, 0); err == nil {
		t.Error("Claim with empty consumer succeeded")
	}
	if _, err := s.Claim(ctx, "c", 0, 0); err == nil {
		t.Error("Claim with zero lease succeeded")
	}
	for name, err := range map[string]error{
		"Ack(nil)":    s.Ack(ctx, nil),
		"Nack(nil)":   s.Nack(ctx, nil, 0, 1),
		"Extend(nil)": s.Extend(ctx, nil, longLease),
	} {
		if err == nil {
			t.Errorf("%s succeeded", name)
		}
	}
	for _, id := range []string{"", "bogus", "0", "999999"} {
		wantLeaseLost(t, fmt.Sprintf("Ack of unknown job %q", id), s.Ack(ctx, &store.Job{ID: id, Attempts: 1}))
	}
	in := enqueue(t, s, "k", "x")
	job := claim(t, s, "c", longLease, 0)
	if err := s.Nack(ctx, job, -time.Second, 1); err == nil {
		t.Error("Nack with negative delay succeeded")
	}
	forged := *job
	forged.Attempts++
	wantLeaseLost(t, "Ack with a wrong attempt count", s.Ack(ctx, &forged))
	if job.ID != in.ID {
		t.Fatalf("claimed %s; want %s", job.ID, in.ID)
	}
	mustNil(t, "Ack", s.Ack(ctx, job))
}
