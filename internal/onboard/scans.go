package onboard

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// RecordScan records a finished scan of the repository's default branch
// (a baseline or a push scan; pull request scans do not count towards
// coverage). A result older than the one recorded is kept only as the last
// success when it is one. Recording any result completes the repository's
// baseline for the Planner.
func (inv *Inventory) RecordScan(ctx context.Context, repoID int64, scan LastScan) error {
	if scan.At.IsZero() {
		scan.At = inv.now()
	}
	scan.At = scan.At.UTC()
	_, _, err := update(ctx, inv.KV, idKey(keyScan, repoID), func(cur LastScan, exists bool) (LastScan, bool) {
		if !exists {
			next := scan
			next.LastSuccessAt = scan.lastSuccess()
			return next, true
		}
		success := cur.lastSuccess()
		if s := scan.lastSuccess(); s.After(success) {
			success = s
		}
		next := cur
		if !scan.At.Before(cur.At) {
			next = scan
		}
		next.LastSuccessAt = success
		return next, !sameJSON(cur, next)
	})
	return wrapf(err, "recording scan of repository %d", repoID)
}

// Scans returns the recorded scans by repository ID.
func (inv *Inventory) Scans(ctx context.Context) (map[int64]LastScan, error) {
	return scanJSON[LastScan](ctx, inv.KV, keyScan)
}

// MarkLostAccess records that GitHub refused the app access to a
// repository the inventory lists (a scan got 404 or 403, say): coverage
// reports it as "app lost access" until Reconcile lists it again.
func (inv *Inventory) MarkLostAccess(ctx context.Context, repoID int64, why string) error {
	_, err := inv.updateRepo(ctx, repoID, func(cur *Repo, exists bool) bool {
		if !exists {
			return false
		}
		cur.LostAccess, cur.LostAccessReason = true, why
		return true
	})
	return err
}

// RecordPush records a push to the repository's default branch (call it
// from the push webhook), keeping the newest.
func (inv *Inventory) RecordPush(ctx context.Context, repoID int64, sha string, at time.Time) error {
	if at.IsZero() {
		at = inv.now()
	}
	push := Push{SHA: sha, At: at.UTC()}
	_, _, err := update(ctx, inv.KV, idKey(keyPush, repoID), func(cur Push, exists bool) (Push, bool) {
		return push, !exists || push.At.After(cur.At)
	})
	return wrapf(err, "recording push to repository %d", repoID)
}

// StaleRepo is a repository whose scan result did not arrive.
type StaleRepo struct {
	// Repo is the repository.
	Repo Repo `json:"repo"`
	// Push is the push still waiting for a scan.
	Push Push `json:"push"`
	// LastScan is the latest scan, nil when it never was.
	LastScan *LastScan `json:"last_scan,omitempty"`
	// Waiting is how long the push has waited; WaitingSeconds is the same
	// in whole seconds, for JSON.
	Waiting        time.Duration `json:"-"`
	WaitingSeconds int64         `json:"waiting_seconds"`
}

// Stale lists the active repositories with a push but no scan since then
// for longer than StaleGrace: results that stopped arriving. A scan counts
// when it scanned the pushed commit or finished after the push. Longest
// waiting first.
func (inv *Inventory) Stale(ctx context.Context) ([]StaleRepo, error) {
	grace := inv.StaleGrace
	if grace <= 0 {
		grace = DefaultStaleGrace
	}
	pushes, err := scanJSON[Push](ctx, inv.KV, keyPush)
	if err != nil {
		return nil, err
	}
	scans, err := inv.Scans(ctx)
	if err != nil {
		return nil, err
	}
	now := inv.now()
	var out []StaleRepo
	for id, push := range pushes {
		waiting := now.Sub(push.At)
		scan, scanned := scans[id]
		if waiting <= grace || (scanned && (scan.Commit == push.SHA || !scan.At.Before(push.At))) {
			continue
		}
		repo, found, err := inv.Repo(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("stale repositories: %w", err)
		}
		if !found || !repo.Active() {
			continue
		}
		s := StaleRepo{Repo: repo, Push: push, Waiting: waiting, WaitingSeconds: int64(waiting / time.Second)}
		if scanned {
			s.LastScan = &scan
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Waiting != out[j].Waiting {
			return out[i].Waiting > out[j].Waiting
		}
		return out[i].Repo.ID < out[j].Repo.ID
	})
	return out, nil
}
