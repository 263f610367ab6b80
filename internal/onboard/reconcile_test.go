package onboard_test

import (
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/onboard"
)

// TestOnboardOrganization: an "all repositories" installation on an
// organization of 250 repositories. Reconcile lists every page and builds
// the inventory (a second run changes nothing); the planner paces the 250
// baseline scans within the budget; it is stopped after 100, the store
// reopened (a restart), and a new planner finishes the rest, enqueueing
// nothing twice and never exceeding the budget across the restart.
func TestOnboardOrganization(t *testing.T) {
	o := newOrg(t, 250)
	forEachBackend(t, func(t *testing.T, b *backend) {
		clk := newClock()
		inv := &onboard.Inventory{KV: b.reopen(t), Clock: clk}
		reconcileOrg(t, o, inv)

		l := newLedger(clk, b.cur)
		first := &onboard.Planner{KV: b.cur, Enqueue: l.enqueue, Clock: clk}
		drive(t, first, clk, time.Minute, func() bool { return l.count() >= 100 })
		if pr := progressOf(t, first, o.inst.ID); pr.Done != l.count() || pr.Pending != 250-l.count() || pr.Total != 250 {
			t.Fatalf("progress before the restart %+v, %d enqueued", pr, l.count())
		}

		l.kv = b.reopen(t)
		second := &onboard.Planner{KV: l.kv, Enqueue: l.enqueue, Clock: clk}
		drive(t, second, clk, time.Minute, func() bool { return l.count() == 250 })
		l.check(t, onboard.Budget{}.WithDefaults())
		if pr := progressOf(t, second, o.inst.ID); pr.Done != 250 || pr.Pending != 0 {
			t.Errorf("final progress %+v", pr)
		}
		res, err := second.Tick(t.Context())
		must(t, err)
		if len(res.Enqueued) != 0 {
			t.Errorf("a tick after the baseline enqueued %d", len(res.Enqueued))
		}
	})
	t.Run("coverage", func(t *testing.T) { coverageOfOrg(t, o) })
	o.gh.AssertWithinSecondaryLimits(t)
}

// reconcileOrg reconciles the organization into an empty inventory and
// checks the records, the pages requested and idempotence.
func reconcileOrg(t *testing.T, o *org, inv *onboard.Inventory) {
	t.Helper()
	ctx := t.Context()
	before := len(o.gh.RequestsTo(fakegithub.OpListInstallationRepos))
	d, err := inv.Reconcile(ctx, o.inst.ID, o.gh.InstallationClient(o.inst.ID))
	must(t, err)
	if len(d.Added) != len(o.repos) || len(d.Removed)+len(d.Renamed)+len(d.Archived)+len(d.Updated) != 0 {
		t.Fatalf("first Reconcile: %d added, diff %+v", len(d.Added), summary(d))
	}
	pages := o.gh.RequestsTo(fakegithub.OpListInstallationRepos)[before:]
	if want := (len(o.repos) + 99) / 100; len(pages) != want {
		t.Fatalf("listed %d pages, want %d of 100", len(pages), want)
	}
	for _, p := range pages {
		if p.Query.Get("per_page") != "100" {
			t.Errorf("page request %s?%s: want per_page=100", p.Path, p.Query.Encode())
		}
	}
	d, err = inv.Reconcile(ctx, o.inst.ID, o.gh.InstallationClient(o.inst.ID))
	must(t, err)
	if !d.Empty() {
		t.Fatalf("second Reconcile changed %+v, want nothing (idempotent)", summary(d))
	}
	repos, err := inv.Repos(ctx)
	must(t, err)
	for _, r := range repos {
		if !r.Active() || r.DefaultBranch != "main" || r.InstallationID != o.inst.ID || !r.AddedAt.Equal(t0) {
			t.Fatalf("repository record %+v: want active, main, installation %d, added at %s", r, o.inst.ID, t0)
		}
	}
	rec, found, err := inv.Installation(ctx, o.inst.ID)
	must(t, err)
	if len(repos) != len(o.repos) || !found || rec.Account != "acme" || !rec.ReconciledAt.Equal(t0) {
		t.Fatalf("%d repositories; installation record %+v (found %v)", len(repos), rec, found)
	}
}

