package app_test

import (
	"net/http"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

const adminToken = "operator-token-0123456789abcdef-0123456789"

// TestOnboardingScansEveryRepositoryAndReportsCoverage: an installation's
// repositories are found by reconciliation at start-up, each gets one
// baseline scan of its default branch, and the coverage API says so.
func TestOnboardingScansEveryRepositoryAndReportsCoverage(t *testing.T) {
	h := newHarness(t, "bolt")
	for _, name := range []string{"web", "worker"} {
		h.gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: name, InstallationID: h.repo.InstallationID(),
			Files: map[string]string{"main.go": "package main\n"}})
	}
	h.extra = map[string]string{"CONVISO_BASELINE_SCANS": "on", "CONVISO_ADMIN_TOKEN": adminToken}
	h.start()
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s", h.logs.String())
		}
	}()
	for _, name := range []string{"api", "web", "worker"} {
		sha := h.gh.Repo("acme", name).SHA("main")
		waitFor(t, "the baseline scan of acme/"+name, func() bool {
			for _, r := range h.gh.CheckRuns("acme", name) {
				if r.HeadSHA == sha && r.Status == "completed" {
					return true
				}
			}
			return false
		})
	}
	var cov map[string]any
	waitFor(t, "full coverage", func() bool {
		code := h.getJSONAuth("/api/v1/coverage", adminToken, &cov)
		tally, _ := cov["total"].(map[string]any)
		return code == http.StatusOK && tally != nil && tally["covered"] == float64(3) && tally["active"] == float64(3)
	})
	var stale map[string]any
	if code := h.getJSONAuth("/api/v1/stale", adminToken, &stale); code != http.StatusOK || len(stale) != 1 {
		t.Fatalf("/api/v1/stale = %d %v", code, stale)
	}
	if code := h.getJSONAuth("/api/v1/coverage", "wrong-token", &cov); code != http.StatusUnauthorized {
		t.Fatalf("the operator API must refuse a wrong token, got %d", code)
	}
	h.gh.AssertWithinSecondaryLimits(t)
}
