package app_test

import (
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

// TestPolicyComesFromTheBaseOrgAndRepo: the org default and the repository
// file (read at the base) combine, and a pull request that rewrites the
// policy in its own head is still judged by the base's.
func TestPolicyComesFromTheBaseOrgAndRepo(t *testing.T) {
	h := newHarness(t, "bolt")
	h.gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: ".github", InstallationID: h.repo.InstallationID(),
		Files: map[string]string{".github/conviso.yml": "version: 1\nmode: enforce\ngate:\n  block_at: critical\nlock: [mode]\n"}})
	h.repo.Commit(fakegithub.CommitSpec{Branch: "main", Message: "Policy", Files: map[string]string{
		".github/conviso.yml": "version: 1\ngate:\n  max:\n    high: 0\n",
	}})
	h.start()
	h.repo.Commit(fakegithub.CommitSpec{Branch: "sneaky", Message: "Turn the gate off and leak", Files: map[string]string{
		".github/conviso.yml": "version: 1\nmode: off\n",
		"client/github.go":    "package client\n\nvar token = \"" + leakedToken + "\"\n",
	}})
	pr := h.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "sneaky"})
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if run.Conclusion != "failure" {
		t.Fatalf("the base's policy (max high 0) must block the new high finding; got %q %q\n%s",
			run.Conclusion, run.Output.Title, run.Output.Summary)
	}
	base := pr.BaseSHA()
	if !strings.Contains(run.Output.Summary, "acme/api@"+base[:7]) && !strings.Contains(run.Output.Summary, "acme/api@"+base) {
		t.Errorf("the summary must name the repository policy at the base commit %s:\n%s", base, run.Output.Summary)
	}
	if !strings.Contains(run.Output.Summary, "acme/.github@") {
		t.Errorf("the summary must name the org policy it merged:\n%s", run.Output.Summary)
	}
	if !strings.Contains(run.Output.Summary, "gate.max.high") {
		t.Errorf("the summary must name the condition that blocked:\n%s", run.Output.Summary)
	}
}

func TestBrokenPolicyFailsClosedWithItsErrors(t *testing.T) {
	h := newHarness(t, "bolt")
	h.repo.Commit(fakegithub.CommitSpec{Branch: "main", Message: "Typo", Files: map[string]string{
		".github/conviso.yml": "version: 1\ngate:\n  max:\n    critcal: 0\n",
	}})
	h.start()
	h.repo.Commit(fakegithub.CommitSpec{Branch: "docs", Files: map[string]string{"README.md": "# hi\n"}})
	pr := h.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "docs"})
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if run.Conclusion != "failure" || !strings.Contains(run.Output.Title, "Policy invalid") ||
		!strings.Contains(run.Output.Summary, "critcal") || !strings.Contains(run.Output.Summary, ":4:") {
		t.Fatalf("a broken policy must fail closed naming file, line and key; got %q %q\n%s",
			run.Conclusion, run.Output.Title, run.Output.Summary)
	}
}

// TestConvisoRulesFileWorksAsIs: a policy that points to a Conviso CLI
// rules file gates with its thresholds.
func TestConvisoRulesFileWorksAsIs(t *testing.T) {
	h := newHarness(t, "bolt")
	h.repo.Commit(fakegithub.CommitSpec{Branch: "main", Message: "Conviso rules", Files: map[string]string{
		".github/conviso.yml":   "version: 1\nconviso_rules_file: .conviso/rules.yml\n",
		".conviso/rules.yml":    "rules:\n  - from: any\n    severity:\n      high:\n        maximum: 1\n      critical:\n        maximum: 0\n",
		".conviso/unrelated.md": "docs\n",
	}})
	h.start()
	pr := h.leakOnFeature() // one new high finding: within the Conviso maximum of 1
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if strings.Contains(run.Output.Title, "Policy invalid") {
		t.Fatalf("the rules file must load: %s\n%s", run.Output.Title, run.Output.Summary)
	}
	if !strings.Contains(run.Output.Summary, "conviso") {
		t.Errorf("the summary must say the Conviso rules applied:\n%s", run.Output.Summary)
	}
}
