package app_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

// TestEveryBuiltinScannerReportsOnThePullRequest: secrets (gitleaks), Go
// SAST (gosec) and dependencies (osv, on the test subset of the OSV
// database) all reach the check run, each recorded with its version.
func TestEveryBuiltinScannerReportsOnThePullRequest(t *testing.T) {
	h := newHarness(t, "bolt")
	db, err := filepath.Abs("../internal/scanner/osv/testdata/db")
	if err != nil {
		t.Fatal(err)
	}
	h.extra = map[string]string{"CONVISO_SCANNERS": "gitleaks,gosec,osv", "CONVISO_OSV_DATABASE": db}
	h.start()
	h.repo.Commit(fakegithub.CommitSpec{Branch: "deps", Message: "Add a client", Files: map[string]string{
		"go.mod": "module example.com/api\n\ngo 1.21\n\nrequire golang.org/x/net v0.1.0\n",
		"run.go": "package main\n\nimport (\n\t\"crypto/md5\"\n\t\"os/exec\"\n)\n\n" +
			"func run(cmd string) []byte {\n\tout, _ := exec.Command(\"sh\", \"-c\", cmd).Output()\n\tsum := md5.Sum(out)\n\treturn sum[:]\n}\n",
	}})
	pr := h.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "deps"})
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	for _, want := range []string{"gosec", "osv", "gitleaks", "G204", "GO-2022-1144"} {
		if !strings.Contains(run.Output.Summary, want) {
			t.Errorf("the summary does not mention %s:\n%s", want, run.Output.Summary)
		}
	}
	scanners := map[string]bool{}
	for _, a := range run.Annotations {
		for _, name := range []string{"gosec", "osv"} {
			if strings.Contains(a.Message, "("+name+",") {
				scanners[name] = true
			}
		}
	}
	if !scanners["gosec"] || !scanners["osv"] {
		t.Errorf("the new findings of gosec and osv must be annotated on the added lines; got %+v", run.Annotations)
	}
}
