package policy_test

import (
	"fmt"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// Example shows the whole flow: parse the org and repository files (read
// from the base branch), merge them over the server default, resolve the
// base branch, and evaluate a scan.
func Example() {
	org, err := policy.Parse(".github/conviso.yml", []byte(`
gate:
  max: {high: 0}
lock: [gate.max]
`))
	if err != nil {
		panic(err)
	}
	org.Source = policy.Source{Layer: policy.LayerOrg, Repo: "acme/.github", Ref: "4f2a9c1", Path: ".github/conviso.yml"}

	repo, err := policy.Parse(".github/conviso.yml", []byte(`
gate:
  block_at: none
  max: {critical: 0, high: 2}
`))
	if err != nil {
		panic(err)
	}
	repo.Source = policy.Source{Layer: policy.LayerRepo, Repo: "acme/app", Ref: "9be1d07", Path: ".github/conviso.yml"}

	p, _, problems := policy.Merge(nil, org, repo)
	for _, e := range problems {
		fmt.Println("problem:", e)
	}
	gate := policy.Effective(p, "refs/heads/main")
	d := policy.Evaluate(gate, policy.Input{
		Findings: []findings.Finding{{ID: "f-3fa9c2e1a0b4", RuleID: "aws-access-token", Path: "internal/keys.go",
			StartLine: 12, Severity: findings.SeverityHigh, New: true}},
		Scanners: []policy.ScannerStatus{{Name: "gitleaks", Ran: true, RulesRun: 180}},
		Now:      time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
	})
	fmt.Println(d.Outcome, d.Conclusion)
	for _, r := range d.Reasons {
		fmt.Println(r)
		fmt.Println("  set by", r.Key, "in", r.Source)
	}
	// Output:
	// problem: .github/conviso.yml:4:28: gate.max.high: 2 is looser than 0, the value of gate.max.high locked by acme/.github@4f2a9c1:.github/conviso.yml; ignored
	// block failure
	// Blocked: 1 new high finding, the maximum is 0 — aws-access-token in internal/keys.go:12 [f-3fa9c2e1a0b4]
	//   set by gate.max.high in acme/.github@4f2a9c1:.github/conviso.yml
}
