package fakegithub_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

func TestRepositoryEndpoints(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c := f.client(t)

	file, _, _, err := c.Repositories.GetContents(ctx, "acme", "api", "src/main.go",
		&github.RepositoryContentGetOptions{Ref: "feature"})
	if err != nil {
		t.Fatalf("get contents: %v", err)
	}
	if content, _ := file.GetContent(); content != "package main\n\nfunc main() {\n\tprintln(\"hello\")\n}\n" {
		t.Errorf("content = %q", content)
	}
	_, dir, _, err := c.Repositories.GetContents(ctx, "acme", "api", "src", nil)
	if err != nil || len(dir) != 1 || dir[0].GetName() != "main.go" {
		t.Errorf("directory listing = %v, %v", dir, err)
	}
	if _, _, resp, err := c.Repositories.GetContents(ctx, "acme", "api", "missing.txt", nil); err == nil || resp.StatusCode != 404 {
		t.Errorf("missing file: %v", err)
	}

	pr, _, err := c.PullRequests.Get(ctx, "acme", "api", f.pr.Number)
	if err != nil {
		t.Fatalf("get pull: %v", err)
	}
	if pr.GetHead().GetSHA() != f.pr.HeadSHA() || pr.GetBase().GetSHA() != f.repo.SHA("main") || pr.GetChangedFiles() != 5 {
		t.Errorf("pull = head %s base %s files %d", pr.GetHead().GetSHA(), pr.GetBase().GetSHA(), pr.GetChangedFiles())
	}

	f.repo.SetPermission("alice", "maintain")
	perm, _, err := c.Repositories.GetPermissionLevel(ctx, "acme", "api", "alice")
	if err != nil || perm.GetPermission() != "write" || perm.GetUser().GetRoleName() != "maintain" {
		t.Errorf("permission = %v, %v", perm, err)
	}
	if _, resp, err := c.Repositories.GetPermissionLevel(ctx, "acme", "api", "nobody"); err == nil || resp.StatusCode != 404 {
		t.Errorf("unknown user: %v", err)
	}

	f.gh.AddTeamMember("acme", "security", "alice", "maintainer")
	m, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "security", "alice")
	if err != nil || m.GetRole() != "maintainer" || m.GetState() != "active" {
		t.Errorf("membership = %v, %v", m, err)
	}
	if _, resp, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "security", "bob"); err == nil || resp.StatusCode != 404 {
		t.Errorf("non-member: %v", err)
	}
}

func TestCommentsReactionsAndInstallationRepos(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c := f.client(t)

	cm, _, err := c.Issues.CreateComment(ctx, "acme", "api", f.pr.Number, &github.IssueComment{Body: github.String("Scanning…")})
	if err != nil {
		t.Fatalf("create comment: %v", err)
	}
	if _, _, err := c.Issues.EditComment(ctx, "acme", "api", cm.GetID(), &github.IssueComment{Body: github.String("Done")}); err != nil {
		t.Fatalf("edit comment: %v", err)
	}
	if _, _, err := c.Reactions.CreateIssueCommentReaction(ctx, "acme", "api", cm.GetID(), "eyes"); err != nil {
		t.Fatalf("reaction: %v", err)
	}
	got := f.gh.Comments("acme", "api")
	if len(got) != 1 || got[0].Body != "Done" || len(got[0].Edits) != 1 || !got[0].ByApp || got[0].Author != "conviso[bot]" {
		t.Errorf("comments = %+v", got)
	}
	if r := f.gh.Reactions(cm.GetID()); len(r) != 1 || r[0].Content != "eyes" {
		t.Errorf("reactions = %+v", r)
	}
	if _, _, err := c.Issues.CreateComment(ctx, "acme", "api", 999, &github.IssueComment{Body: github.String("x")}); err == nil {
		t.Errorf("comment on a missing issue succeeded")
	}

	for i := range 3 {
		f.gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "svc" + string(rune('a'+i)), InstallationID: f.inst.ID})
	}
	var names []string
	opts := &github.ListOptions{PerPage: 3}
	for {
		list, resp, err := c.Apps.ListRepos(ctx, opts)
		if err != nil {
			t.Fatalf("list installation repos: %v", err)
		}
		for _, r := range list.Repositories {
			names = append(names, r.GetName())
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(names) != 4 {
		t.Errorf("installation repos = %v", names)
	}
}

func TestAppEndpointsAndTokenRenewal(t *testing.T) {
	f := newFixture(t, fakegithub.WithTokenLifetime(30*time.Second))
	ctx := t.Context()
	app, _, err := f.appClient(t).Apps.Get(ctx, "")
	if err != nil || app.GetID() != f.gh.AppID() || app.GetSlug() != "conviso" {
		t.Fatalf("get app = %v, %v", app, err)
	}
	insts, _, err := f.appClient(t).Apps.ListInstallations(ctx, nil)
	if err != nil || len(insts) != 1 || insts[0].GetID() != f.inst.ID {
		t.Fatalf("installations = %v, %v", insts, err)
	}
	c := f.client(t)
	for range 3 {
		if _, _, err := c.Repositories.Get(ctx, "acme", "api"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.gh.TokensIssued(f.inst.ID); n != 3 {
		t.Errorf("a 30s token should be renewed before every request: %d tokens issued", n)
	}
}

func TestScriptedRateLimits(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c := f.client(t)
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	f.gh.Script(fakegithub.OpGetRepo, fakegithub.PrimaryRateLimited(reset),
		fakegithub.SecondaryRateLimited(http.StatusForbidden, 60*time.Second),
		fakegithub.SecondaryRateLimited(http.StatusTooManyRequests, 5*time.Second),
		fakegithub.ServerError(http.StatusBadGateway))

	_, _, err := c.Repositories.Get(ctx, "acme", "api")
	var rl *github.RateLimitError
	if !errors.As(err, &rl) || !rl.Rate.Reset.Time.Equal(reset) {
		t.Errorf("primary: %v", err)
	}
	// go-github remembers rate limits and refuses requests until they
	// pass, so use a fresh client for each scripted answer.
	_, _, err = f.client(t).Repositories.Get(ctx, "acme", "api")
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.GetRetryAfter() != 60*time.Second {
		t.Errorf("secondary 403: %v", err)
	}
	_, resp, _ := f.client(t).Repositories.Get(ctx, "acme", "api")
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "5" {
		t.Errorf("secondary 429: %v", resp)
	}
	_, resp, _ = f.client(t).Repositories.Get(ctx, "acme", "api")
	if resp == nil || resp.StatusCode != http.StatusBadGateway {
		t.Errorf("502: %v", resp)
	}
	_, resp, err = f.client(t).Repositories.Get(ctx, "acme", "api")
	if err != nil || resp.Rate.Limit != fakegithub.InstallationRateLimit || resp.Rate.Remaining >= resp.Rate.Limit {
		t.Errorf("normal answer after the script: %v, rate %+v", err, resp.Rate)
	}
}
