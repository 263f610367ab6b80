package checks

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

type fixture struct {
	gh    *fakegithub.Server
	st    store.Store
	pub   *Publisher
	gc    *github.Client
	inst  int64
	head  string
	clock time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	gh := fakegithub.New(t)
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	repo := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "api", InstallationID: inst.ID,
		Files: map[string]string{"main.go": "package main\n"}})
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &fixture{gh: gh, st: st, gc: gh.InstallationClient(inst.ID), inst: inst.ID, head: repo.SHA("main"),
		clock: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	f.pub = &Publisher{Store: st, Name: "Conviso Security Gate", Now: func() time.Time { return f.clock }}
	return f
}

func (f *fixture) target(job string) Target {
	return Target{InstallationID: f.inst, Owner: "acme", Repo: "api", RepoID: 1, HeadSHA: f.head, JobKey: job}
}

func TestStartTwiceReusesTheCheckRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.pub.Start(ctx, f.gc, f.target("job-1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.pub.Start(ctx, f.gc, f.target("job-1"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || len(f.gh.CheckRuns("acme", "api")) != 1 {
		t.Fatalf("a job that runs twice must reuse its check run: %d, %d", a.ID, b.ID)
	}
}

func TestStartAdoptsARunCreatedByADeadAttempt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// An earlier attempt marked the creation, GitHub created the run, and
	// the process died before recording it.
	if err := f.st.Put(ctx, keyRunCreating+"job-2", []byte(f.head), time.Hour); err != nil {
		t.Fatal(err)
	}
	orphan, _, err := f.gc.Checks.CreateCheckRun(ctx, "acme", "api", github.CreateCheckRunOptions{
		Name: "Conviso Security Gate", HeadSHA: f.head, ExternalID: github.String("job-2"), Status: github.String("in_progress"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.pub.Start(ctx, f.gc, f.target("job-2"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != orphan.GetID() || len(f.gh.CheckRuns("acme", "api")) != 1 {
		t.Fatalf("want the orphan %d adopted, got %d (%d runs)", orphan.GetID(), rec.ID, len(f.gh.CheckRuns("acme", "api")))
	}
}

func TestWatchdogCompletesOrphanedRuns(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.pub.Start(ctx, f.gc, f.target("dead-job")); err != nil {
		t.Fatal(err)
	}
	live, err := f.pub.Start(ctx, f.gc, f.target("live-job"))
	if err != nil {
		t.Fatal(err)
	}
	wd := &Watchdog{Store: f.st, Publisher: f.pub, StaleAfter: 10 * time.Minute, Owner: "wd",
		Client: func(int64) (*github.Client, error) { return f.gc, nil }}
	f.clock = f.clock.Add(9 * time.Minute)
	if n, err := wd.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("nothing is stale yet: %d, %v", n, err)
	}
	if err := f.pub.Heartbeat(ctx, live); err != nil {
		t.Fatal(err)
	}
	f.clock = f.clock.Add(2 * time.Minute)
	if n, err := wd.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("want the one silent run completed, got %d, %v", n, err)
	}
	for _, r := range f.gh.CheckRuns("acme", "api") {
		switch r.ExternalID {
		case "dead-job":
			if r.Status != "completed" || r.Conclusion != "failure" || !strings.Contains(r.Output.Title, "interrupted") {
				t.Errorf("orphan not completed as interrupted: %s %s %q", r.Status, r.Conclusion, r.Output.Title)
			}
		case "live-job":
			if r.Status != "in_progress" {
				t.Errorf("a run with a recent heartbeat must be left alone, got %s", r.Status)
			}
		}
	}
	if n, err := wd.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("a completed orphan is not completed twice: %d, %v", n, err)
	}
}
