package boltstore

import (
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/conviso/conviso-github-app/internal/store"
)

// queueTx gives the queue operations of one bbolt transaction access to the
// job bucket and its indexes. Every state change goes through it so that a
// record and its index entry are always updated together.
type queueTx struct {
	jobs, ready, delayed, leases, dead *bolt.Bucket
}

func openQueue(tx *bolt.Tx) *queueTx {
	return &queueTx{
		jobs:    tx.Bucket(bucketJobs),
		ready:   tx.Bucket(bucketReady),
		delayed: tx.Bucket(bucketDelayed),
		leases:  tx.Bucket(bucketLeases),
		dead:    tx.Bucket(bucketDead),
	}
}

// get returns the record of job id, or nil when there is none.
func (q *queueTx) get(id uint64) (*jobRecord, error) {
	b := q.jobs.Get(u64(id))
	if b == nil {
		return nil, nil
	}
	return decodeRecord(b)
}

func (q *queueTx) put(id uint64, r *jobRecord) error {
	b, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := q.jobs.Put(u64(id), b); err != nil {
		return fmt.Errorf("writing job %d: %w", id, err)
	}
	return nil
}

// makeReady stores r as claimable now, at the back of the ready order.
func (q *queueTx) makeReady(id uint64, r *jobRecord, at int64) error {
	seq, err := q.ready.NextSequence()
	if err != nil {
		return fmt.Errorf("allocating ready sequence: %w", err)
	}
	r.State, r.ReadySeq, r.ReadyAt = stateReady, seq, at
	r.DueAt, r.Deadline, r.Consumer = 0, 0, ""
	if err := q.ready.Put(u64(seq), u64(id)); err != nil {
		return fmt.Errorf("indexing ready job %d: %w", id, err)
	}
	return q.put(id, r)
}

// makeDelayed stores r as claimable from due on.
func (q *queueTx) makeDelayed(id uint64, r *jobRecord, due int64) error {
	r.State, r.DueAt = stateDelayed, due
	r.ReadySeq, r.ReadyAt, r.Deadline, r.Consumer = 0, 0, 0, ""
	if err := q.delayed.Put(timeKey(due, id), u64(id)); err != nil {
		return fmt.Errorf("indexing delayed job %d: %w", id, err)
	}
	return q.put(id, r)
}

// lease stores r as leased to consumer until deadline.
func (q *queueTx) lease(id uint64, r *jobRecord, consumer string, deadline int64) error {
	r.State, r.Deadline, r.Consumer = stateLeased, deadline, consumer
	r.ReadySeq, r.ReadyAt, r.DueAt = 0, 0, 0
	if err := q.leases.Put(timeKey(deadline, id), u64(id)); err != nil {
		return fmt.Errorf("indexing leased job %d: %w", id, err)
	}
	return q.put(id, r)
}

// bury moves r to the dead-letter bucket.
func (q *queueTx) bury(id uint64, r *jobRecord, now int64) error {
	r.State, r.DeadAt = stateDead, now
	r.ReadySeq, r.ReadyAt, r.DueAt, r.Deadline, r.Consumer = 0, 0, 0, 0, ""
	b, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := q.dead.Put(u64(id), b); err != nil {
		return fmt.Errorf("writing dead job %d: %w", id, err)
	}
	return q.remove(id)
}

// remove deletes the record of job id (its index entry must be gone).
func (q *queueTx) remove(id uint64) error {
	if err := q.jobs.Delete(u64(id)); err != nil {
		return fmt.Errorf("deleting job %d: %w", id, err)
	}
	return nil
}

// unindex removes r's entry from the index of its current state.
func (q *queueTx) unindex(id uint64, r *jobRecord) error {
	var err error
	switch r.State {
	case stateReady:
		err = q.ready.Delete(u64(r.ReadySeq))
	case stateDelayed:
		err = q.delayed.Delete(timeKey(r.DueAt, id))
	case stateLeased:
		err = q.leases.Delete(timeKey(r.Deadline, id))
	}
	if err != nil {
		return fmt.Errorf("unindexing job %d: %w", id, err)
	}
	return nil
}

// held returns the record of job when the caller still holds its lease:
// the job is leased and has not been claimed again since (the attempt
// counter is the lease token). Otherwise it returns store.ErrLeaseLost.
func (q *queueTx) held(job *store.Job) (uint64, *jobRecord, error) {
	id, ok := parseID(job.ID)
	if !ok {
		return 0, nil, store.ErrLeaseLost
	}
	r, err := q.get(id)
	if err != nil {
		return 0, nil, err
	}
	if r == nil || r.State != stateLeased || r.Attempts != job.Attempts {
		return 0, nil, store.ErrLeaseLost
	}
	return id, r, nil
}

// promoteDue moves every delayed job whose due time has passed to the ready
// index, in due order.
func (q *queueTx) promoteDue(now int64) error {
	var due [][]byte
	c := q.delayed.Cursor()
	for k, _ := c.First(); k != nil && keyTime(k) <= now; k, _ = c.Next() {
		due = append(due, append([]byte(nil), k...))
	}
	for _, k := range due {
		if err := q.delayed.Delete(k); err != nil {
			return fmt.Errorf("promoting delayed job: %w", err)
		}
		id := keyID(k)
		r, err := q.get(id)
		if err != nil {
			return err
		}
		if r == nil {
			continue // stale index entry: nothing to promote
		}
		if err := q.makeReady(id, r, keyTime(k)); err != nil {
			return err
		}
	}
	return nil
}

// takeNext removes and returns the next claimable job: one whose lease has
// expired first, then the oldest ready one. It returns a nil record when
// there is none. Stale index entries are dropped on the way.
func (q *queueTx) takeNext(now int64) (uint64, *jobRecord, error) {
	for {
		idx, key, id := q.firstClaimable(now)
		if key == nil {
			return 0, nil, nil
		}
		if err := idx.Delete(key); err != nil {
			return 0, nil, fmt.Errorf("taking job %d: %w", id, err)
		}
		r, err := q.get(id)
		if err != nil || r != nil {
			return id, r, err
		}
	}
}

// firstClaimable returns the index bucket, index key and job id of the next
// claimable job, or a nil key.
func (q *queueTx) firstClaimable(now int64) (*bolt.Bucket, []byte, uint64) {
	if k, v := q.leases.Cursor().First(); k != nil && keyTime(k) <= now {
		return q.leases, append([]byte(nil), k...), keyID(v)
	}
	if k, v := q.ready.Cursor().First(); k != nil {
		return q.ready, append([]byte(nil), k...), keyID(v)
	}
	return nil, nil, 0
}

// nextDeadline returns when the queue may next have a claimable job without
// any Enqueue or Nack: the earliest due time or lease deadline (0 if none).
func (q *queueTx) nextDeadline() int64 {
	var next int64
	for _, b := range []*bolt.Bucket{q.delayed, q.leases} {
		if k, _ := b.Cursor().First(); k != nil && (next == 0 || keyTime(k) < next) {
			next = keyTime(k)
		}
	}
	return next
}

// after returns t plus d in Unix nanoseconds, saturating instead of
// overflowing for absurdly long durations.
func after(t int64, d time.Duration) int64 {
	if d > 0 && t > math.MaxInt64-int64(d) {
		return math.MaxInt64
	}
	return t + int64(d)
}
