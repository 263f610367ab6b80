package handlers

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/ghclient"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

// recorder is a ScanRunner that records what it was asked to scan; the
// real runner is exercised end to end in package app.
type recorder struct {
	mu      sync.Mutex
	targets []checks.Target
}

func (r *recorder) Run(_ context.Context, _ *github.Client, t checks.Target) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.targets = append(r.targets, t)
	return nil
}

type env struct {
	gh   *fakegithub.Server
	inst *fakegithub.Installation
	repo *fakegithub.Repo
	rec  *recorder
	base *Base
}

func newEnv(t *testing.T) *env {
	t.Helper()
	gh := fakegithub.New(t)
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	repo := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "api", InstallationID: inst.ID,
		Files: map[string]string{"main.go": "package main\n"}})
	cc, err := ghclient.NewClientCreator(ghclient.Config{V3APIURL: gh.URL(), AppID: gh.AppID(), PrivateKeyPEM: gh.PrivateKeyPEM()}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	base := &Base{ClientCreator: cc, Scans: rec, AppID: gh.AppID(), Inventory: &onboard.Inventory{KV: st},
		AppSlug: func(context.Context) string { return gh.App().Slug }}
	return &env{gh: gh, inst: inst, repo: repo, rec: rec, base: base}
}

func TestPullRequestActions(t *testing.T) {
	e := newEnv(t)
	e.repo.Commit(fakegithub.CommitSpec{Branch: "f", Files: map[string]string{"a.go": "package a\n"}})
	pr := e.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "f"})
	h := &PullRequest{Base: e.base}
	for _, action := range []string{"opened", "synchronize", "reopened", "ready_for_review", "closed", "edited"} {
		if err := h.Handle(context.Background(), "pull_request", "d-"+action, e.gh.PullRequestEvent(pr, action).JSON()); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	if len(e.rec.targets) != 4 {
		t.Fatalf("want scans for the 4 scanning actions, got %d", len(e.rec.targets))
	}
	got := e.rec.targets[0]
	if got.Owner != "acme" || got.Repo != "api" || got.PullRequest != pr.Number || got.HeadSHA != pr.HeadSHA() || got.JobKey != "d-opened" {
		t.Fatalf("unexpected target %+v", got)
	}
}

func TestPushFilters(t *testing.T) {
	e := newEnv(t)
	h := &Push{Base: e.base}
	before := e.repo.SHA("main")
	e.repo.Commit(fakegithub.CommitSpec{Branch: "main", Files: map[string]string{"b.go": "package b\n"}})
	e.repo.Commit(fakegithub.CommitSpec{Branch: "topic", Files: map[string]string{"c.go": "package c\n"}})
	cases := []struct {
		name string
		hook fakegithub.Webhook
		want int
	}{
		{"default branch", e.gh.PushEvent(e.repo, "main", before, "octocat"), 1},
		{"other branch", e.gh.PushEvent(e.repo, "topic", "", "octocat"), 0},
		{"the app's own push", e.gh.PushEvent(e.repo, "main", before, e.gh.App().Slug+"[bot]"), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.rec.targets = nil
			if err := h.Handle(context.Background(), "push", "d", tc.hook.JSON()); err != nil {
				t.Fatal(err)
			}
			if len(e.rec.targets) != tc.want {
				t.Fatalf("scans = %d, want %d", len(e.rec.targets), tc.want)
			}
		})
	}
}

func TestMalformedPayloadIsPermanent(t *testing.T) {
	e := newEnv(t)
	for _, h := range []interface {
		Handle(context.Context, string, string, []byte) error
	}{&PullRequest{Base: e.base}, &Push{Base: e.base}, &CheckRun{Base: e.base}, &CheckSuite{Base: e.base}} {
		if err := h.Handle(context.Background(), "x", "d", []byte("{not json")); !jobs.IsPermanent(err) {
			t.Errorf("%T: want a permanent error, got %v", h, err)
		}
	}
}

func TestInstallationInventory(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := e.gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "web", InstallationID: e.inst.ID,
		Files: map[string]string{"index.js": "1\n"}})
	inst := &Installation{Base: e.base}
	repos := &InstallationRepositories{Base: e.base}
	known := func() map[string]bool {
		all, err := e.base.Inventory.Repos(ctx)
		must(t, err)
		m := map[string]bool{}
		for _, r := range all {
			if !r.Removed {
				m[r.FullName] = true
			}
		}
		return m
	}
	must(t, inst.Handle(ctx, "installation", "d1", e.gh.InstallationEvent(e.inst, "created", "octocat").JSON()))
	if got := known(); !got["acme/api"] || !got["acme/web"] {
		t.Fatalf("a new installation is reconciled: %v", got)
	}
	must(t, repos.Handle(ctx, "installation_repositories", "d2",
		e.gh.InstallationRepositoriesEvent(e.inst, "removed", "octocat", other).JSON()))
	if known()["acme/web"] {
		t.Fatal("a removed repository is still covered")
	}
	must(t, repos.Handle(ctx, "installation_repositories", "d3",
		e.gh.InstallationRepositoriesEvent(e.inst, "added", "octocat", other).JSON()))
	if !known()["acme/web"] {
		t.Fatal("an added repository is not recorded")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
