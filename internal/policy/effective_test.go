package policy

import (
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

const (
	high   = findings.SeverityHigh
	medium = findings.SeverityMedium
)

// TestBranchFirstMatch: in one file, the first matching entry applies.
func TestBranchFirstMatch(t *testing.T) {
	p, _, errs := merge(t, "", `gate: {max: {medium: 9}}
branches:
  - match: "release/1.*"
    max: {medium: 1}
  - match: "release/*"
    max: {medium: 2}
  - match: "**"
    max: {medium: 3}
`)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	for branch, want := range map[string]int{
		"release/1.2": 1, "refs/heads/release/1.2": 1, "release/2": 2, "release/1.2/rc": 3, "main": 3,
	} {
		if got := Effective(p, branch).Max[medium]; got != want {
			t.Errorf("%s: max.medium = %d, want %d", branch, got, want)
		}
	}
	p, _, _ = merge(t, "", "gate: {max: {medium: 9}}\nbranches: [{match: \"{main,master}\", max: {medium: 0}}]")
	for branch, want := range map[string]int{"main": 0, "master": 0, "mainline": 9, "feature/main": 9} {
		if got := Effective(p, branch).Max[medium]; got != want {
			t.Errorf("%s: max.medium = %d, want %d", branch, got, want)
		}
	}
}

// TestBranchLayers: each file's own values, then its first matching
// override, bottom layer first.
func TestBranchLayers(t *testing.T) {
	p, _, errs := merge(t,
		"mode: enforce\ngate: {block_at: high}\nbranches: [{match: \"sandbox/**\", mode: warn, block_at: critical}]",
		"gate: {block_at: low}\nbranches: [{match: \"sandbox/*\", block_at: medium}]")
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		branch  string
		mode    Mode
		blockAt findings.Severity
	}{
		{"main", ModeEnforce, findings.SeverityLow},
		{"sandbox/x", ModeWarn, medium},
		{"sandbox/x/y", ModeWarn, findings.SeverityLow}, // org override, then the repo's own value wins
	}
	for _, tc := range cases {
		g := Effective(p, tc.branch)
		if g.Mode != tc.mode || g.BlockAt != tc.blockAt || g.Branch != strings.TrimPrefix(tc.branch, "refs/heads/") {
			t.Errorf("%s: mode %s block_at %s, want %s %s", tc.branch, g.Mode, g.BlockAt, tc.mode, tc.blockAt)
		}
	}
	o, _ := Effective(p, "sandbox/x").Provenance.Find("gate.block_at", "")
	if o.Source != repoSrc || o.Branch != "sandbox/*" {
		t.Errorf("block_at origin %+v", o)
	}
	o, _ = Effective(p, "sandbox/x").Provenance.Find("mode", "")
	if o.Source != orgSrc || o.Branch != "sandbox/**" {
		t.Errorf("mode origin %+v", o)
	}
}

// TestBranchLocks: a repository override is held to the org's value on the
// branch being resolved.
func TestBranchLocks(t *testing.T) {
	const org = "gate: {max: {high: 0}}\nbranches: [{match: \"hotfix/*\", max: {high: 5}}]\nlock: [gate.max, mode]"
	t.Run("certain at Merge", func(t *testing.T) {
		p, _, errs := merge(t, "mode: enforce\nlock: [mode]", "branches: [{match: \"feature/*\", mode: off}]")
		want := name + `:1:39: branches[0].mode: "off" is looser than "enforce", the value of mode locked by ` + orgName + `; ignored`
		if strings.Join(errs, "\n") != want {
			t.Errorf("Merge errors %q\nwant %q", errs, want)
		}
		if g := Effective(p, "feature/x"); g.Mode != ModeEnforce || len(g.Problems) != 1 ||
			g.Problems[0].Error() != want+` (on branch "feature/x")` {
			t.Errorf("feature/x: %s %v", g.Mode, g.Problems)
		}
		if g := Effective(p, "main"); len(g.Problems) != 0 {
			t.Errorf("main: %v", g.Problems)
		}
	})
	t.Run("depends on the branch", func(t *testing.T) {
		p, _, errs := merge(t, org, "branches: [{match: \"**\", max: {high: 3}}]")
		if len(errs) != 0 {
			t.Errorf("Merge cannot know: %v", errs)
		}
		if g := Effective(p, "hotfix/1"); g.Max[high] != 3 || len(g.Problems) != 0 {
			t.Errorf("hotfix/1: max.high %d, problems %v", g.Max[high], g.Problems)
		}
		g := Effective(p, "main")
		want := name + `:1:38: branches[0].max.high: 3 is looser than 0, the value of gate.max.high locked by ` + orgName +
			`; ignored (on branch "main")`
		if g.Max[high] != 0 || len(g.Problems) != 1 || g.Problems[0].Error() != want {
			t.Errorf("main: max.high %d, problems %v", g.Max[high], g.Problems)
		}
	})
	t.Run("bound by the org, not by the repository's own value", func(t *testing.T) {
		p, _, errs := merge(t, "gate: {max: {high: 5}}\nlock: [gate]",
			"gate: {max: {high: 0}}\nbranches: [{match: \"release/*\", max: {high: 4}}, {match: \"x/*\", max: {high: 6}}]")
		if len(errs) != 1 || !strings.Contains(errs[0], "branches[1].max.high: 6 is looser than 5") {
			t.Errorf("errors %q", errs)
		}
		// A rejected override is ignored: the repository's own 0 stays.
		for branch, want := range map[string]int{"main": 0, "release/1": 4, "x/1": 0} {
			if got := Effective(p, branch).Max[high]; got != want {
				t.Errorf("%s: max.high = %d, want %d", branch, got, want)
			}
		}
	})
	t.Run("org override loosens its own lock", func(t *testing.T) {
		p, _, errs := merge(t, "mode: enforce\nbranches: [{match: \"sandbox/**\", mode: warn}]\nlock: [mode]", "mode: warn")
		if len(errs) != 1 {
			t.Errorf("Merge: %q", errs)
		}
		if g := Effective(p, "sandbox/a"); g.Mode != ModeWarn || len(g.Problems) != 0 {
			t.Errorf("sandbox/a: %s %v", g.Mode, g.Problems)
		}
		if g := Effective(p, "main"); g.Mode != ModeEnforce || len(g.Problems) != 1 {
			t.Errorf("main: %s %v", g.Mode, g.Problems)
		}
	})
}
