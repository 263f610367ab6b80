package app_test

import (
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// logLines counts the log lines that contain every one of parts.
func logLines(h *harness, parts ...string) int {
	n := 0
	for _, line := range strings.Split(h.logs.String(), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}

// TestOnboardingPullRequest: with CONVISO_ONBOARDING_PR=on, a repository
// without a policy gets exactly one pull request adding the starter policy
// after its baseline scan; one with a policy gets none; running the
// baseline again (even with the app's store wiped) does not open a second
// one, and a closed unmerged one is never reopened.
func TestOnboardingPullRequest(t *testing.T) {
	h := newHarness(t, "bolt")
	web := h.gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "web", InstallationID: h.repo.InstallationID(),
		Files: map[string]string{"main.go": "package main\n", ".github/conviso.yml": "version: 1\nmode: warn\n"}})
	h.extra = map[string]string{"CONVISO_BASELINE_SCANS": "on", "CONVISO_ONBOARDING_PR": "on"}
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s", h.logs.String())
		}
	}()
	h.start()

	waitFor(t, "the onboarding pull request of acme/api", func() bool { return len(h.repo.PullRequests()) > 0 })
	waitFor(t, "acme/web skipped for its policy", func() bool {
		return logLines(h, `"github_repository_name":"web"`, `"reason":"policy exists"`) == 1
	})
	prs := h.repo.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("want exactly one onboarding pull request, got %d", len(prs))
	}
	pr := prs[0]
	if pr.Head != onboard.OnboardingBranch || pr.Base != "main" || pr.State() != "open" {
		t.Fatalf("onboarding pull request %s -> %s (%s), want %s -> main (open)", pr.Head, pr.Base, pr.State(), onboard.OnboardingBranch)
	}
	if pr.BaseSHA() != h.repo.SHA("main") {
		t.Fatalf("the onboarding branch must start at the default branch's head")
	}
	content, found := h.repo.File("refs/heads/"+onboard.OnboardingBranch, ".github/conviso.yml")
	if !found || content != onboard.StarterPolicy {
		t.Fatalf("the onboarding branch must hold the starter policy, got found=%v:\n%s", found, content)
	}
	f, err := policy.Parse(".github/conviso.yml", []byte(content))
	if err != nil || f == nil {
		t.Fatalf("the starter policy must parse: %v", err)
	}
	if _, onMain := h.repo.File("main", ".github/conviso.yml"); onMain {
		t.Fatal("the default branch must not be written")
	}
	if n := len(web.PullRequests()); n != 0 {
		t.Fatalf("a repository with a policy must get no pull request, got %d", n)
	}

	// Restart with the same store: no second pull request.
	h.stop()
	h.start()
	// Restart with a wiped store: the baseline runs again and GitHub is
	// asked; the open pull request is found.
	h.stop()
	h.dataDir = t.TempDir()
	h.start()
	waitFor(t, "the second baseline of acme/api", func() bool {
		return logLines(h, `"github_repository_name":"api"`, `exists (open)`) == 1
	})
	if n := len(h.repo.PullRequests()); n != 1 {
		t.Fatalf("re-running the baseline must not open a second pull request, got %d", n)
	}

	// Closed without merging: the maintainers said no; never again.
	pr.Close(false)
	h.stop()
	h.dataDir = t.TempDir()
	h.start()
	waitFor(t, "the third baseline of acme/api", func() bool {
		return logLines(h, `"github_repository_name":"api"`, `exists (closed)`) == 1
	})
	waitFor(t, "acme/web skipped again", func() bool {
		return logLines(h, `"github_repository_name":"web"`, `"reason":"policy exists"`) == 3
	})
	if n := len(h.repo.PullRequests()); n != 1 {
		t.Fatalf("a closed onboarding pull request must never be reopened, got %d pull requests", n)
	}
	h.gh.AssertWithinSecondaryLimits(t)
}