// TestEventsAndReconcile: repositories added and removed by webhooks, and
// the same changes made without a webhook and found by Reconcile.
func TestEventsAndReconcile(t *testing.T) {
	ctx := t.Context()
	o := newOrg(t, 5)
	clk := newClock()
	inv := &onboard.Inventory{KV: memStore(t), Clock: clk}
	gh := o.gh.InstallationClient(o.inst.ID)

	d, err := inv.ApplyInstallationEvent(ctx, decode[github.InstallationEvent](t, o.gh.InstallationEvent(o.inst, "created", "octocat")))
	must(t, err)
	expect(t, "installation created", d, diffNames{added: names(o.repos...)})
	d, err = inv.Reconcile(ctx, o.inst.ID, gh)
	must(t, err)
	expect(t, "reconcile after created (default branches learnt)", d, diffNames{updated: names(o.repos...)})

	clk.Advance(onboard.DefaultCoverageWindow)
	byEvent := o.addRepo(t, "by-event")
	d, err = inv.ApplyInstallationRepositoriesEvent(ctx, decode[github.InstallationRepositoriesEvent](t,
		o.gh.InstallationRepositoriesEvent(o.inst, "added", "octocat", byEvent)))
	must(t, err)
	expect(t, "added event", d, diffNames{added: names(byEvent)})
	o.repos[0].SetInstallation(0)
	d, err = inv.ApplyInstallationRepositoriesEvent(ctx, decode[github.InstallationRepositoriesEvent](t,
		o.gh.InstallationRepositoriesEvent(o.inst, "removed", "octocat", o.repos[0])))
	must(t, err)
	expect(t, "removed event", d, diffNames{removed: names(o.repos[0])})
	assertRemoved(t, inv, o.repos[0].ID, onboard.RemovedFromInstallation)

	// The same without webhooks: Reconcile finds them.
	byReconcile := o.addRepo(t, "by-reconcile")
	o.repos[1].SetInstallation(0)
	oldName := o.repos[2].Rename("", "renamed")
	o.repos[3].SetArchived(true)
	d, err = inv.Reconcile(ctx, o.inst.ID, gh)
	must(t, err)
	expect(t, "reconcile", d, diffNames{added: names(byReconcile), removed: []string{"acme/repo-001"},
		renamed: []string{oldName + " -> acme/renamed"}, archived: []string{"acme/repo-003"},
		updated: names(byEvent)}) // its default branch, which the event did not tell
	assertRemoved(t, inv, o.repos[1].ID, onboard.RemovedNotListed)
	d, err = inv.Reconcile(ctx, o.inst.ID, gh)
	must(t, err)
	expect(t, "second reconcile", d, diffNames{})

	// A repository given back is covered again, from now on.
	clk.Advance(onboard.DefaultCoverageWindow)
	o.repos[1].SetInstallation(o.inst.ID)
	d, err = inv.Reconcile(ctx, o.inst.ID, gh)
	must(t, err)
	expect(t, "reconcile after re-adding", d, diffNames{added: []string{"acme/repo-001"}})
	if r, _, _ := inv.Repo(ctx, o.repos[1].ID); !r.AddedAt.Equal(clk.Now()) || !r.Active() {
		t.Errorf("re-added repository %+v: want active, added at %s", r, clk.Now())
	}
	o.gh.AssertWithinSecondaryLimits(t)
}

// TestRepositoryEvents applies each repository action.
func TestRepositoryEvents(t *testing.T) {
	ctx := t.Context()
	o := newOrg(t, 1)
	inv := &onboard.Inventory{KV: memStore(t), Clock: newClock()}
	_, err := inv.Reconcile(ctx, o.inst.ID, o.gh.InstallationClient(o.inst.ID))
	must(t, err)
	apply := func(label string, hook fakegithub.Webhook, want diffNames) {
		t.Helper()
		d, err := inv.ApplyRepositoryEvent(ctx, decode[github.RepositoryEvent](t, hook))
		must(t, err)
		expect(t, label, d, want)
	}
	repo := o.addRepo(t, "api")
	apply("created", o.gh.RepositoryEvent(repo, "created", "", "octocat"), diffNames{added: []string{"acme/api"}})
	repo.SetArchived(true)
	apply("archived", o.gh.RepositoryEvent(repo, "archived", "", "octocat"), diffNames{archived: []string{"acme/api"}})
	repo.SetArchived(false)
	apply("unarchived", o.gh.RepositoryEvent(repo, "unarchived", "", "octocat"), diffNames{unarchived: []string{"acme/api"}})
	repo.Rename("", "api2")
	apply("renamed", o.gh.RepositoryEvent(repo, "renamed", "api", "octocat"), diffNames{renamed: []string{"acme/api -> acme/api2"}})
	repo.Rename("acme-labs", "")
	apply("transferred", o.gh.RepositoryEvent(repo, "transferred", "acme", "octocat"),
		diffNames{renamed: []string{"acme/api2 -> acme-labs/api2"}})

	for _, action := range []string{"publicized", "privatized"} {
		ev := &github.RepositoryEvent{Action: github.String(action), Installation: &github.Installation{ID: github.Int64(o.inst.ID)},
			Repo: &github.Repository{ID: github.Int64(repo.ID), FullName: github.String("acme-labs/api2"),
				Private: github.Bool(action == "privatized"), DefaultBranch: github.String("main")}}
		d, err := inv.ApplyRepositoryEvent(ctx, ev)
		must(t, err)
		expect(t, action, d, diffNames{updated: []string{"acme-labs/api2"}})
		if r, _, _ := inv.Repo(ctx, repo.ID); r.Private != (action == "privatized") {
			t.Errorf("%s: private = %v", action, r.Private)
		}
	}
	repo.Delete()
	apply("deleted", o.gh.RepositoryEvent(repo, "deleted", "", "octocat"), diffNames{removed: []string{"acme-labs/api2"}})
	assertRemoved(t, inv, repo.ID, onboard.RemovedRepositoryDeleted)
}

// TestCreatedInSelectedInstallation: a repository created in an
// organization whose installation covers selected repositories is not
// covered until added to it.
func TestCreatedInSelectedInstallation(t *testing.T) {
	ctx := t.Context()
	gh := fakegithub.New(t)
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme", Selected: true})
	inv := &onboard.Inventory{KV: memStore(t), Clock: newClock()}
	_, err := inv.ApplyInstallationEvent(ctx, decode[github.InstallationEvent](t, gh.InstallationEvent(inst, "created", "octocat")))
	must(t, err)
	repo := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "new", InstallationID: inst.ID})
	d, err := inv.ApplyRepositoryEvent(ctx, decode[github.RepositoryEvent](t, gh.RepositoryEvent(repo, "created", "", "octocat")))
	must(t, err)
	expect(t, "created in selected installation", d, diffNames{})
}

func assertRemoved(t *testing.T, inv *onboard.Inventory, id int64, reason onboard.RemovedReason) {
	t.Helper()
	r, found, err := inv.Repo(t.Context(), id)
	must(t, err)
	if !found || !r.Removed || r.RemovedReason != reason || r.Active() {
		t.Errorf("repository %d: %+v, want removed for %s", id, r, reason)
	}
}
