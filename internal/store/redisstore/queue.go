package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/conviso/conviso-github-app/internal/store"
)

var (
	errNilJob       = errors.New("redisstore: nil job")
	errBadLease     = errors.New("redisstore: lease must be positive")
	errNoConsumer   = errors.New("redisstore: empty consumer name")
	errNegativeTime = errors.New("redisstore: negative duration")
)

// jobBlob is the stored form of a job's immutable fields.
type jobBlob struct {
	Kind     string `json:"k"`
	DedupKey string `json:"d,omitempty"`
	Payload  []byte `json:"p,omitempty"`
}

// Enqueue stores job in one script: dedup check (SET NX PX) and XADD. A
// dedupTTL of zero or less disables deduplication for this call. On success
// job.ID and job.EnqueuedAt are set.
func (s *Store) Enqueue(ctx context.Context, job *store.Job, dedupTTL time.Duration) (bool, error) {
	if job == nil {
		return false, fmt.Errorf("enqueuing job: %w", errNilJob)
	}
	blob, err := json.Marshal(jobBlob{Kind: job.Kind, DedupKey: job.DedupKey, Payload: job.Payload})
	if err != nil {
		return false, fmt.Errorf("encoding %s job: %w", job.Kind, err)
	}
	keys := []string{s.k.stream, s.k.jobs, s.k.entries}
	if job.DedupKey != "" && dedupTTL > 0 {
		keys = append(keys, s.k.dedup+job.DedupKey)
	}
	id, err := enqueueScript.Run(ctx, s.rdb, keys, blob, millis(dedupTTL)).Text()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueuing %s job: %w", job.Kind, err)
	}
	job.ID, job.EnqueuedAt = id, enqueuedAt(id)
	return true, nil
}

// enqueuedAt extracts the server time from a stream entry ID ("ms-seq").
func enqueuedAt(id string) time.Time {
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}

// claimResult is the decoded reply of claimScript.
type claimResult struct {
	job    *store.Job
	retry  bool
	next   time.Duration // until the next due/lease deadline; -1 if none
	lastID string        // newest stream entry, to block for newer ones
}

// Claim leases the next claimable job to consumer, waiting up to wait for
// one. Between attempts it blocks in XREAD for a new stream entry, no longer
// than the next known deadline or the max-block duration. A waiting Claim
// holds one pooled connection, so the client's pool must be larger than the
// number of concurrent Claim callers.
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
		res, err := s.tryClaim(ctx, consumer, lease)
		if err != nil || res.job != nil {
			return res.job, err
		}
		if res.retry {
			continue
		}
		block := min(time.Until(giveUp), s.maxBlock)
		if block <= 0 {
			return nil, nil
		}
		if res.next >= 0 {
			block = min(block, res.next)
		}
		if err := s.waitForEntry(ctx, res.lastID, block); err != nil {
			return nil, err
		}
	}
}

func (s *Store) tryClaim(ctx context.Context, consumer string, lease time.Duration) (claimResult, error) {
	keys := []string{s.k.stream, s.k.delayed, s.k.leases, s.k.attempts, s.k.entries, s.k.jobs}
	reply, err := s.run(ctx, claimScript, keys, group, consumer, millis(lease))
	if err != nil {
		return claimResult{}, fmt.Errorf("claiming job: %w", err)
	}
	r, _ := reply.([]any)
	if len(r) == 0 {
		return claimResult{}, fmt.Errorf("claiming job: unexpected reply %v", reply)
	}
	switch asInt(r[0]) {
	case 1:
		job, err := decodeClaim(r)
		return claimResult{job: job}, err
	case 2:
		return claimResult{retry: true}, nil
	}
	if len(r) < 3 {
		return claimResult{}, fmt.Errorf("claiming job: unexpected reply %v", reply)
	}
	next := time.Duration(asInt(r[1])) * time.Millisecond
	return claimResult{next: next, lastID: asString(r[2])}, nil
}

// decodeClaim builds the Job of a successful claimScript reply
// {1, id, attempts, encoded job}.
func decodeClaim(r []any) (*store.Job, error) {
	if len(r) < 4 {
		return nil, fmt.Errorf("claiming job: unexpected reply %v", r)
	}
	id := asString(r[1])
	var b jobBlob
	if err := json.Unmarshal([]byte(asString(r[3])), &b); err != nil {
		return nil, fmt.Errorf("decoding claimed job %s: %w", id, err)
	}
	return &store.Job{
		ID:         id,
		Kind:       b.Kind,
		DedupKey:   b.DedupKey,
		Payload:    b.Payload,
		Attempts:   int(asInt(r[2])),
		EnqueuedAt: enqueuedAt(id),
	}, nil
}

