package onboard

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"
)

// ApplyInstallationEvent records an "installation" webhook: "created"
// (the installation and the repositories it lists), "deleted" (every
// repository leaves scope), "suspend", "unsuspend" and
// "new_permissions_accepted". Other actions change nothing.
//
// An installation event lists repositories by name only: run Reconcile
// after "created" to learn their default branches and flags.
func (inv *Inventory) ApplyInstallationEvent(ctx context.Context, ev *github.InstallationEvent) (Diff, error) {
	inst := ev.GetInstallation()
	id := inst.GetID()
	if id == 0 {
		return Diff{}, fmt.Errorf("installation event without an installation ID")
	}
	action := ev.GetAction()
	switch action {
	case "created", "deleted", "suspend", "unsuspend", "new_permissions_accepted":
	default:
		return Diff{}, nil
	}
	_, err := inv.updateInstallation(ctx, id, func(rec *Installation) {
		fromGitHub(rec, inst)
		rec.Deleted = action == "deleted"
		switch action {
		case "suspend":
			rec.Suspended = true
		case "unsuspend", "created":
			rec.Suspended = false
		}
	})
	if err != nil {
		return Diff{}, err
	}
	switch action {
	case "created":
		return inv.coverRepos(ctx, id, ev.Repositories)
	case "deleted":
		return inv.removeRepos(ctx, id, RemovedInstallationDeleted, func(Repo) bool { return false })
	}
	return Diff{}, nil
}

// fromGitHub copies the installation's account and selection.
func fromGitHub(rec *Installation, inst *github.Installation) {
	if login := inst.GetAccount().GetLogin(); login != "" {
		rec.Account = login
	}
	if typ := inst.GetTargetType(); typ != "" {
		rec.AccountType = typ
	} else if typ := inst.GetAccount().GetType(); typ != "" {
		rec.AccountType = typ
	}
	if sel := inst.GetRepositorySelection(); sel != "" {
		rec.RepositorySelection = sel
	}
	if inst.SuspendedAt != nil {
		rec.Suspended = true
	}
}

// ApplyInstallationRepositoriesEvent records an
// "installation_repositories" webhook: repositories added to or removed
// from an installation (and its new repository selection).
func (inv *Inventory) ApplyInstallationRepositoriesEvent(ctx context.Context, ev *github.InstallationRepositoriesEvent) (Diff, error) {
	id := ev.GetInstallation().GetID()
	if id == 0 {
		return Diff{}, fmt.Errorf("installation_repositories event without an installation ID")
	}
	_, err := inv.updateInstallation(ctx, id, func(rec *Installation) {
		fromGitHub(rec, ev.GetInstallation())
		if sel := ev.GetRepositorySelection(); sel != "" {
			rec.RepositorySelection = sel
		}
	})
	if err != nil {
		return Diff{}, err
	}
	d, err := inv.coverRepos(ctx, id, ev.RepositoriesAdded)
	if err != nil {
		return d, err
	}
	now := inv.now()
	for _, r := range ev.RepositoriesRemoved {
		got, err := inv.updateRepo(ctx, r.GetID(), func(cur *Repo, exists bool) bool {
			if !exists || cur.InstallationID != id {
				return false // unknown, or since moved to another installation
			}
			remove(cur, RemovedFromInstallation, now)
			return true
		})
		if err != nil {
			return d, err
		}
		d.merge(got)
	}
	return d, nil
}

// coverRepos records repositories as covered by the installation, with
// whatever fields the (possibly partial) repository objects carry.
func (inv *Inventory) coverRepos(ctx context.Context, installationID int64, repos []*github.Repository) (Diff, error) {
	var d Diff
	now := inv.now()
	for _, gr := range repos {
		got, err := inv.updateRepo(ctx, gr.GetID(), func(cur *Repo, exists bool) bool {
			cover(cur, exists, installationID, now)
			refresh(cur, gr)
			return true
		})
		if err != nil {
			return d, err
		}
		d.merge(got)
	}
	return d, nil
}

// refresh copies what the repository object tells. Partial objects (from
// installation events: ID, names and visibility only) leave the default
// branch and flags alone.
func refresh(r *Repo, gr *github.Repository) {
	if name := gr.GetFullName(); name != "" {
		r.FullName = name
	}
	r.Private = gr.GetPrivate()
	if gr.DefaultBranch == nil {
		return // partial object
	}
	r.DefaultBranch = gr.GetDefaultBranch()
	r.Archived = gr.GetArchived()
	r.Disabled = gr.GetDisabled()
}

// ApplyRepositoryEvent records a "repository" webhook: "created" (when the
// installation covers all repositories), "deleted", "archived",
// "unarchived", "renamed", "transferred", "publicized", "privatized" and
// "edited" (a new default branch). Any event also adds a repository the
// inventory had missed, since GitHub only sends it to installations that
// can see it.
func (inv *Inventory) ApplyRepositoryEvent(ctx context.Context, ev *github.RepositoryEvent) (Diff, error) {
	gr := ev.GetRepo()
	if gr.GetID() == 0 {
		return Diff{}, fmt.Errorf("repository event without a repository ID")
	}
	instID := ev.GetInstallation().GetID()
	if instID != 0 {
		// The planner plans per known installation: record it if this is
		// the first the inventory hears of it.
		if _, err := inv.updateInstallation(ctx, instID, func(*Installation) {}); err != nil {
			return Diff{}, err
		}
	}
	now := inv.now()
	switch ev.GetAction() {
	case "deleted":
		return inv.updateRepo(ctx, gr.GetID(), func(cur *Repo, exists bool) bool {
			if !exists {
				return false
			}
			remove(cur, RemovedRepositoryDeleted, now)
			return true
		})
	case "created":
		if instID == 0 {
			return Diff{}, nil
		}
		rec, found, err := inv.Installation(ctx, instID)
		if err != nil || (found && rec.RepositorySelection == "selected") {
			return Diff{}, err // a selected installation covers it once added to it
		}
	}
	return inv.updateRepo(ctx, gr.GetID(), func(cur *Repo, exists bool) bool {
		if !exists && instID == 0 {
			return false
		}
		if !exists || cur.Removed || (instID != 0 && cur.InstallationID != instID) {
			cover(cur, exists, instID, now)
		}
		refresh(cur, gr)
		switch ev.GetAction() {
		case "archived", "unarchived":
			cur.Archived = ev.GetAction() == "archived"
		case "publicized", "privatized":
			cur.Private = ev.GetAction() == "privatized"
		}
		return true
	})
}
