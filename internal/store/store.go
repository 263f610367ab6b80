// Package store defines the durable queue, key-value state and lock contract
// that the app runs on. Two back-ends implement it: an embedded bbolt file
// (store/boltstore, the single-machine default) and Redis (store/redisstore,
// shared by replicas). Both pass the same conformance suite in
// store/storetest.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by KV.Get when a key does not exist (or expired).
var ErrNotFound = errors.New("store: not found")

// ErrLeaseLost is returned by Ack, Nack and Extend when the caller no longer
// holds the job's lease (it expired and the job was reclaimed by another
// consumer, or it was already acknowledged).
var ErrLeaseLost = errors.New("store: job lease lost")

// Job is one unit of durable work.
type Job struct {
	// ID is assigned by the queue on Enqueue and is unique within the queue.
	ID string
	// Kind names what the job does, e.g. "webhook".
	Kind string
	// DedupKey, when not empty, makes Enqueue idempotent: a second Enqueue
	// with the same key within the dedup window is dropped. Webhooks use the
	// X-GitHub-Delivery GUID.
	DedupKey string
	// Payload is opaque to the queue.
	Payload []byte
	// Attempts counts how many times the job has been claimed, including the
	// current claim (1 on the first claim).
	Attempts int
	// EnqueuedAt is when the job was first enqueued.
	EnqueuedAt time.Time
}

// QueueStats describes the queue for health checks and metrics.
type QueueStats struct {
	// Ready is the number of jobs waiting to be claimed (including delayed ones).
	Ready int64
	// InFlight is the number of claimed, unacknowledged jobs.
	InFlight int64
	// Dead is the number of jobs that exhausted their attempts.
	Dead int64
	// OldestReadyAge is the age of the oldest waiting job (0 when none).
	OldestReadyAge time.Duration
}

// Queue is a durable at-least-once work queue with leases.
//
// A claimed job is leased to one consumer; if the lease expires before Ack or
// Nack (the consumer died), the job becomes claimable again by any consumer.
type Queue interface {
	// Enqueue durably stores job. It returns false, nil when job.DedupKey was
	// already enqueued within dedupTTL (the job is then not stored again).
	// The assigned ID is written to job.ID when enqueued.
	Enqueue(ctx context.Context, job *Job, dedupTTL time.Duration) (bool, error)
	// Claim leases the next ready job (or one whose lease expired) to
	// consumer for lease. It waits up to wait for one and returns nil, nil
	// when none arrived.
	Claim(ctx context.Context, consumer string, lease, wait time.Duration) (*Job, error)
	// Extend renews the lease of a claimed job.
	Extend(ctx context.Context, job *Job, lease time.Duration) error
	// Ack removes a completed job.
	Ack(ctx context.Context, job *Job) error
	// Nack gives a claimed job back to the queue, claimable again after
	// delay. When the job has been claimed maxAttempts times or more it is
	// moved to the dead-letter set instead.
	Nack(ctx context.Context, job *Job, delay time.Duration, maxAttempts int) error
	// Stats reports queue depth for health and metrics.
	Stats(ctx context.Context) (QueueStats, error)
}

// KV is namespaced key-value state with optional expiry.
type KV interface {
	// Get returns the value of key or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put sets key to value. ttl 0 means no expiry.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// PutIfAbsent sets key only when it does not exist; it reports whether it
	// did. It is atomic across replicas.
	PutIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// CompareAndSwap sets key to value only when its current value equals
	// old (old nil means "absent"); it reports whether it did. Atomic.
	CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Scan calls fn for every live key with the given prefix, in no
	// particular order, until fn returns false or an error.
	Scan(ctx context.Context, prefix string, fn func(key string, value []byte) (bool, error)) error
}

// Locker provides mutual exclusion across replicas with owner tokens and
// expiry, so that a dead holder never blocks forever.
type Locker interface {
	// Acquire takes the lock for owner when it is free or expired; it
	// reports whether owner now holds it. Re-acquiring a lock one already
	// holds succeeds and renews it.
	Acquire(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	// Refresh renews a lock held by owner; it reports false when owner no
	// longer holds it.
	Refresh(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	// Release frees a lock held by owner; releasing a lock held by someone
	// else does nothing.
	Release(ctx context.Context, key, owner string) error
}

// Store is everything the app keeps: its queue, its state and its locks.
type Store interface {
	Queue
	KV
	Locker
	// Ping checks that the back-end is reachable (used by /readyz).
	Ping(ctx context.Context) error
	// Backend names the implementation ("bolt" or "redis").
	Backend() string
	// Close releases the back-end's resources.
	Close() error
}
