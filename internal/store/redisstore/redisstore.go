// Package redisstore implements store.Store on Redis, for replicas that share
// one Redis (standalone or Sentinel-managed; Redis 6.2 or newer).
//
// Every key lives under a configurable prefix (default "conviso:"):
//
//	<prefix>q:stream    stream of ready jobs, read through consumer group "conviso"
//	<prefix>q:jobs      hash job ID -> encoded job (kind, dedup key, payload)
//	<prefix>q:attempts  hash job ID -> number of claims so far (the lease token)
//	<prefix>q:entries   hash job ID -> the job's current stream entry ID
//	<prefix>q:leases    sorted set job ID by lease deadline (Redis server ms)
//	<prefix>q:delayed   sorted set job ID by due time (Redis server ms)
//	<prefix>q:dead      sorted set job ID by time of death (dead-letter set)
//	<prefix>dedup:<key> dedup markers (SET NX PX)
//	<prefix>kv:<key>    KV entries
//	<prefix>lock:<key>  locks holding the owner token
//
// A job's ID is the stream entry ID of its first enqueue. Every queue state
// change runs as one Lua script, so it is atomic across replicas, and every
// deadline is computed from the Redis server clock, so replicas' clocks do
// not need to agree. Claim blocks in XREAD on the stream (no polling) in
// slices of at most the max-block duration.
//
// Leases are tracked per job in q:leases rather than through XAUTOCLAIM's
// idle time, because Claim and Extend take a per-call lease duration and a
// single XAUTOCLAIM min-idle-time cannot honour several. A job whose lease
// passed is moved to the claiming consumer with XCLAIM (so the consumer
// group's pending list always names the holder), and Extend resets the
// entry's idle time with XCLAIM JUSTID. Attempts are counted in q:attempts,
// which also serves as the lease token: Ack, Nack and Extend succeed only
// when the caller's Job.Attempts matches, so a consumer whose job was
// reclaimed gets store.ErrLeaseLost.
//
// All keys of one script are passed as KEYS, so with a prefix containing a
// hash tag (for example "{conviso}:") every key maps to one cluster slot.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/conviso/conviso-github-app/internal/store"
)

// Compile-time check that Store implements the contract.
var _ store.Store = (*Store)(nil)

const (
	// DefaultPrefix namespaces all keys unless WithPrefix says otherwise.
	DefaultPrefix = "conviso:"
	// group is the consumer group every replica reads the stream through.
	group           = "conviso"
	defaultMaxBlock = time.Second
)

// Store is a store.Store backed by Redis. It is safe for concurrent use.
type Store struct {
	rdb        redis.UniversalClient
	k          keys
	maxBlock   time.Duration
	ownsClient bool
}

type keys struct {
	prefix                                                 string
	stream, jobs, attempts, entries, leases, delayed, dead string
	dedup, kv, lock                                        string
}

func newKeys(prefix string) keys {
	return keys{
		prefix:   prefix,
		stream:   prefix + "q:stream",
		jobs:     prefix + "q:jobs",
		attempts: prefix + "q:attempts",
		entries:  prefix + "q:entries",
		leases:   prefix + "q:leases",
		delayed:  prefix + "q:delayed",
		dead:     prefix + "q:dead",
		dedup:    prefix + "dedup:",
		kv:       prefix + "kv:",
		lock:     prefix + "lock:",
	}
}

type options struct {
	prefix   string
	maxBlock time.Duration
}

// Option configures Open and New.
type Option func(*options)

// WithPrefix namespaces every key under prefix instead of DefaultPrefix.
func WithPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithMaxBlock bounds one blocking stream read in Claim (default 1s). It is
// how late a waiting Claim may notice a cancelled context, or a delayed job
// or lease that another replica set to fall due during the wait.
func WithMaxBlock(d time.Duration) Option {
	return func(o *options) {
		if d >= time.Millisecond {
			o.maxBlock = d
		}
	}
}

// Open connects to the Redis at redisURL (redis:// or rediss://), checks it
// answers and prepares the queue. Close closes the connection.
func Open(ctx context.Context, redisURL string, opts ...Option) (*Store, error) {
	ropts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("parsing redis URL: %w", err) // the URL may hold a password: not echoed
	}
	client := redis.NewClient(ropts)
	s, err := New(ctx, client, opts...)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	s.ownsClient = true
	return s, nil
}

// New uses an existing client and prepares the queue (creating the stream
// and consumer group when missing). Close leaves the client open.
func New(ctx context.Context, client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	o := options{prefix: DefaultPrefix, maxBlock: defaultMaxBlock}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Store{rdb: client, k: newKeys(o.prefix), maxBlock: o.maxBlock}
	if err := s.ensureGroup(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// ensureGroup creates the stream and its consumer group unless they exist.
func (s *Store) ensureGroup(ctx context.Context) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.stream, group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("creating consumer group on %s: %w", s.k.stream, err)
	}
	return nil
}

// Backend returns "redis".
func (s *Store) Backend() string { return "redis" }

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("pinging redis: %w", err)
	}
	return nil
}

// Close closes the client when the Store was made by Open.
func (s *Store) Close() error {
	if !s.ownsClient {
		return nil
	}
	if err := s.rdb.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("closing redis client: %w", err)
	}
	return nil
}

// run runs a queue script, recreating the stream and consumer group once if
// they vanished (for example after a FLUSHDB).
func (s *Store) run(ctx context.Context, sc *redis.Script, keys []string, args ...any) (any, error) {
	res, err := sc.Run(ctx, s.rdb, keys, args...).Result()
	if err != nil && strings.Contains(err.Error(), "NOGROUP") {
		if gerr := s.ensureGroup(ctx); gerr != nil {
			return nil, gerr
		}
		res, err = sc.Run(ctx, s.rdb, keys, args...).Result()
	}
	return res, err
}

// millis converts d to whole milliseconds, rounding up so that a positive
// duration never becomes 0 (which Redis reads as "no expiry" or "forever").
func millis(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// escapeGlob escapes the characters SCAN MATCH treats as a pattern.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func asInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
