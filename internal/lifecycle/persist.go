package lifecycle

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

// meta is what a repository stores besides its records.
type meta struct {
	// Version counts the committed scans of the repository.
	Version int64 `json:"version"`
	// AppliedScans are State.AppliedScans.
	AppliedScans []string `json:"applied_scans"`
}

// snapshot is a repository's state as read, with the stored bytes each
// write must compare against.
type snapshot struct {
	state   State
	version int64
	meta    []byte            // nil when absent
	raw     map[string][]byte // by fingerprint
}

// load reads a repository's meta, then its records.
func (t *Tracker) load(ctx context.Context, repoID string) (snapshot, error) {
	snap := snapshot{state: State{RepoID: repoID}}
	raw, err := t.KV.Get(ctx, MetaPrefix+repoID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return snap, fmt.Errorf("reading scan ids: %w", err)
	default:
		var m meta
		if err := json.Unmarshal(raw, &m); err != nil {
			return snap, fmt.Errorf("decoding %s: %w", MetaPrefix+repoID, err)
		}
		snap.meta, snap.version, snap.state.AppliedScans = raw, m.Version, m.AppliedScans
	}
	snap.state.Records, snap.raw, err = t.scanRecords(ctx, repoID)
	return snap, err
}

// scanRecords reads every record of a repository, by fingerprint, with the
// stored bytes.
func (t *Tracker) scanRecords(ctx context.Context, repoID string) (map[string]Record, map[string][]byte, error) {
	prefix := RecordKey(repoID, "")
	recs, raws := map[string]Record{}, map[string][]byte{}
	err := t.KV.Scan(ctx, prefix, func(key string, value []byte) (bool, error) {
		var rec Record
		if err := json.Unmarshal(value, &rec); err != nil {
			return false, fmt.Errorf("decoding %s: %w", key, err)
		}
		fp := strings.TrimPrefix(key, prefix)
		if rec.Fingerprint != fp {
			return false, fmt.Errorf("record %s holds fingerprint %q", key, rec.Fingerprint)
		}
		recs[fp], raws[fp] = rec, value
		return true, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading finding records: %w", err)
	}
	return recs, raws, nil
}

// commit writes the records of next that differ from snap, then the meta.
// It reports false when another writer got there first (some records may
// be written then: Apply skips them on the retry), with the fingerprints
// it did write.
func (t *Tracker) commit(ctx context.Context, snap snapshot, next State) (map[string]bool, bool, error) {
	written := map[string]bool{}
	for _, fp := range sortedKeys(next.Records) {
		old := snap.raw[fp]
		ok, err := t.swap(ctx, RecordKey(next.RepoID, fp), old, next.Records[fp])
		if err != nil || !ok {
			return written, false, err
		}
		written[fp] = true
	}
	m := meta{Version: snap.version + 1, AppliedScans: next.AppliedScans}
	ok, err := t.swap(ctx, MetaPrefix+next.RepoID, snap.meta, m)
	return written, ok, err
}

// repoLock is one Record call's hold on a repository's lock.
type repoLock struct {
	locker     store.Locker
	key, owner string
	ttl, wait  time.Duration
}

func (t *Tracker) newLock(repoID string) *repoLock {
	return &repoLock{
		locker: t.Locker, key: LockPrefix + repoID, owner: newOwner(),
		ttl: cmpOr(t.LockTTL, DefaultLockTTL), wait: cmpOr(t.LockWait, DefaultLockWait),
	}
}

// acquire takes the lock, waiting up to l.wait.
func (l *repoLock) acquire(ctx context.Context) error {
	wait, cancel := context.WithTimeout(ctx, l.wait)
	defer cancel()
	for attempt := 1; ; attempt++ {
		ok, err := l.locker.Acquire(wait, l.key, l.owner, l.ttl)
		if err != nil {
			return fmt.Errorf("acquiring lock %s: %w", l.key, err)
		}
		if ok {
			return nil
		}
		if err := backoff(wait, attempt); err != nil {
			return fmt.Errorf("waiting for lock %s: %w", l.key, err)
		}
	}
}

// held renews the lock and reports whether it was still held (it is not
// when this holder outlived the lock's ttl and another took it).
func (l *repoLock) held(ctx context.Context) (bool, error) {
	ok, err := l.locker.Refresh(ctx, l.key, l.owner, l.ttl)
	if err != nil {
		return false, fmt.Errorf("renewing lock %s: %w", l.key, err)
	}
	return ok, nil
}

func (l *repoLock) release(ctx context.Context) {
	_ = l.locker.Release(context.WithoutCancel(ctx), l.key, l.owner)
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// newOwner returns a random lock owner token.
func newOwner() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "lifecycle-" + hex.EncodeToString(b)
}

// backoff sleeps a jittered, exponentially growing delay (2ms doubling up
// to 100ms) or until ctx ends.
func backoff(ctx context.Context, attempt int) error {
	limit := min(2*time.Millisecond<<min(attempt-1, 6), 100*time.Millisecond)
	delay := limit/2 + mrand.N(limit/2+1)
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
