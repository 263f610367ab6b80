package app_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

func TestNewerPushSupersedesRunningScan(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, backend)
			h.start()
			release := h.gh.Hold(fakegithub.OpTarball)
			pr := h.leakOnFeature()
			oldHead := pr.HeadSHA()
			h.deliver(h.gh.PullRequestEvent(pr, "opened"))
			waitFor(t, "the first scan to start", func() bool { return len(h.gh.CheckRuns("acme", "api")) == 1 })
			h.repo.Commit(fakegithub.CommitSpec{Branch: "feature", Message: "Remove the token", Files: map[string]string{
				"client/github.go": "package client\n\n// token comes from the environment\nvar token = \"\"\n",
			}})
			newHead := pr.HeadSHA()
			if newHead == oldHead {
				t.Fatal("the pull request head did not move")
			}
			h.deliver(h.gh.PullRequestEvent(pr, "synchronize"))
			old := h.completedRun(oldHead)
			release()
			latest := h.completedRun(newHead)
			if old.Conclusion != "neutral" || !strings.Contains(old.Output.Title, "Superseded") || len(old.Annotations) != 0 {
				t.Errorf("the older scan must end neutral and superseded, got %q %q", old.Conclusion, old.Output.Title)
			}
			if latest.Conclusion != "success" {
				t.Errorf("the newer head removes the token and must pass, got %q %q", latest.Conclusion, latest.Output.Title)
			}
			if !old.CompletedAt.Before(latest.CompletedAt) && !old.CompletedAt.Equal(latest.CompletedAt) {
				t.Errorf("a stale result landed after the newer one")
			}
		})
	}
}

func TestPushToDefaultBranchIsScanned(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	before := h.repo.SHA("main")
	sha := h.repo.Commit(fakegithub.CommitSpec{Branch: "main", Files: map[string]string{
		"deploy/env.go": "package deploy\n\nconst key = \"" + leakedToken + "\"\n",
	}})
	if d := h.deliver(h.gh.PushEvent(h.repo, "main", before, "octocat")); d.StatusCode != http.StatusAccepted {
		t.Fatalf("push answered %d", d.StatusCode)
	}
	run := h.completedRun(sha)
	// On a push every finding is on the branch now: all are reported.
	if run.Conclusion != "failure" || len(run.Annotations) != 2 {
		t.Fatalf("got %q with %d annotations, want failure with 2", run.Conclusion, len(run.Annotations))
	}
	// Other branches are covered by their pull requests.
	h.repo.Commit(fakegithub.CommitSpec{Branch: "topic", Files: map[string]string{"x.go": "package x\n"}})
	h.deliver(h.gh.PushEvent(h.repo, "topic", "", "octocat"))
	h.waitQueueEmpty()
	if n := len(h.gh.CheckRuns("acme", "api")); n != 1 {
		t.Fatalf("a push to another branch must not be scanned; %d check runs", n)
	}
	h.assertNoSecretLeaked(leakedToken)
}

func TestRerunButtonRescansTheSameHead(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	pr := h.leakOnFeature()
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	first := h.completedRun(pr.HeadSHA())
	h.deliver(h.gh.CheckRunEvent(first, "rerequested", "", "octocat"))
	waitFor(t, "a second completed run", func() bool {
		n := 0
		for _, r := range h.gh.CheckRuns("acme", "api") {
			if r.HeadSHA == pr.HeadSHA() && r.Status == "completed" {
				n++
			}
		}
		return n == 2
	})
	h.deliver(h.gh.CheckSuiteEvent(h.repo, pr.HeadSHA(), "rerequested", "octocat"))
	waitFor(t, "a third completed run", func() bool { return len(h.gh.CheckRuns("acme", "api")) == 3 })
}

func TestManyFindingsAreAnnotatedInBatchesOf50(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	var b strings.Builder
	b.WriteString("package keys\n\nvar tokens = []string{\n")
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := 0; i < 120; i++ {
		token := make([]byte, 36)
		for j := range token {
			token[j] = alphabet[rng.IntN(len(alphabet))]
		}
		fmt.Fprintf(&b, "\t\"ghp_%s\",\n", token)
	}
	b.WriteString("}\n")
	h.repo.Commit(fakegithub.CommitSpec{Branch: "many", Files: map[string]string{"keys/keys.go": b.String()}})
	pr := h.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "many"})
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if len(run.Annotations) != 120 {
		t.Fatalf("want 120 annotations, got %d: %s\n%s", len(run.Annotations), run.Output.Title, run.Output.Summary)
	}
	// The fake records a request once it has answered it: wait for the log.
	waitFor(t, "the three updates in the request log", func() bool { return len(h.gh.RequestsTo(fakegithub.OpUpdateCheckRun)) >= 3 })
	if got := len(h.gh.RequestsTo(fakegithub.OpUpdateCheckRun)); got != 3 {
		t.Errorf("120 annotations need 3 updates of at most 50, got %d", got)
	}
}

func TestRateLimitedGitHubIsWaitedFor(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	h.gh.Script(fakegithub.OpCreateCheckRun, fakegithub.SecondaryRateLimited(http.StatusForbidden, time.Second))
	h.gh.Script(fakegithub.OpUpdateCheckRun, fakegithub.SecondaryRateLimited(http.StatusTooManyRequests, time.Second))
	pr := h.leakOnFeature()
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if run.Conclusion != "failure" {
		t.Fatalf("got %q", run.Conclusion)
	}
	creates := h.gh.RequestsTo(fakegithub.OpCreateCheckRun)
	if len(creates) != 2 || creates[0].Status != http.StatusForbidden {
		t.Fatalf("want one rate-limited create and one retry, got %d", len(creates))
	}
	if n := len(h.gh.CheckRuns("acme", "api")); n != 1 {
		t.Fatalf("want one check run, got %d", n)
	}
}

