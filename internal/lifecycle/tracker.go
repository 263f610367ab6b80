package lifecycle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Key namespaces. Records live under RecordPrefix + repoID + ":" +
// fingerprint; the applied scan ids of a repository under MetaPrefix +
// repoID; the lock serialising its scans under LockPrefix + repoID.
const (
	RecordPrefix = "lifecycle:"
	MetaPrefix   = "lifecycle-meta:"
	LockPrefix   = "lifecycle-lock:"
)

// Defaults of Tracker's zero fields.
const (
	DefaultLockTTL  = time.Minute
	DefaultLockWait = 2 * time.Minute
	// maxAttempts bounds the optimistic retries of one Record or SetDecision.
	maxAttempts = 64
)

// ErrConflict is returned when a write kept losing races with other writers
// of the same repository for maxAttempts attempts.
var ErrConflict = errors.New("lifecycle: too many concurrent updates")

// Tracker keeps the finding lifecycles of repositories in a store. The
// Locker serialises the scans of one repository across goroutines and
// replicas; on top of it, every write is a CompareAndSwap of what was read,
// so even writers that overlap (a holder outliving its lock) never lose
// each other's updates. Decisions touch one record and rely on
// CompareAndSwap alone. A Tracker is safe for concurrent use.
type Tracker struct {
	// KV holds the records (required).
	KV store.KV
	// Locker serialises Record per repository (required).
	Locker store.Locker
	// Now gives the time of decisions; time.Now when nil.
	Now func() time.Time
	// LockTTL is how long the lock of a crashed replica blocks others
	// (DefaultLockTTL when 0). Record renews it before each commit.
	LockTTL time.Duration
	// LockWait bounds the wait for the lock (DefaultLockWait when 0).
	LockWait time.Duration
}

// Filter selects records in List. Empty fields match everything; a record
// must match every non-empty field (any of the values of a list).
type Filter struct {
	// Status lists the statuses to keep.
	Status []Status
	// Severity lists the current severities to keep.
	Severity []findings.Severity
	// Scanner keeps the findings of one scanner.
	Scanner string
}

// Match reports whether rec passes the filter.
func (f Filter) Match(rec Record) bool {
	return (len(f.Status) == 0 || slices.Contains(f.Status, rec.Status)) &&
		(len(f.Severity) == 0 || slices.Contains(f.Severity, rec.Severity)) &&
		(f.Scanner == "" || f.Scanner == rec.Scanner)
}

// RecordKey is the store key of one finding's record.
func RecordKey(repoID, fingerprint string) string {
	return RecordPrefix + repoID + ":" + fingerprint
}

// Record applies scan to the stored state of its repository (see Apply)
// and returns the changes. A scan id already applied changes nothing and
// returns no changes.
func (t *Tracker) Record(ctx context.Context, scan Scan) ([]Change, error) {
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("recording scan: %w", err)
	}
	if err := scan.Validate(); err != nil {
		return nil, fmt.Errorf("recording scan: %w", err)
	}
	lock := t.newLock(scan.RepoID)
	if err := lock.acquire(ctx); err != nil {
		return nil, fmt.Errorf("recording scan %q of repository %q: %w", scan.ScanID, scan.RepoID, err)
	}
	defer lock.release(ctx)
	changes, err := t.record(ctx, scan, lock)
	if err != nil {
		return nil, fmt.Errorf("recording scan %q of repository %q: %w", scan.ScanID, scan.RepoID, err)
	}
	return changes, nil
}

func (t *Tracker) check() error {
	if t.KV == nil || t.Locker == nil {
		return errors.New("lifecycle.Tracker needs both a KV and a Locker")
	}
	return nil
}

