package gatehistory

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

// maxRepoLen bounds a repository name in keys.
const maxRepoLen = 200

// Store records and lists gate evaluations on a store.KV (bbolt or Redis).
type Store struct {
	// KV holds the entries (required).
	KV store.KV
	// Retention is how long entries are kept (DefaultRetention when 0).
	Retention time.Duration
	// Now gives the current time (time.Now when nil).
	Now func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Record stores e under its repository's and its day's keys, setting ID
// and At when empty.
func (s *Store) Record(ctx context.Context, e Entry) (Entry, error) {
	if err := checkRepo(e.Repo); err != nil {
		return e, fmt.Errorf("recording gate history: %w", err)
	}
	if e.ID == "" {
		e.ID = newID()
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return e, fmt.Errorf("encoding gate history entry: %w", err)
	}
	ttl := cmp.Or(s.Retention, DefaultRetention)
	for _, k := range []string{repoKey(e), dayKey(e)} {
		if err := s.KV.Put(ctx, k, b, ttl); err != nil {
			return e, fmt.Errorf("recording gate history of %s: %w", e.Repo, err)
		}
	}
	return e, nil
}

func checkRepo(repo string) error {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.ContainsAny(repo, ": \t\n") || len(repo) > maxRepoLen {
		return fmt.Errorf("%q is not a repository (expected owner/name)", repo)
	}
	return nil
}

// List returns the entries f selects, newest first. With a repository it
// reads that repository's keys (only the days of the range when the range
// is bounded); without, the global index of each day of the range
// (DefaultWindow back from Until when Since is zero, at most MaxDays).
func (s *Store) List(ctx context.Context, f Filter) ([]Entry, error) {
	if f.Repo != "" {
		if err := checkRepo(f.Repo); err != nil {
			return nil, fmt.Errorf("listing gate history: %w", err)
		}
	}
	if f.Until.IsZero() {
		f.Until = s.now().Add(time.Second)
	}
	if f.Since.IsZero() && f.Repo == "" {
		f.Since = f.Until.Add(-DefaultWindow)
	}
	if !f.Since.IsZero() && !f.Since.Before(f.Until) {
		return nil, errors.New("listing gate history: since must be before until")
	}
	var out []Entry
	keep := func(_ string, v []byte) (bool, error) {
		var e Entry
		if err := json.Unmarshal(v, &e); err != nil {
			return true, nil // a corrupt entry is skipped, not fatal
		}
		if f.match(e) {
			out = append(out, e)
		}
		return true, nil
	}
	for _, prefix := range f.prefixes() {
		if err := s.KV.Scan(ctx, prefix, keep); err != nil {
			return nil, fmt.Errorf("listing gate history: %w", err)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Or(b.At.Compare(a.At), strings.Compare(b.ID, a.ID)) })
	return out[:min(len(out), f.limit())], nil
}

func (f Filter) limit() int {
	if f.Limit <= 0 {
		return DefaultLimit
	}
	return min(f.Limit, MaxLimit)
}

// prefixes are the key prefixes to read: one per day of the range, or
// the repository's whole prefix when its range is unbounded or longer
// than MaxDays. A global range is cut to its last MaxDays days.
func (f Filter) prefixes() []string {
	long := f.Since.IsZero() || f.Until.Sub(f.Since) > MaxDays*24*time.Hour
	if f.Repo != "" && long {
		return []string{keyPrefix + repoPart + f.Repo + ":"}
	}
	base := keyPrefix + dayPart
	if f.Repo != "" {
		base = keyPrefix + repoPart + f.Repo + ":"
	}
	var out []string
	for _, d := range days(f.Since, f.Until) {
		out = append(out, base+d+":")
	}
	return out
}

// days lists the UTC days from since to until (exclusive), at most the
// last MaxDays + 1.
func days(since, until time.Time) []string {
	start := day(since)
	if limit := day(until).AddDate(0, 0, -MaxDays); start.Before(limit) {
		start = limit
	}
	var out []string
	for d := start; d.Before(until); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(dayFormat))
	}
	return out
}

func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (f Filter) match(e Entry) bool {
	return (f.Repo == "" || e.Repo == f.Repo) &&
		(len(f.Status) == 0 || slices.Contains(f.Status, e.Status)) &&
		(f.Since.IsZero() || !e.At.Before(f.Since)) &&
		(f.Until.IsZero() || e.At.Before(f.Until))
}