// waitForEntry blocks until the stream has an entry newer than lastID or d
// passes. Because lastID was read in the same script that found nothing to
// claim, an entry added since then is never missed.
func (s *Store) waitForEntry(ctx context.Context, lastID string, d time.Duration) error {
	args := &redis.XReadArgs{
		Streams: []string{s.k.stream, lastID},
		Count:   1,
		Block:   time.Duration(max(millis(d), 1)) * time.Millisecond, // 0 would block forever
	}
	err := s.rdb.XRead(ctx, args).Err()
	if err == nil || errors.Is(err, redis.Nil) {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("claiming job: waiting for new jobs: %w", err)
}

// Extend renews the lease of a job the caller still holds.
func (s *Store) Extend(ctx context.Context, job *store.Job, lease time.Duration) error {
	if job == nil {
		return fmt.Errorf("extending lease: %w", errNilJob)
	}
	if lease <= 0 {
		return fmt.Errorf("extending lease of job %s: %w", job.ID, errBadLease)
	}
	keys := []string{s.k.stream, s.k.leases, s.k.attempts, s.k.entries}
	err := s.held(ctx, extendScript, keys, job, millis(lease))
	if err != nil {
		return fmt.Errorf("extending lease of job %s: %w", job.ID, err)
	}
	return nil
}

// Ack removes a job the caller still holds.
func (s *Store) Ack(ctx context.Context, job *store.Job) error {
	if job == nil {
		return fmt.Errorf("acknowledging job: %w", errNilJob)
	}
	keys := []string{s.k.stream, s.k.leases, s.k.attempts, s.k.entries, s.k.jobs}
	if err := s.held(ctx, ackScript, keys, job); err != nil {
		return fmt.Errorf("acknowledging job %s: %w", job.ID, err)
	}
	return nil
}

// Nack gives a job the caller holds back to the queue after delay, or moves
// it to the dead-letter set once it has been claimed maxAttempts times.
// maxAttempts of zero or less means no limit.
func (s *Store) Nack(ctx context.Context, job *store.Job, delay time.Duration, maxAttempts int) error {
	if job == nil {
		return fmt.Errorf("nacking job: %w", errNilJob)
	}
	if delay < 0 {
		return fmt.Errorf("nacking job %s: %w", job.ID, errNegativeTime)
	}
	keys := []string{s.k.stream, s.k.leases, s.k.attempts, s.k.entries, s.k.delayed, s.k.dead}
	if err := s.held(ctx, nackScript, keys, job, millis(delay), maxAttempts); err != nil {
		return fmt.Errorf("nacking job %s: %w", job.ID, err)
	}
	return nil
}

// held runs a script that acts on a job only while the caller holds its
// lease; a 0 reply means store.ErrLeaseLost.
func (s *Store) held(ctx context.Context, sc *redis.Script, keys []string, job *store.Job, extra ...any) error {
	args := append([]any{group, job.ID, strconv.Itoa(job.Attempts)}, extra...)
	reply, err := s.run(ctx, sc, keys, args...)
	if err != nil {
		return err
	}
	if asInt(reply) == 0 {
		return store.ErrLeaseLost
	}
	return nil
}

// Stats reports queue depth. Ready counts delayed jobs too; OldestReadyAge
// is how long the longest-waiting claimable job has been claimable.
func (s *Store) Stats(ctx context.Context) (store.QueueStats, error) {
	keys := []string{s.k.stream, s.k.delayed, s.k.leases, s.k.dead}
	reply, err := s.run(ctx, statsScript, keys, group)
	if err != nil {
		return store.QueueStats{}, fmt.Errorf("reading queue stats: %w", err)
	}
	r, _ := reply.([]any)
	if len(r) < 4 {
		return store.QueueStats{}, fmt.Errorf("reading queue stats: unexpected reply %v", reply)
	}
	return store.QueueStats{
		Ready:          asInt(r[0]),
		InFlight:       asInt(r[1]),
		Dead:           asInt(r[2]),
		OldestReadyAge: time.Duration(asInt(r[3])) * time.Millisecond,
	}, nil
}
