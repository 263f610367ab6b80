package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

// maxCASAttempts bounds optimistic retries of one read-modify-write; more
// conflicts than this on one key mean something is writing it in a loop.
const maxCASAttempts = 20

// errContended is returned when a read-modify-write keeps losing its race.
var errContended = errors.New("onboard: too many concurrent updates")

// getJSON reads key into v; it reports false when the key is absent.
func getJSON(ctx context.Context, kv store.KV, key string, v any) (bool, error) {
	raw, err := kv.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", key, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decoding %s: %w", key, err)
	}
	return true, nil
}

// putJSON writes v under key.
func putJSON(ctx context.Context, kv store.KV, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", key, err)
	}
	if err := kv.Put(ctx, key, raw, ttl); err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	return nil
}

// update applies fn to the record under key atomically (compare-and-swap,
// retried on conflict). fn gets the current value (zero when absent) and
// whether it existed, and returns the new value and whether to write it.
// update returns the old and new values.
func update[T any](ctx context.Context, kv store.KV, key string, fn func(cur T, exists bool) (T, bool)) (old, next T, err error) {
	for range maxCASAttempts {
		raw, err := kv.Get(ctx, key)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return old, next, fmt.Errorf("reading %s: %w", key, err)
		}
		var cur T
		if exists {
			if err := json.Unmarshal(raw, &cur); err != nil {
				return old, next, fmt.Errorf("decoding %s: %w", key, err)
			}
		} else {
			raw = nil
		}
		next, write := fn(cur, exists) // records are plain values: fn gets a copy
		if !write {
			return cur, cur, nil
		}
		enc, err := json.Marshal(next)
		if err != nil {
			return old, next, fmt.Errorf("encoding %s: %w", key, err)
		}
		swapped, err := kv.CompareAndSwap(ctx, key, raw, enc, 0)
		if err != nil {
			return old, next, fmt.Errorf("writing %s: %w", key, err)
		}
		if swapped {
			return cur, next, nil
		}
	}
	return old, next, fmt.Errorf("updating %s: %w", key, errContended)
}

// scanJSON decodes every record under prefix, keyed by the numeric ID that
// follows the prefix.
func scanJSON[T any](ctx context.Context, kv store.KV, prefix string) (map[int64]T, error) {
	out := map[int64]T{}
	err := kv.Scan(ctx, prefix, func(key string, value []byte) (bool, error) {
		id, err := strconv.ParseInt(strings.TrimPrefix(key, prefix), 10, 64)
		if err != nil {
			return true, nil // not one of ours (a longer prefix sharing this one)
		}
		var v T
		if err := json.Unmarshal(value, &v); err != nil {
			return false, fmt.Errorf("decoding %s: %w", key, err)
		}
		out[id] = v
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", prefix, err)
	}
	return out, nil
}

// wrapf wraps err with a formatted context, or returns nil for a nil err.
func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
