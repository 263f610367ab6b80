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

var (
	errEmptyKey   = errors.New("redisstore: empty key")
	errEmptyOwner = errors.New("redisstore: empty lock owner")
	errBadTTL     = errors.New("redisstore: ttl must not be negative")
	errBadLockTTL = errors.New("redisstore: lock ttl must be positive")
)

// scanCount is the COUNT hint of each SCAN call.
const scanCount = 256

func checkKey(key string, ttl time.Duration) error {
	if key == "" {
		return errEmptyKey
	}
	if ttl < 0 {
		return errBadTTL
	}
	return nil
}

// expiration converts a ttl to whole milliseconds for go-redis (0 = none).
func expiration(ttl time.Duration) time.Duration {
	return time.Duration(millis(ttl)) * time.Millisecond
}

// Get returns the value of key or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if key == "" {
		return nil, fmt.Errorf("getting key: %w", errEmptyKey)
	}
	v, err := s.rdb.Get(ctx, s.k.kv+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("getting key %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting key %q: %w", key, err)
	}
	return v, nil
}

// Put sets key to value; ttl 0 means no expiry (and clears an earlier one).
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkKey(key, ttl); err != nil {
		return fmt.Errorf("putting key %q: %w", key, err)
	}
	if err := s.rdb.Set(ctx, s.k.kv+key, value, expiration(ttl)).Err(); err != nil {
		return fmt.Errorf("putting key %q: %w", key, err)
	}
	return nil
}

// PutIfAbsent sets key only when it does not exist (SET NX).
func (s *Store) PutIfAbsent(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := checkKey(key, ttl); err != nil {
		return false, fmt.Errorf("putting key %q if absent: %w", key, err)
	}
	ok, err := s.rdb.SetNX(ctx, s.k.kv+key, value, expiration(ttl)).Result()
	if err != nil {
		return false, fmt.Errorf("putting key %q if absent: %w", key, err)
	}
	return ok, nil
}

// CompareAndSwap sets key to value only when its current value equals old;
// old nil means the key must be absent. It runs as one Lua script.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	if err := checkKey(key, ttl); err != nil {
		return false, fmt.Errorf("compare-and-swapping key %q: %w", key, err)
	}
	absent := "0"
	if old == nil {
		absent = "1"
	}
	n, err := casScript.Run(ctx, s.rdb, []string{s.k.kv + key}, absent, old, value, millis(ttl)).Int()
	if err != nil {
		return false, fmt.Errorf("compare-and-swapping key %q: %w", key, err)
	}
	return n == 1, nil
}

// Delete removes key; deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if key == "" {
		return fmt.Errorf("deleting key: %w", errEmptyKey)
	}
	if err := s.rdb.Del(ctx, s.k.kv+key).Err(); err != nil {
		return fmt.Errorf("deleting key %q: %w", key, err)
	}
	return nil
}

// Scan calls fn for every live key with the given prefix, using SCAN MATCH
// on the escaped prefix. Keys SCAN reports twice are passed to fn once; fn
// may use the store.
func (s *Store) Scan(ctx context.Context, prefix string, fn func(key string, value []byte) (bool, error)) error {
	match := escapeGlob(s.k.kv+prefix) + "*"
	seen := map[string]bool{}
	var cursor uint64
	for {
		keys, next, err := s.rdb.Scan(ctx, cursor, match, scanCount).Result()
		if err != nil {
			return fmt.Errorf("scanning prefix %q: %w", prefix, err)
		}
		more, err := s.visit(ctx, keys, seen, fn)
		if err != nil || !more || next == 0 {
			return err
		}
		cursor = next
	}
}

// visit reads the values of one SCAN batch and passes the live ones to fn.
func (s *Store) visit(ctx context.Context, keys []string, seen map[string]bool,
	fn func(key string, value []byte) (bool, error)) (bool, error) {
	var fresh []string
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			fresh = append(fresh, k)
		}
	}
	if len(fresh) == 0 {
		return true, nil
	}
	vals, err := s.rdb.MGet(ctx, fresh...).Result()
	if err != nil {
		return false, fmt.Errorf("reading scanned keys: %w", err)
	}
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue // expired or deleted since SCAN saw it
		}
		more, err := fn(strings.TrimPrefix(fresh[i], s.k.kv), []byte(str))
		if err != nil || !more {
			return false, err
		}
	}
	return true, nil
}

// Acquire takes the lock for owner when it is free (SET NX PX) or renews
// it when owner already holds it, atomically.
func (s *Store) Acquire(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	ok, err := s.lockScript(ctx, acquireScript, key, owner, ttl)
	if err != nil {
		return false, fmt.Errorf("acquiring lock %q: %w", key, err)
	}
	return ok, nil
}

// Refresh renews a lock held by owner; it reports false when owner no
// longer holds it.
func (s *Store) Refresh(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	ok, err := s.lockScript(ctx, refreshScript, key, owner, ttl)
	if err != nil {
		return false, fmt.Errorf("refreshing lock %q: %w", key, err)
	}
	return ok, nil
}

// Release frees a lock held by owner; a lock held by someone else is left
// alone.
func (s *Store) Release(ctx context.Context, key, owner string) error {
	if _, err := s.lockScript(ctx, releaseScript, key, owner, time.Second); err != nil {
		return fmt.Errorf("releasing lock %q: %w", key, err)
	}
	return nil
}

// lockScript validates a lock call and runs its compare-owner script.
func (s *Store) lockScript(ctx context.Context, sc *redis.Script, key, owner string, ttl time.Duration) (bool, error) {
	switch {
	case key == "":
		return false, errEmptyKey
	case owner == "":
		return false, errEmptyOwner
	case ttl <= 0:
		return false, errBadLockTTL
	}
	n, err := sc.Run(ctx, s.rdb, []string{s.k.lock + key}, owner, millis(ttl)).Int()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}
