package fakegithub_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

// TestTeamListings: GET /orgs/{org}/teams and
// GET /orgs/{org}/teams/{team_slug}/repos, paginated, limited to what the
// installation can see, 404 for an unknown team and 403 for another
// organization.
func TestTeamListings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client(t)
	hidden := f.gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "hidden"}) // no installation
	web := f.gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "web", InstallationID: f.inst.ID})
	f.gh.AddTeam("acme", "platform", f.repo, web, hidden)
	f.gh.AddTeam("acme", "security")
	f.gh.AddTeam("other", "elsewhere")

	teams, resp, err := c.Teams.ListTeams(ctx, "acme", &github.ListOptions{PerPage: 1})
	if err != nil || len(teams) != 1 || teams[0].GetSlug() != "platform" || resp.NextPage != 2 {
		t.Fatalf("first page of teams: %v, next %d, %v", teams, resp.NextPage, err)
	}
	teams, resp, err = c.Teams.ListTeams(ctx, "acme", &github.ListOptions{PerPage: 1, Page: 2})
	if err != nil || len(teams) != 1 || teams[0].GetSlug() != "security" || resp.NextPage != 0 {
		t.Fatalf("second page of teams: %v, next %d, %v", teams, resp.NextPage, err)
	}

	repos, resp, err := c.Teams.ListTeamReposBySlug(ctx, "acme", "platform", &github.ListOptions{PerPage: 1})
	if err != nil || len(repos) != 1 || repos[0].GetFullName() != "acme/api" || resp.NextPage != 2 {
		t.Fatalf("first page of team repositories: %v, next %d, %v", repos, resp.NextPage, err)
	}
	repos, _, err = c.Teams.ListTeamReposBySlug(ctx, "acme", "platform", &github.ListOptions{PerPage: 1, Page: 2})
	if err != nil || len(repos) != 1 || repos[0].GetFullName() != "acme/web" {
		t.Fatalf("second page of team repositories: %v, %v (the uninstalled repository must stay hidden)", repos, err)
	}

	_, _, err = c.Teams.ListTeamReposBySlug(ctx, "acme", "nobody", nil)
	var ghErr *github.ErrorResponse
	if !errors.As(err, &ghErr) || ghErr.Response.StatusCode != http.StatusNotFound {
		t.Errorf("unknown team: %v, want 404", err)
	}
	_, _, err = c.Teams.ListTeams(ctx, "other", nil)
	if !errors.As(err, &ghErr) || ghErr.Response.StatusCode != http.StatusForbidden {
		t.Errorf("another organization's teams: %v, want 403", err)
	}
	if n := len(f.gh.RequestsTo(fakegithub.OpListTeamRepos)); n != 3 {
		t.Errorf("%d team repository requests recorded, want 3", n)
	}
}
