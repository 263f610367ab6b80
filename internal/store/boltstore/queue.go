package boltstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/conviso/conviso-github-app/internal/store"
)

var (
	errNilJob       = errors.New("boltstore: nil job")
	errBadLease     = errors.New("boltstore: lease must be positive")
	errNoConsumer   = errors.New("boltstore: empty consumer name")
	errNegativeTime = errors.New("boltstore: negative duration")
)

// Enqueue durably stores job and wakes waiting Claims. A dedupTTL of zero
// or less disables deduplication for this call. On success job.ID and
// job.EnqueuedAt are set.
func (s *Store) Enqueue(ctx context.Context, job *store.Job, dedupTTL time.Duration) (bool, error) {
	if job == nil {
		return false, fmt.Errorf("enqueuing job: %w", errNilJob)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := time.Now()
	var id uint64
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		id, err = enqueueTx(tx, job, dedupTTL, now.UnixNano())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("enqueuing %s job: %w", job.Kind, err)
	}
	if id == 0 {
		return false, nil
	}
	job.ID = formatID(id)
	job.EnqueuedAt = time.Unix(0, now.UnixNano())
	s.wake.broadcast()
	return true, nil
}

// enqueueTx stores job unless its dedup key is live; it returns the new id,
// or 0 for a duplicate.
func enqueueTx(tx *bolt.Tx, job *store.Job, dedupTTL time.Duration, now int64) (uint64, error) {
	dedup := job.DedupKey != "" && dedupTTL > 0
	if dedup {
		if _, live := getLive(tx, bucketDedup, []byte(job.DedupKey), now); live {
			return 0, nil
		}
	}
	q := openQueue(tx)
	id, err := q.jobs.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("allocating job id: %w", err)
	}
	if dedup {
		exp := after(now, dedupTTL)
		if err := putExpiring(tx, bucketDedup, []byte(job.DedupKey), u64(id), exp); err != nil {
			return 0, err
		}
	}
	r := &jobRecord{
		Kind:       job.Kind,
		DedupKey:   job.DedupKey,
		Payload:    job.Payload,
		EnqueuedAt: now,
	}
	return id, q.makeReady(id, r, now)
}

// Claim leases the next claimable job to consumer, waiting up to wait for
// one. It sleeps on a notification from Enqueue/Nack/Extend and on a timer
// for the earliest delay or lease deadline, never polling.
func (s *Store) Claim(ctx context.Context, consumer string, lease, wait time.Duration) (*store.Job, error) {
	if consumer == "" {
		return nil, fmt.Errorf("claiming job: %w", errNoConsumer)
	}
	if lease <= 0 {
		return nil, fmt.Errorf("claiming job: %w", errBadLease)
	}
	giveUp := time.Now().Add(max(wait, 0))
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		woken := s.wake.wait() // taken before trying, so no wake-up is lost
		job, next, err := s.tryClaim(consumer, lease)
		if err != nil || job != nil {
			return job, err
		}
		sleep := time.Until(giveUp)
		if sleep <= 0 {
			return nil, nil
		}
		if next > 0 {
			sleep = min(sleep, time.Until(time.Unix(0, next)))
		}
		if err := s.sleep(ctx, woken, sleep); err != nil {
			return nil, err
		}
	}
}

// tryClaim leases the next claimable job, if any, in one transaction. When
// there is none it returns the next time one may become claimable.
func (s *Store) tryClaim(consumer string, lease time.Duration) (*store.Job, int64, error) {
	var (
		job  *store.Job
		next int64
	)
	err := s.update(func(tx *bolt.Tx) error {
		now := time.Now().UnixNano()
		q := openQueue(tx)
		if err := q.promoteDue(now); err != nil {
			return err
		}
		id, r, err := q.takeNext(now)
		if err != nil || r == nil {
			next = q.nextDeadline()
			return err
		}
		r.Attempts++
		if err := q.lease(id, r, consumer, after(now, lease)); err != nil {
			return err
		}
		job = r.toJob(id)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("claiming job: %w", err)
	}
	return job, next, nil
}

func (s *Store) sleep(ctx context.Context, woken <-chan struct{}, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-woken:
	case <-timer.C:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closed:
		return fmt.Errorf("claiming job: %w", ErrClosed)
	}
	return nil
}

