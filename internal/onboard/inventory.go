package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/ghclient"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Inventory is the app's durable record of installations and the
// repositories they cover, with the latest scan and push of each. It is
// safe for concurrent use, also across replicas sharing one store: every
// record is updated with compare-and-swap.
type Inventory struct {
	// KV holds the records (required).
	KV store.KV
	// Clock stamps records and measures staleness (default the system clock).
	Clock ghclient.Clock
	// StaleGrace is how long after a push Stale waits for a scan result
	// (default DefaultStaleGrace).
	StaleGrace time.Duration
}

func (inv *Inventory) now() time.Time {
	if inv.Clock == nil {
		return time.Now().UTC()
	}
	return inv.Clock.Now().UTC()
}

// Installation returns the installation's record; found is false when
// the inventory has none.
func (inv *Inventory) Installation(ctx context.Context, id int64) (rec Installation, found bool, err error) {
	found, err = getJSON(ctx, inv.KV, idKey(keyInstallation, id), &rec)
	return rec, found, err
}

// Installations lists every installation record (deleted ones included),
// by ID.
func (inv *Inventory) Installations(ctx context.Context) ([]Installation, error) {
	m, err := scanJSON[Installation](ctx, inv.KV, keyInstallation)
	if err != nil {
		return nil, err
	}
	out := make([]Installation, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Repo returns the repository's record; found is false when the
// inventory has none.
func (inv *Inventory) Repo(ctx context.Context, id int64) (rec Repo, found bool, err error) {
	found, err = getJSON(ctx, inv.KV, idKey(keyRepo, id), &rec)
	return rec, found, err
}

// Repos lists every repository record (removed ones included), by full
// name.
func (inv *Inventory) Repos(ctx context.Context) ([]Repo, error) {
	m, err := scanJSON[Repo](ctx, inv.KV, keyRepo)
	if err != nil {
		return nil, err
	}
	out := make([]Repo, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sortRepos(out)
	return out, nil
}

// sortRepos orders repositories by full name (case-insensitively), then ID.
func sortRepos(repos []Repo) {
	sort.Slice(repos, func(i, j int) bool {
		a, b := strings.ToLower(repos[i].FullName), strings.ToLower(repos[j].FullName)
		if a != b {
			return a < b
		}
		return repos[i].ID < repos[j].ID
	})
}

// updateInstallation applies fn to the installation's record, creating it
// when absent, and stamps UpdatedAt when it changed.
func (inv *Inventory) updateInstallation(ctx context.Context, id int64, fn func(*Installation)) (Installation, error) {
	now := inv.now()
	_, next, err := update(ctx, inv.KV, idKey(keyInstallation, id), func(cur Installation, _ bool) (Installation, bool) {
		next := cur
		next.ID = id
		fn(&next)
		if sameJSON(cur, next) {
			return cur, false
		}
		next.UpdatedAt = now
		return next, true
	})
	if err != nil {
		return next, fmt.Errorf("updating installation %d: %w", id, err)
	}
	return next, nil
}

// updateRepo applies fn to the repository's record (fn gets exists=false
// and a zero Repo when there is none; returning false leaves it as is),
// stamps UpdatedAt when it changed, and returns what changed.
func (inv *Inventory) updateRepo(ctx context.Context, id int64, fn func(r *Repo, exists bool) bool) (Diff, error) {
	now := inv.now()
	var existed, wrote bool
	old, next, err := update(ctx, inv.KV, idKey(keyRepo, id), func(cur Repo, exists bool) (Repo, bool) {
		existed, wrote = exists, false
		next := cur
		next.ID = id
		if !fn(&next, exists) || (exists && sameJSON(cur, next)) {
			return cur, false
		}
		next.UpdatedAt, wrote = now, true
		return next, true
	})
	if err != nil || !wrote {
		return Diff{}, wrapf(err, "updating repository %d", id)
	}
	return diffRepo(old, next, existed), nil
}

// sameJSON reports whether two records encode alike.
func sameJSON(a, b any) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

// cover makes r covered by installationID from now on: a repository that
// was not covered (new or removed) gets AddedAt now.
func cover(r *Repo, exists bool, installationID int64, now time.Time) {
	if !exists || r.Removed {
		r.AddedAt = now
	}
	r.InstallationID = installationID
	r.Removed, r.RemovedAt, r.RemovedReason = false, time.Time{}, ""
}

// remove marks r no longer covered, for reason.
func remove(r *Repo, reason RemovedReason, now time.Time) {
	if !r.Removed {
		r.RemovedAt = now
	}
	r.Removed, r.RemovedReason = true, reason
}

// removeRepos removes every covered repository of the installation for
// which keep returns false.
func (inv *Inventory) removeRepos(ctx context.Context, installationID int64, reason RemovedReason, keep func(Repo) bool) (Diff, error) {
	repos, err := inv.Repos(ctx)
	if err != nil {
		return Diff{}, err
	}
	var d Diff
	now := inv.now()
	for _, r := range repos {
		if r.InstallationID != installationID || r.Removed || keep(r) {
			continue
		}
		got, err := inv.updateRepo(ctx, r.ID, func(cur *Repo, exists bool) bool {
			if !exists || cur.InstallationID != installationID || cur.Removed || keep(*cur) {
				return false
			}
			remove(cur, reason, now)
			return true
		})
		if err != nil {
			return d, err
		}
		d.merge(got)
	}
	return d, nil
}