// record loads, applies and commits, holding the lock, until a commit
// wins. The lock is checked just before each commit and taken again if it
// expired. Should writers still overlap (a commit outliving LockTTL),
// CompareAndSwap makes the loser retry on fresh data, so no update is lost;
// changes of records a lost attempt did write are kept, since the retry
// skips those records (their LastScanID is this scan's).
func (t *Tracker) record(ctx context.Context, scan Scan, lock *repoLock) ([]Change, error) {
	var kept []Change
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		snap, err := t.load(ctx, scan.RepoID)
		if err != nil {
			return nil, err
		}
		if snap.state.Applied(scan.ScanID) {
			return kept, nil
		}
		next, changes := Apply(snap.state, scan)
		if ok, err := lock.held(ctx); err != nil || !ok {
			if err == nil {
				err = lock.acquire(ctx)
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		written, ok, err := t.commit(ctx, snap, next)
		if err != nil {
			return nil, err
		}
		if ok {
			return append(kept, changes...), nil
		}
		kept = append(kept, changesOf(changes, written)...)
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
	return nil, ErrConflict
}

func changesOf(changes []Change, fingerprints map[string]bool) []Change {
	var out []Change
	for _, c := range changes {
		if fingerprints[c.Fingerprint] {
			out = append(out, c)
		}
	}
	return out
}

// Get returns the record of one finding; the error wraps store.ErrNotFound
// when there is none.
func (t *Tracker) Get(ctx context.Context, repoID, fingerprint string) (Record, error) {
	rec, _, err := t.get(ctx, repoID, fingerprint)
	return rec, err
}

func (t *Tracker) get(ctx context.Context, repoID, fingerprint string) (Record, []byte, error) {
	if t.KV == nil {
		return Record{}, nil, errors.New("lifecycle.Tracker has no KV")
	}
	if err := checkIDs(repoID, fingerprint); err != nil {
		return Record{}, nil, fmt.Errorf("getting finding record: %w", err)
	}
	raw, err := t.KV.Get(ctx, RecordKey(repoID, fingerprint))
	if err != nil {
		return Record{}, nil, fmt.Errorf("getting finding %s of repository %q: %w", fingerprint, repoID, err)
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Record{}, nil, fmt.Errorf("decoding finding %s of repository %q: %w", fingerprint, repoID, err)
	}
	return rec, raw, nil
}

func checkIDs(repoID, fingerprint string) error {
	if err := checkRepoID(repoID); err != nil {
		return err
	}
	if strings.TrimSpace(fingerprint) == "" {
		return errors.New("fingerprint is empty")
	}
	return nil
}

// List returns the records of a repository that match f, oldest first
// (by creation, then fingerprint).
func (t *Tracker) List(ctx context.Context, repoID string, f Filter) ([]Record, error) {
	if t.KV == nil {
		return nil, errors.New("listing finding records: lifecycle.Tracker has no KV")
	}
	if err := checkRepoID(repoID); err != nil {
		return nil, fmt.Errorf("listing finding records: %w", err)
	}
	recs, _, err := t.scanRecords(ctx, repoID)
	if err != nil {
		return nil, fmt.Errorf("listing finding records of repository %q: %w", repoID, err)
	}
	var out []Record
	for _, r := range recs {
		if f.Match(r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Record) int {
		if c := a.CreatedAt().Compare(b.CreatedAt()); c != 0 {
			return c
		}
		return strings.Compare(a.Fingerprint, b.Fingerprint)
	})
	return out, nil
}

// SetDecision sets a decision status on a finding on behalf of a user (see
// the package's transition table) and returns the updated record. The
// error matches ErrTransitionRefused when the table refuses it, and wraps
// store.ErrNotFound when the finding has no record.
func (t *Tracker) SetDecision(ctx context.Context, repoID, fingerprint string, to Status, actor Actor,
	ev Evidence) (Record, error) {
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		rec, raw, err := t.get(ctx, repoID, fingerprint)
		if err != nil {
			return Record{}, fmt.Errorf("setting decision: %w", err)
		}
		next, _, err := Decide(rec, to, actor, ev, t.now())
		if err != nil {
			return Record{}, fmt.Errorf("setting decision in repository %q: %w", repoID, err)
		}
		ok, err := t.swap(ctx, RecordKey(repoID, fingerprint), raw, next)
		if err != nil {
			return Record{}, fmt.Errorf("setting decision in repository %q: %w", repoID, err)
		}
		if ok {
			return next, nil
		}
		if err := backoff(ctx, attempt); err != nil {
			return Record{}, fmt.Errorf("setting decision on finding %s: %w", fingerprint, err)
		}
	}
	return Record{}, fmt.Errorf("setting decision on finding %s of repository %q: %w", fingerprint, repoID, ErrConflict)
}

func (t *Tracker) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// swap writes v (as JSON) under key when key still holds old (nil: absent).
func (t *Tracker) swap(ctx context.Context, key string, old []byte, v any) (bool, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("encoding %s: %w", key, err)
	}
	if bytes.Equal(b, old) {
		return true, nil
	}
	ok, err := t.KV.CompareAndSwap(ctx, key, old, b, 0)
	if err != nil {
		return false, fmt.Errorf("writing %s: %w", key, err)
	}
	return ok, nil
}
