package onboard_test

import (
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/onboard"
)

// coverageOfOrg takes the 250-repository organization eight days after
// its baseline: most repositories scanned again, and one of each reason
// not to be covered. Teams come from the fake (one team of 249 visible
// repositories, so three pages).
func coverageOfOrg(t *testing.T, o *org) {
	ctx := t.Context()
	clk := newClock()
	inv := &onboard.Inventory{KV: memStore(t), Clock: clk}
	reconcileOrg(t, o, inv)
	for _, r := range o.repos {
		must(t, inv.RecordScan(ctx, r.ID, onboard.LastScan{At: t0, Commit: "base", OK: true}))
	}
	r := o.repos
	o.gh.AddTeam("acme", "platform", r[0], r[1], r[2])
	o.gh.AddTeam("acme", "web", r[3], r[4], r[5], r[6])
	o.gh.AddTeam("acme", "everyone", r...)

	clk.Advance(8 * 24 * time.Hour)
	for _, repo := range r[6:] {
		must(t, inv.RecordScan(ctx, repo.ID, onboard.LastScan{Commit: "head", OK: true}))
	}
	must(t, inv.RecordScan(ctx, r[0].ID, onboard.LastScan{Commit: "head", Error: "tarball: 502 Bad Gateway"}))
	r[4].SetArchived(true)
	r[5].SetInstallation(0)
	late := o.addRepo(t, "late")
	gh := o.gh.InstallationClient(o.inst.ID)
	d, err := inv.Reconcile(ctx, o.inst.ID, gh)
	must(t, err)
	expect(t, "reconcile", d, diffNames{added: names(late), archived: names(r[4]), removed: names(r[5])})
	must(t, inv.MarkLostAccess(ctx, r[3].ID, "tarball: 404 Not Found"))

	before := len(o.gh.RequestsTo(fakegithub.OpListTeamRepos))
	must(t, inv.SyncAllTeams(ctx, func(int64) (*github.Client, error) { return gh, nil }))
	teams, err := inv.Teams(ctx)
	must(t, err)
	if n := len(o.gh.RequestsTo(fakegithub.OpListTeamRepos)) - before; len(teams) != 3 || n != 5 {
		t.Fatalf("synced %d teams with %d repository pages, want 3 teams, 5 pages (3 for everyone)", len(teams), n)
	}
	policy := func(repo onboard.Repo) (bool, string) { return repo.ID == r[2].ID, "excluded by policy" }
	rep, err := inv.CoverageReport(ctx, 0, policy)
	must(t, err)

	checkTally(t, "total", rep.Total, 248, 244, 1, 1, 1, 2, 1)
	if len(rep.Organizations) != 1 || rep.Organizations[0].Org != "acme" {
		t.Fatalf("organizations %+v", rep.Organizations)
	}
	checkTally(t, "acme", rep.Organizations[0].Tally, 248, 244, 1, 1, 1, 2, 1)
	byTeam := map[string]onboard.Tally{}
	for _, tc := range rep.Teams {
		byTeam[tc.Team] = tc.Tally
	}
	checkTally(t, "everyone", byTeam["everyone"], 247, 244, 1, 1, 1, 1, 0)
	checkTally(t, "platform", byTeam["platform"], 3, 0, 1, 1, 1, 0, 0)
	checkTally(t, "web", byTeam["web"], 1, 1, 0, 0, 0, 1, 0)

	want := map[string]onboard.Reason{
		"acme/repo-000": onboard.ReasonLastScanFailed, "acme/repo-001": onboard.ReasonStale,
		"acme/repo-002": onboard.ReasonDisabledByPolicy, "acme/repo-003": onboard.ReasonLostAccess,
		"acme/repo-005": onboard.ReasonLostAccess, "acme/late": onboard.ReasonNeverScanned,
	}
	for _, u := range rep.Uncovered {
		if want[u.FullName] != u.Reason {
			t.Errorf("uncovered %s for %s, want %q", u.FullName, u.Reason, want[u.FullName])
		}
		delete(want, u.FullName)
	}
	if len(want) > 0 {
		t.Errorf("not reported as uncovered: %v", want)
	}
}

// checkTally compares a tally with the expected counts.
func checkTally(t *testing.T, label string, got onboard.Tally, active, covered, failed, stale, policy, lost, never int) {
	t.Helper()
	want := map[onboard.Reason]int{
		onboard.ReasonLastScanFailed: failed, onboard.ReasonStale: stale, onboard.ReasonDisabledByPolicy: policy,
		onboard.ReasonLostAccess: lost, onboard.ReasonNeverScanned: never,
	}
	if got.Active != active || got.Covered != covered {
		t.Errorf("%s: %d/%d covered, want %d/%d", label, got.Covered, got.Active, covered, active)
	}
	for reason, n := range want {
		if got.Uncovered[reason] != n {
			t.Errorf("%s: %d %s, want %d", label, got.Uncovered[reason], reason, n)
		}
	}
}
