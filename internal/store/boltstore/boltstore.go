// Package boltstore implements store.Store on a single bbolt file: the
// embedded, single-machine default back-end.
//
// Every operation runs in one bbolt transaction, so a crash never leaves
// anything half-written. Lease deadlines, delays and expiries are stored in
// the file as wall-clock times, so after a restart a job that was in flight
// when the process died becomes claimable again once its lease expires.
//
// The file is locked while open: a second process (or a second Open in the
// same process) fails after the open timeout instead of hanging.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/conviso/conviso-github-app/internal/store"
)

// Compile-time check that Store implements the contract.
var _ store.Store = (*Store)(nil)

// ErrClosed is returned by operations on a closed Store.
var ErrClosed = errors.New("boltstore: store closed")

const (
	defaultOpenTimeout   = time.Second
	defaultSweepInterval = time.Minute
	fileMode             = 0o600
)

// Store is a store.Store backed by one bbolt file. It is safe for concurrent
// use by multiple goroutines.
type Store struct {
	db     *bolt.DB
	wake   *notifier
	closed chan struct{}
	done   chan struct{}
	once   sync.Once
}

type options struct {
	openTimeout   time.Duration
	sweepInterval time.Duration
}

// Option configures Open.
type Option func(*options)

// WithOpenTimeout sets how long Open waits for the file lock held by another
// process before failing (default 1s). It must be positive.
func WithOpenTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.openTimeout = d
		}
	}
}

// WithSweepInterval sets how often expired keys, dedup entries and locks are
// purged from the file (default 1 minute). Zero disables the background
// sweep; expired entries are still ignored on read.
func WithSweepInterval(d time.Duration) Option {
	return func(o *options) {
		if d >= 0 {
			o.sweepInterval = d
		}
	}
}

// Open opens (creating it with mode 0600 when missing) the bbolt file at path.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{openTimeout: defaultOpenTimeout, sweepInterval: defaultSweepInterval}
	for _, opt := range opts {
		opt(&o)
	}
	db, err := bolt.Open(path, fileMode, &bolt.Options{Timeout: o.openTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("opening bolt store %s: file is locked by another process (waited %s): %w",
			path, o.openTimeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("opening bolt store %s: %w", path, err)
	}
	if err := db.Update(createBuckets); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("initialising bolt store %s: %w", path, err)
	}
	s := &Store{
		db:     db,
		wake:   newNotifier(),
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	go s.sweepLoop(o.sweepInterval)
	return s, nil
}

func createBuckets(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %q: %w", name, err)
		}
	}
	return nil
}

// Backend returns "bolt".
func (s *Store) Backend() string { return "bolt" }

// Ping reports whether the file is open and readable.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.view(func(*bolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("pinging bolt store: %w", err)
	}
	return nil
}

// Close stops the background sweep, wakes waiting Claims and closes the file.
// Calling Close more than once is harmless.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		close(s.closed)
		<-s.done
		if cerr := s.db.Close(); cerr != nil {
			err = fmt.Errorf("closing bolt store: %w", cerr)
		}
	})
	return err
}

// update runs fn in a read-write transaction, mapping a closed database to
// ErrClosed.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	return mapClosed(s.db.Update(fn))
}

// view runs fn in a read-only transaction, mapping a closed database to
// ErrClosed.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return mapClosed(s.db.View(fn))
}

func mapClosed(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

func (s *Store) sweepLoop(interval time.Duration) {
	defer close(s.done)
	if interval <= 0 {
		<-s.closed
		return
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-ticker.C:
			// A failed sweep is retried on the next tick; reads ignore
			// expired entries regardless.
			_ = s.Sweep()
		}
	}
}

// Sweep deletes every expired KV entry, dedup key and lock from the file. It
// runs periodically in the background; calling it directly is only useful in
// tests and maintenance tools.
func (s *Store) Sweep() error {
	for {
		n, err := s.sweepBatch(time.Now().UnixNano())
		if err != nil {
			return fmt.Errorf("sweeping expired entries: %w", err)
		}
		if n < sweepBatchSize {
			return nil
		}
	}
}

// notifier lets Claim wait for Enqueue, Nack and Extend without polling: a
// waiter takes the current channel, and broadcast closes it.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
}