func TestScanThatCannotFinishFailsClosed(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	// GitHub keeps failing the tarball link past the client's retries.
	h.gh.Script(fakegithub.OpTarball, fakegithub.ServerError(502), fakegithub.ServerError(502),
		fakegithub.ServerError(502), fakegithub.ServerError(502))
	pr := h.leakOnFeature()
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if run.Conclusion != "failure" || !strings.HasPrefix(run.Output.Title, "Scan failed: ") {
		t.Fatalf("a scan that cannot finish must fail closed with its reason; got %q %q", run.Conclusion, run.Output.Title)
	}
	if strings.Contains(run.Output.Summary, "token=") || strings.Contains(run.Output.Title, "ghs_") {
		t.Fatalf("the failure reason must not carry a token: %q", run.Output.Title)
	}
}

func TestRerunScanButtonNeedsWritePermission(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	h.repo.SetPermission("writer", "write")
	h.repo.SetPermission("reader", "read")
	pr := h.leakOnFeature()
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	first := h.completedRun(pr.HeadSHA())
	if len(first.Actions) != 1 || first.Actions[0].Identifier != "rescan" {
		t.Fatalf("a completed run must carry the Re-run scan button, got %+v", first.Actions)
	}
	h.deliver(h.gh.CheckRunEvent(first, "requested_action", "rescan", "reader"))
	h.waitQueueEmpty()
	if n := len(h.gh.CheckRuns("acme", "api")); n != 1 {
		t.Fatalf("a reader's button press must not rescan; %d runs", n)
	}
	h.deliver(h.gh.CheckRunEvent(first, "requested_action", "rescan", "writer"))
	waitFor(t, "the writer's rescan", func() bool {
		runs := h.gh.CheckRuns("acme", "api")
		return len(runs) == 2 && runs[1].Status == "completed"
	})
}

func TestMovedOrRenamedDebtIsNotNew(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	old := "package legacy\n\n// old debt, already on main\nconst token = \"ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8\"\n"
	h.repo.Commit(fakegithub.CommitSpec{Branch: "refactor", Message: "Move and rename", Files: map[string]string{
		"legacy/credentials.go": "package legacy\n\n// moved down\n\n\n\n" + old[len("package legacy\n\n"):],
	}, Delete: []string{"legacy/creds.go"}})
	pr := h.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "refactor"})
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if run.Conclusion != "success" || len(run.Annotations) != 0 {
		t.Fatalf("debt that only moved to a renamed file is not new; got %q with %d annotations\n%s",
			run.Conclusion, len(run.Annotations), run.Output.Summary)
	}
	if !strings.Contains(run.Output.Summary, "| **Total** | **0** | **1** |") {
		t.Fatalf("the moved finding must count as pre-existing:\n%s", run.Output.Summary)
	}
}

func TestStoredBaseResultsAreReused(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	before := h.repo.SHA("main")
	mainHead := h.repo.Commit(fakegithub.CommitSpec{Branch: "main", Files: map[string]string{"docs/a.md": "# a\n"}})
	h.deliver(h.gh.PushEvent(h.repo, "main", before, "octocat"))
	h.completedRun(mainHead)
	pr := h.leakOnFeature() // branches from main's head, whose results are stored
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if run.Conclusion != "failure" || len(run.Annotations) != 1 {
		t.Fatalf("got %q with %d annotations", run.Conclusion, len(run.Annotations))
	}
	// The base's stored results are reused and, gitleaks being file-local,
	// the PR's one changed file is read alone: no second tarball.
	if n := len(h.gh.RequestsTo(fakegithub.OpTarball)); n != 1 {
		t.Fatalf("%d tarball downloads, want 1 (main's; the PR is diff-scoped)", n)
	}
	read := 0
	for _, r := range h.gh.RequestsTo(fakegithub.OpGetContents) {
		if strings.HasSuffix(r.Path, "/contents/client/github.go") && r.Query.Get("ref") == pr.HeadSHA() {
			read++
		}
	}
	if read != 1 {
		t.Fatalf("the changed file must be read once at the head, got %d", read)
	}
}

// TestDiffScopedScanMatchesAFullScan: a pull request scanned file by file
// (the base's results stored) reports what a full scan of its head would:
// removed files lose their findings, changed files are rescanned.
func TestDiffScopedScanMatchesAFullScan(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	before := h.repo.SHA("main")
	mainHead := h.repo.Commit(fakegithub.CommitSpec{Branch: "main", Files: map[string]string{"docs/a.md": "# a\n"}})
	h.deliver(h.gh.PushEvent(h.repo, "main", before, "octocat"))
	h.completedRun(mainHead)
	h.repo.Commit(fakegithub.CommitSpec{Branch: "cleanup", Message: "Remove debt, add a leak", Files: map[string]string{
		"client/github.go": "package client\n\nvar token = \"" + leakedToken + "\"\n",
	}, Delete: []string{"legacy/creds.go"}})
	pr := h.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "cleanup"})
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	diffScoped := h.completedRun(pr.HeadSHA())
	if n := len(h.gh.RequestsTo(fakegithub.OpTarball)); n != 1 {
		t.Fatalf("the PR must be diff-scoped: %d tarballs", n)
	}
	// A full scan of this head would find the new leak and no debt (the
	// only debt was removed): the diff-scoped merge must say the same.
	if !strings.Contains(diffScoped.Output.Summary, "| **Total** | **1** | **0** |") || len(diffScoped.Annotations) != 1 {
		t.Fatalf("the removed debt must be gone and the new leak new:\n%s", diffScoped.Output.Summary)
	}
}
