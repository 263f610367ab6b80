package exceptions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/store"
)

// KeyPrefix namespaces every exception key in the store.
const KeyPrefix = "exceptions:x:"

// Defaults.
const (
	// DefaultMaxDuration caps an exception's life when the policy says
	// nothing.
	DefaultMaxDuration = 90 * 24 * time.Hour
	sweepLock          = "exceptions:sweep"
	sweepLockTTL       = time.Minute
	maxAttempts        = 20
)

// Errors of the Store's operations, matched with errors.Is.
var (
	// ErrNotFound: no exception of that scope in the repository.
	ErrNotFound = errors.New("no such exception")
	// ErrActive: an exception of that scope is already requested or approved.
	ErrActive = errors.New("an exception of that scope is already requested or approved")
	// ErrState: the exception is not in a state the operation accepts.
	ErrState = errors.New("the exception is not in a state that allows this")
	// ErrConflict: too many concurrent writers.
	ErrConflict = errors.New("exception changed concurrently too often")
)

// Store keeps exceptions in a store.KV. It is safe for concurrent use,
// across replicas.
type Store struct {
	// KV holds the records (required).
	KV store.KV
	// Locker makes the expiry sweep run on one replica at a time (optional).
	Locker store.Locker
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Request is what a /conviso exception command asks for.
type Request struct {
	Repo        Repo
	Scope       Scope
	FindingRule string
	Kind        policy.ExceptionKind
	Reason      string
	// Until is the expiry asked for; zero: the longest allowed.
	Until time.Time
	// MaxDuration is the policy's cap (DefaultMaxDuration when 0).
	MaxDuration time.Duration
	By          string
	CommentID   int64
	CommentURL  string
	PullRequest int
}

// Actor is who changes an exception, from which comment and pull request.
type Actor struct {
	Login       string
	CommentURL  string
	PullRequest int
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Request records a requested exception. It returns the exception and
// whether it was created now: the same request again (same scope,
// requester and comment) returns the stored one unchanged; another
// request while one is active fails with ErrActive. An earlier revoked or
// expired exception of the scope is replaced, its history kept. An expiry
// beyond the maximum is capped (the change's note says so).
func (s *Store) Request(ctx context.Context, r Request) (Exception, bool, error) {
	if !r.Scope.Valid() {
		return Exception{}, false, fmt.Errorf("requesting an exception: invalid scope %q", r.Scope)
	}
	var created bool
	e, err := s.update(ctx, r.Repo.ID, r.Scope, true, func(old *Exception) (*Exception, error) {
		if old != nil && old.State.Active() {
			if old.RequestedBy == r.By && old.CommentID == r.CommentID {
				return nil, nil
			}
			return nil, fmt.Errorf("%s is %s: %w", r.Scope, old.State, ErrActive)
		}
		created = true
		return s.newException(old, r), nil
	})
	return e, created, err
}

// newException builds the requested exception, carrying old's history.
func (s *Store) newException(old *Exception, r Request) *Exception {
	now := s.now()
	maxDur := r.MaxDuration
	if maxDur <= 0 {
		maxDur = DefaultMaxDuration
	}
	until, note := r.Until, ""
	if limit := now.Add(maxDur); until.IsZero() || until.After(limit) {
		if !until.IsZero() {
			note = "expiry capped at the policy's maximum duration"
		}
		until = limit
	}
	e := &Exception{Repo: r.Repo, Scope: r.Scope, FindingRule: r.FindingRule, Kind: r.Kind, Reason: r.Reason,
		Until: until, RequestedBy: r.By, CommentID: r.CommentID, Created: now}
	if old != nil {
		e.History = old.History
	}
	e.addPR(r.PullRequest)
	e.record(Change{State: StateRequested, By: r.By, At: now, CommentURL: r.CommentURL, Note: note})
	return e
}

// Approve approves a requested exception. Approving it again (by anyone)
// changes nothing and returns it; any other state fails with ErrState.
func (s *Store) Approve(ctx context.Context, repoID int64, scope Scope, a Actor, via []string) (Exception, bool, error) {
	changed := false
	e, err := s.update(ctx, repoID, scope, false, func(old *Exception) (*Exception, error) {
		switch old.State {
		case StateApproved:
			return nil, nil
		case StateRequested:
		default:
			return nil, fmt.Errorf("%s is %s: %w", scope, old.State, ErrState)
		}
		changed = true
		old.ApprovedBy, old.ApprovedVia = a.Login, slices.Clone(via)
		old.addPR(a.PullRequest)
		old.record(Change{State: StateApproved, By: a.Login, At: s.now(), CommentURL: a.CommentURL})
		return old, nil
	})
	return e, changed, err
}

// Revoke revokes an approved exception or withdraws a request. Revoking
// a revoked one changes nothing; an expired one fails with ErrState.
func (s *Store) Revoke(ctx context.Context, repoID int64, scope Scope, a Actor) (Exception, bool, error) {
	changed := false
	e, err := s.update(ctx, repoID, scope, false, func(old *Exception) (*Exception, error) {
		switch old.State {
		case StateRevoked:
			return nil, nil
		case StateExpired:
			return nil, fmt.Errorf("%s is %s: %w", scope, old.State, ErrState)
		}
		changed = true
		old.addPR(a.PullRequest)
		old.record(Change{State: StateRevoked, By: a.Login, At: s.now(), CommentURL: a.CommentURL})
		return old, nil
	})
	return e, changed, err
}

// Touch records that pr was evaluated with the exception (the expiry
// sweep re-evaluates it); it writes only when pr is new to it.
func (s *Store) Touch(ctx context.Context, repoID int64, scope Scope, pr int) error {
	_, err := s.update(ctx, repoID, scope, false, func(old *Exception) (*Exception, error) {
		if !old.addPR(pr) {
			return nil, nil
		}
		return old, nil
	})
	return err
}

// Get returns the exception of scope in the repository, or ErrNotFound.
func (s *Store) Get(ctx context.Context, repoID int64, scope Scope) (Exception, error) {
	e, _, err := s.get(ctx, key(repoID, scope))
	if err != nil {
		return Exception{}, err
	}
	if e == nil {
		return Exception{}, fmt.Errorf("%s: %w", scope, ErrNotFound)
	}
	return *e, nil
}

// List returns the repository's exceptions, in every state, by scope.
func (s *Store) List(ctx context.Context, repoID int64) ([]Exception, error) {
	return s.scan(ctx, repoPrefix(repoID))
}

// Approved returns the repository's approved exceptions in the policy's
// form (Runner.Exceptions): policy.Evaluate checks expiry, kinds, duration
// and approvers again at evaluation time.
func (s *Store) Approved(ctx context.Context, repoID int64) ([]policy.Exception, error) {
	all, err := s.List(ctx, repoID)
	if err != nil {
		return nil, err
	}
	var out []policy.Exception
	for _, e := range all {
		if e.State == StateApproved {
			out = append(out, e.Policy())
		}
	}
	return out, nil
}

// ExpireDue marks every requested or approved exception whose expiry has
// passed as expired and returns them (with the pull requests to
// re-evaluate). Only one replica sweeps at a time: when another holds the
// sweep lock, it returns nothing.
func (s *Store) ExpireDue(ctx context.Context, owner string) ([]Exception, error) {
	if s.Locker != nil {
		ok, err := s.Locker.Acquire(ctx, sweepLock, owner, sweepLockTTL)
		if err != nil || !ok {
			return nil, err
		}
		defer func() { _ = s.Locker.Release(context.WithoutCancel(ctx), sweepLock, owner) }()
	}
	all, err := s.scan(ctx, KeyPrefix)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var expired []Exception
	for _, e := range all {
		if !e.State.Active() || e.Until.After(now) {
			continue
		}
		got, changed, err := s.expire(ctx, e.Repo.ID, e.Scope, now)
		if err != nil {
			return expired, err
		}
		if changed {
			expired = append(expired, got)
		}
	}
	return expired, nil
}

// expire marks one exception expired when it is still due.
func (s *Store) expire(ctx context.Context, repoID int64, scope Scope, now time.Time) (Exception, bool, error) {
	changed := false
	e, err := s.update(ctx, repoID, scope, false, func(old *Exception) (*Exception, error) {
		if !old.State.Active() || old.Until.After(now) {
			return nil, nil
		}
		changed = true
		old.record(Change{State: StateExpired, At: now, Note: "expired on " + old.Until.Format(time.DateOnly)})
		return old, nil
	})
	return e, changed, err
}

// FalsePositivesByRule counts, per rule, the false-positive exceptions
// ever approved (in any state since) in one repository, or in every
// repository when repoID is 0: the gate-tuning report's input. A finding
// exception whose rule is unknown counts under "".
func FalsePositivesByRule(ctx context.Context, kv store.KV, repoID int64) (map[string]int, error) {
	prefix := KeyPrefix
	if repoID != 0 {
		prefix = repoPrefix(repoID)
	}
	all, err := (&Store{KV: kv}).scan(ctx, prefix)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, e := range all {
		if e.Kind != policy.KindFalsePositive || !e.everApproved() {
			continue
		}
		rule := e.Scope.RuleID
		if rule == "" {
			rule = e.FindingRule
		}
		counts[rule]++
	}
	return counts, nil
}

// everApproved reports whether the current exception (not an earlier one
// of the scope) was approved.
func (e Exception) everApproved() bool {
	for i := len(e.History) - 1; i >= 0; i-- {
		switch e.History[i].State {
		case StateApproved:
			return true
		case StateRequested:
			return false
		}
	}
	return false
}

// update applies fn to the stored exception (nil when absent, allowed only
// with mayCreate) with CompareAndSwap, retrying on concurrent changes. fn
// returns nil to leave it as it is.
func (s *Store) update(ctx context.Context, repoID int64, scope Scope, mayCreate bool,
	fn func(old *Exception) (*Exception, error)) (Exception, error) {
	k := key(repoID, scope)
	for attempt := 0; attempt < maxAttempts; attempt++ {
		old, raw, err := s.get(ctx, k)
		if err != nil {
			return Exception{}, err
		}
		if old == nil && !mayCreate {
			return Exception{}, fmt.Errorf("%s: %w", scope, ErrNotFound)
		}
		next, err := fn(old)
		if err != nil || next == nil {
			if old == nil {
				return Exception{}, err
			}
			return *old, err
		}
		body, err := json.Marshal(next)
		if err != nil {
			return Exception{}, fmt.Errorf("encoding exception %s: %w", scope, err)
		}
		ok, err := s.KV.CompareAndSwap(ctx, k, raw, body, 0)
		if err != nil {
			return Exception{}, fmt.Errorf("writing exception %s: %w", scope, err)
		}
		if ok {
			return *next, nil
		}
	}
	return Exception{}, fmt.Errorf("writing exception %s: %w", scope, ErrConflict)
}

// get reads one record and its raw bytes; nil, nil, nil when absent.
func (s *Store) get(ctx context.Context, k string) (*Exception, []byte, error) {
	raw, err := s.KV.Get(ctx, k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading exception %s: %w", k, err)
	}
	var e Exception
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, nil, fmt.Errorf("decoding exception %s: %w", k, err)
	}
	return &e, raw, nil
}

// scan returns the records under prefix, sorted by repository and scope.
func (s *Store) scan(ctx context.Context, prefix string) ([]Exception, error) {
	var out []Exception
	err := s.KV.Scan(ctx, prefix, func(k string, v []byte) (bool, error) {
		var e Exception
		if err := json.Unmarshal(v, &e); err != nil {
			return false, fmt.Errorf("decoding exception %s: %w", k, err)
		}
		out = append(out, e)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing exceptions: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Repo.ID != out[j].Repo.ID {
			return out[i].Repo.ID < out[j].Repo.ID
		}
		return out[i].Scope.String() < out[j].Scope.String()
	})
	return out, nil
}
