package onboard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"
)

// Reconcile lists the installation's repositories (GET
// /installation/repositories, every page of MaxPerPage) with gh, a client
// authenticated as that installation, and brings the inventory in line:
// repositories missing from the inventory are added, those no longer
// listed are removed (RemovedNotListed), and names, default branches and
// flags are refreshed. A missed webhook thus leaves no lasting hole. It
// returns what changed; a second run with nothing new returns an empty
// Diff.
//
// A repository whose record changed after the listing began (an event
// applied meanwhile) is not removed.
func (inv *Inventory) Reconcile(ctx context.Context, installationID int64, gh *github.Client) (Diff, error) {
	started := inv.now()
	listed, err := listInstallationRepos(ctx, gh)
	if err != nil {
		return Diff{}, fmt.Errorf("reconciling installation %d: %w", installationID, err)
	}
	var d Diff
	seen := make(map[int64]bool, len(listed))
	for _, gr := range listed {
		seen[gr.GetID()] = true
		got, err := inv.updateRepo(ctx, gr.GetID(), func(cur *Repo, exists bool) bool {
			if !exists || cur.Removed || cur.InstallationID != installationID {
				cover(cur, exists, installationID, started)
			}
			cur.LostAccess, cur.LostAccessReason = false, ""
			refresh(cur, gr)
			return true
		})
		if err != nil {
			return d, fmt.Errorf("reconciling installation %d: %w", installationID, err)
		}
		d.merge(got)
	}
	gone, err := inv.removeRepos(ctx, installationID, RemovedNotListed, func(r Repo) bool {
		return seen[r.ID] || r.UpdatedAt.After(started)
	})
	d.merge(gone)
	if err != nil {
		return d, fmt.Errorf("reconciling installation %d: %w", installationID, err)
	}
	_, err = inv.updateInstallation(ctx, installationID, func(rec *Installation) {
		rec.ReconciledAt, rec.Deleted = started, false
		if rec.Account == "" && len(listed) > 0 {
			rec.Account = listed[0].GetOwner().GetLogin()
		}
	})
	return d, err
}

// listInstallationRepos returns every repository the installation can see.
func listInstallationRepos(ctx context.Context, gh *github.Client) ([]*github.Repository, error) {
	var all []*github.Repository
	opts := &github.ListOptions{PerPage: MaxPerPage}
	for {
		page, resp, err := gh.Apps.ListRepos(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing installation repositories (page %d): %w", max(opts.Page, 1), err)
		}
		all = append(all, page.Repositories...)
		if resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

// ReconcileAll reconciles every installation of the app: it lists them
// (GET /app/installations, with app, a client authenticated as the app),
// records their account, selection and suspension, marks installations no
// longer listed as deleted (their repositories leave scope), and runs
// Reconcile for each installation that is not suspended, with the client
// installation returns. Errors of single installations are joined; the
// others are still reconciled.
func (inv *Inventory) ReconcileAll(ctx context.Context, app *github.Client,
	installation func(id int64) (*github.Client, error)) (Diff, error) {
	started := inv.now()
	listed, err := listInstallations(ctx, app)
	if err != nil {
		return Diff{}, err
	}
	var d Diff
	var errs []error
	seen := map[int64]bool{}
	for _, gi := range listed {
		seen[gi.GetID()] = true
		got, err := inv.reconcileOne(ctx, gi, installation)
		d.merge(got)
		if err != nil {
			errs = append(errs, err)
		}
	}
	gone, err := inv.forgetInstallations(ctx, seen, started)
	d.merge(gone)
	return d, errors.Join(append(errs, err)...)
}

// reconcileOne records one listed installation and reconciles it.
func (inv *Inventory) reconcileOne(ctx context.Context, gi *github.Installation,
	installation func(id int64) (*github.Client, error)) (Diff, error) {
	rec, err := inv.updateInstallation(ctx, gi.GetID(), func(rec *Installation) {
		fromGitHub(rec, gi)
		rec.Suspended, rec.Deleted = gi.SuspendedAt != nil, false
	})
	if err != nil || rec.Suspended {
		return Diff{}, err
	}
	gh, err := installation(gi.GetID())
	if err != nil {
		return Diff{}, fmt.Errorf("client for installation %d: %w", gi.GetID(), err)
	}
	return inv.Reconcile(ctx, gi.GetID(), gh)
}

// forgetInstallations marks installations not in seen (and not created
// since started) as deleted, and removes their repositories.
func (inv *Inventory) forgetInstallations(ctx context.Context, seen map[int64]bool, started time.Time) (Diff, error) {
	known, err := inv.Installations(ctx)
	if err != nil {
		return Diff{}, err
	}
	var d Diff
	for _, rec := range known {
		if seen[rec.ID] || rec.Deleted || rec.UpdatedAt.After(started) {
			continue
		}
		if _, err := inv.updateInstallation(ctx, rec.ID, func(r *Installation) { r.Deleted = true }); err != nil {
			return d, err
		}
		got, err := inv.removeRepos(ctx, rec.ID, RemovedInstallationDeleted, func(Repo) bool { return false })
		d.merge(got)
		if err != nil {
			return d, err
		}
	}
	return d, nil
}

// listInstallations returns every installation of the app.
func listInstallations(ctx context.Context, app *github.Client) ([]*github.Installation, error) {
	var all []*github.Installation
	opts := &github.ListOptions{PerPage: MaxPerPage}
	for {
		page, resp, err := app.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing installations (page %d): %w", max(opts.Page, 1), err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}
