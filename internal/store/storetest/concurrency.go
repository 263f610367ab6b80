package storetest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

const racers = 16

func concurrencyTests() []namedTest {
	return []namedTest{
		{"Concurrency/PutIfAbsent", testRacePutIfAbsent},
		{"Concurrency/Acquire", testRaceAcquire},
		{"Concurrency/CompareAndSwap", testRaceCAS},
		{"Concurrency/Drain", testDrain},
	}
}

// race runs fn(i) in racers goroutines started together and returns how
// many returned true.
func race(t *testing.T, fn func(i int) (bool, error)) int {
	t.Helper()
	var (
		wins  atomic.Int32
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, racers)
	)
	for i := range racers {
		wg.Go(func() {
			<-start
			ok, err := fn(i)
			if err != nil {
				errs <- err
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("racing goroutine: %v", err)
	}
	return int(wins.Load())
}

func testRacePutIfAbsent(t *testing.T, s store.Store) {
	winner := make([]bool, racers)
	wins := race(t, func(i int) (bool, error) {
		ok, err := s.PutIfAbsent(context.Background(), "k", []byte(strconv.Itoa(i)), 0)
		winner[i] = ok
		return ok, err
	})
	if wins != 1 {
		t.Fatalf("%d of %d racing PutIfAbsent calls won; want exactly 1", wins, racers)
	}
	got, err := s.Get(t.Context(), "k")
	mustNil(t, "Get", err)
	if i, err := strconv.Atoi(string(got)); err != nil || !winner[i] {
		t.Fatalf("value %q is not the winner's", got)
	}
}

func testRaceAcquire(t *testing.T, s store.Store) {
	wins := race(t, func(i int) (bool, error) {
		return s.Acquire(context.Background(), "l", fmt.Sprint("owner-", i), longTTL)
	})
	if wins != 1 {
		t.Fatalf("%d of %d racing Acquire calls won; want exactly 1", wins, racers)
	}
}

// testRaceCAS increments a counter from many goroutines with CAS retry
// loops; a lost update shows as a short count.
func testRaceCAS(t *testing.T, s store.Store) {
	const perRacer = 5
	race(t, func(int) (bool, error) {
		for done := 0; done < perRacer; {
			ctx := context.Background()
			cur, err := s.Get(ctx, "n")
			var old []byte
			n := 0
			if err == nil {
				old = cur
				n, _ = strconv.Atoi(string(cur))
			}
			ok, err := s.CompareAndSwap(ctx, "n", old, []byte(strconv.Itoa(n+1)), 0)
			if err != nil {
				return false, err
			}
			if ok {
				done++
			}
		}
		return true, nil
	})
	wantValue(t, s, "n", strconv.Itoa(racers*perRacer))
}

// testDrain has several consumers drain a batch of jobs concurrently; each
// job must be delivered and acknowledged exactly once.
func testDrain(t *testing.T, s store.Store) {
	const consumers, jobs = 4, 40
	want := map[string]bool{}
	for i := range jobs {
		want[enqueue(t, s, "k", strconv.Itoa(i)).ID] = true
	}
	var (
		mu    sync.Mutex
		acked = map[string]int{}
		total atomic.Int32
		wg    sync.WaitGroup
		errs  = make(chan error, consumers)
	)
	deadline := time.Now().Add(patience)
	for c := range consumers {
		wg.Go(func() {
			name := fmt.Sprint("consumer-", c)
			for int(total.Load()) < jobs && time.Now().Before(deadline) {
				job, err := s.Claim(context.Background(), name, longLease, shortTTL)
				if err == nil && job != nil {
					err = s.Ack(context.Background(), job)
					mu.Lock()
					acked[job.ID]++
					mu.Unlock()
					total.Add(1)
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", name, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("consumer: %v", err)
	}
	for id := range want {
		if acked[id] != 1 {
			t.Errorf("job %s was acknowledged %d times; want 1", id, acked[id])
		}
	}
	if len(acked) != jobs {
		t.Errorf("%d distinct jobs acknowledged; want %d", len(acked), jobs)
	}
	wantStats(t, s, 0, 0, 0)
}
