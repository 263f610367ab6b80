package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/conviso/conviso-github-app/internal/store"
)

var (
	errEmptyKey   = errors.New("boltstore: empty key")
	errEmptyOwner = errors.New("boltstore: empty lock owner")
	errBadTTL     = errors.New("boltstore: ttl must not be negative")
	errBadLockTTL = errors.New("boltstore: lock ttl must be positive")
)

// scanBatch is how many entries Scan reads per transaction. fn runs outside
// any transaction, so it may call the store.
const scanBatch = 256

// expiry converts a ttl (0 = never) into an absolute expiry from now.
func expiry(now int64, ttl time.Duration) int64 {
	if ttl == 0 {
		return 0
	}
	return after(now, ttl)
}

func checkKey(key string, ttl time.Duration) error {
	if key == "" {
		return errEmptyKey
	}
	if ttl < 0 {
		return errBadTTL
	}
	return nil
}

// Get returns the value of key or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if key == "" {
		return nil, fmt.Errorf("getting key: %w", errEmptyKey)
	}
	var val []byte
	err := s.view(func(tx *bolt.Tx) error {
		v, ok := getLive(tx, bucketKV, []byte(key), time.Now().UnixNano())
		if !ok {
			return store.ErrNotFound
		}
		val = bytes.Clone(v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("getting key %q: %w", key, err)
	}
	return val, nil
}

// Put sets key to value; ttl 0 means no expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := s.putWhen(ctx, key, value, ttl, func([]byte, bool) bool { return true })
	if err != nil {
		return fmt.Errorf("putting key %q: %w", key, err)
	}
	return nil
}

// PutIfAbsent sets key only when it does not exist (or expired).
func (s *Store) PutIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ok, err := s.putWhen(ctx, key, value, ttl, func(_ []byte, exists bool) bool { return !exists })
	if err != nil {
		return false, fmt.Errorf("putting key %q if absent: %w", key, err)
	}
	return ok, nil
}

// CompareAndSwap sets key to value only when its current value equals old;
// old nil means the key must be absent.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	ok, err := s.putWhen(ctx, key, value, ttl, func(cur []byte, exists bool) bool {
		if old == nil {
			return !exists
		}
		return exists && bytes.Equal(cur, old)
	})
	if err != nil {
		return false, fmt.Errorf("compare-and-swapping key %q: %w", key, err)
	}
	return ok, nil
}

// putWhen sets key to value in one transaction when cond, given the current
// live value, allows it.
func (s *Store) putWhen(ctx context.Context, key string, value []byte, ttl time.Duration,
	cond func(cur []byte, exists bool) bool) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := checkKey(key, ttl); err != nil {
		return false, err
	}
	done := false
	err := s.update(func(tx *bolt.Tx) error {
		now := time.Now().UnixNano()
		cur, exists := getLive(tx, bucketKV, []byte(key), now)
		if !cond(cur, exists) {
			return nil
		}
		done = true
		return putExpiring(tx, bucketKV, []byte(key), value, expiry(now, ttl))
	})
	return done, err
}

// Delete removes key; deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return fmt.Errorf("deleting key: %w", errEmptyKey)
	}
	err := s.update(func(tx *bolt.Tx) error {
		return deleteExpiring(tx, bucketKV, []byte(key))
	})
	if err != nil {
		return fmt.Errorf("deleting key %q: %w", key, err)
	}
	return nil
}

type kvPair struct{ key, value []byte }

// Scan calls fn for every live key with the given prefix, in key order. It
// reads in batches and calls fn outside any transaction, so fn may use the
// store (for example to delete the key it is given).
func (s *Store) Scan(ctx context.Context, prefix string, fn func(key string, value []byte) (bool, error)) error {
	from := []byte(prefix)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := s.scanBatch([]byte(prefix), from)
		if err != nil {
			return fmt.Errorf("scanning prefix %q: %w", prefix, err)
		}
		for _, p := range batch {
			more, err := fn(string(p.key), p.value)
			if err != nil || !more {
				return err
			}
		}
		if len(batch) < scanBatch {
			return nil
		}
		from = append(batch[len(batch)-1].key, 0) // the next possible key
	}
}

// scanBatch returns up to scanBatch live entries with prefix, from key from on.
func (s *Store) scanBatch(prefix, from []byte) ([]kvPair, error) {
	var batch []kvPair
	err := s.view(func(tx *bolt.Tx) error {
		now := time.Now().UnixNano()
		c := tx.Bucket(bucketKV).Cursor()
		for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if !live(v, now) {
				continue
			}
			batch = append(batch, kvPair{bytes.Clone(k), bytes.Clone(v[headerLen:])})
			if len(batch) == scanBatch {
				break
			}
		}
		return nil
	})
	return batch, err
}

// Acquire takes the lock for owner when it is free, expired or already
// held by owner (which renews it).
func (s *Store) Acquire(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	ok, err := s.lockUpdate(ctx, key, owner, ttl, func(cur []byte, held bool) bool {
		return !held || string(cur) == owner
	})
	if err != nil {
		return false, fmt.Errorf("acquiring lock %q: %w", key, err)
	}
	return ok, nil
}

// Refresh renews a lock held by owner; it reports false when owner no
// longer holds it.
func (s *Store) Refresh(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	ok, err := s.lockUpdate(ctx, key, owner, ttl, func(cur []byte, held bool) bool {
		return held && string(cur) == owner
	})
	if err != nil {
		return false, fmt.Errorf("refreshing lock %q: %w", key, err)
	}
	return ok, nil
}

// Release frees a lock held by owner; a lock held by someone else is left
// alone.
func (s *Store) Release(ctx context.Context, key, owner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkLock(key, owner, time.Second); err != nil {
		return fmt.Errorf("releasing lock %q: %w", key, err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		cur, held := getLive(tx, bucketLocks, []byte(key), time.Now().UnixNano())
		if !held || string(cur) != owner {
			return nil
		}
		return deleteExpiring(tx, bucketLocks, []byte(key))
	})
	if err != nil {
		return fmt.Errorf("releasing lock %q: %w", key, err)
	}
	return nil
}

// lockUpdate sets the lock to owner for ttl when cond, given the current
// live holder, allows it.
func (s *Store) lockUpdate(ctx context.Context, key, owner string, ttl time.Duration,
	cond func(cur []byte, held bool) bool) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := checkLock(key, owner, ttl); err != nil {
		return false, err
	}
	done := false
	err := s.update(func(tx *bolt.Tx) error {
		now := time.Now().UnixNano()
		cur, held := getLive(tx, bucketLocks, []byte(key), now)
		if !cond(cur, held) {
			return nil
		}
		done = true
		return putExpiring(tx, bucketLocks, []byte(key), []byte(owner), after(now, ttl))
	})
	return done, err
}

func checkLock(key, owner string, ttl time.Duration) error {
	switch {
	case key == "":
		return errEmptyKey
	case owner == "":
		return errEmptyOwner
	case ttl <= 0:
		return errBadLockTTL
	}
	return nil
}