// Extend renews the lease of a job the caller still holds.
func (s *Store) Extend(ctx context.Context, job *store.Job, lease time.Duration) error {
	if job == nil {
		return fmt.Errorf("extending lease: %w", errNilJob)
	}
	if lease <= 0 {
		return fmt.Errorf("extending lease of job %s: %w", job.ID, errBadLease)
	}
	earlier := false
	err := s.heldUpdate(ctx, job, func(q *queueTx, id uint64, r *jobRecord, now int64) error {
		deadline := after(now, lease)
		earlier = deadline < r.Deadline
		return q.lease(id, r, r.Consumer, deadline)
	})
	if err != nil {
		return fmt.Errorf("extending lease of job %s: %w", job.ID, err)
	}
	if earlier {
		s.wake.broadcast() // waiters' timers may be set past the new deadline
	}
	return nil
}

// Ack removes a job the caller still holds.
func (s *Store) Ack(ctx context.Context, job *store.Job) error {
	if job == nil {
		return fmt.Errorf("acknowledging job: %w", errNilJob)
	}
	err := s.heldUpdate(ctx, job, func(q *queueTx, id uint64, _ *jobRecord, _ int64) error {
		return q.remove(id)
	})
	if err != nil {
		return fmt.Errorf("acknowledging job %s: %w", job.ID, err)
	}
	return nil
}

// Nack gives a job the caller holds back to the queue after delay, or moves
// it to the dead-letter bucket once it has been claimed maxAttempts times.
// maxAttempts of zero or less means no limit.
func (s *Store) Nack(ctx context.Context, job *store.Job, delay time.Duration, maxAttempts int) error {
	if job == nil {
		return fmt.Errorf("nacking job: %w", errNilJob)
	}
	if delay < 0 {
		return fmt.Errorf("nacking job %s: %w", job.ID, errNegativeTime)
	}
	err := s.heldUpdate(ctx, job, func(q *queueTx, id uint64, r *jobRecord, now int64) error {
		switch {
		case maxAttempts > 0 && r.Attempts >= maxAttempts:
			return q.bury(id, r, now)
		case delay == 0:
			return q.makeReady(id, r, now)
		default:
			return q.makeDelayed(id, r, after(now, delay))
		}
	})
	if err != nil {
		return fmt.Errorf("nacking job %s: %w", job.ID, err)
	}
	s.wake.broadcast()
	return nil
}

// heldUpdate runs fn in a transaction on job's record, after checking that
// the caller still holds its lease and removing its lease index entry.
func (s *Store) heldUpdate(ctx context.Context, job *store.Job,
	fn func(q *queueTx, id uint64, r *jobRecord, now int64) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		q := openQueue(tx)
		id, r, err := q.held(job)
		if err != nil {
			return err
		}
		if err := q.unindex(id, r); err != nil {
			return err
		}
		return fn(q, id, r, time.Now().UnixNano())
	})
}

// Stats reports queue depth. Ready counts delayed jobs too; OldestReadyAge
// is how long the longest-waiting claimable job has been claimable.
func (s *Store) Stats(ctx context.Context) (store.QueueStats, error) {
	if err := ctx.Err(); err != nil {
		return store.QueueStats{}, err
	}
	var st store.QueueStats
	err := s.view(func(tx *bolt.Tx) error {
		q := openQueue(tx)
		st.Ready = int64(q.ready.Stats().KeyN + q.delayed.Stats().KeyN)
		st.InFlight = int64(q.leases.Stats().KeyN)
		st.Dead = int64(q.dead.Stats().KeyN)
		now := time.Now().UnixNano()
		oldest, err := q.oldestReady(now)
		if oldest > 0 && oldest < now {
			st.OldestReadyAge = time.Duration(now - oldest)
		}
		return err
	})
	if err != nil {
		return store.QueueStats{}, fmt.Errorf("reading queue stats: %w", err)
	}
	return st, nil
}

// oldestReady returns when the longest-waiting claimable job became
// claimable (0 when none): the head of the ready index or a delayed job
// that is already due.
func (q *queueTx) oldestReady(now int64) (int64, error) {
	var oldest int64
	if _, v := q.ready.Cursor().First(); v != nil {
		r, err := q.get(keyID(v))
		if err != nil {
			return 0, err
		}
		if r != nil {
			oldest = r.ReadyAt
		}
	}
	if k, _ := q.delayed.Cursor().First(); k != nil && keyTime(k) <= now {
		if oldest == 0 || keyTime(k) < oldest {
			oldest = keyTime(k)
		}
	}
	return oldest, nil
}
