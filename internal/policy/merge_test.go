package policy

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

var (
	orgSrc  = Source{Layer: LayerOrg, Repo: "acme/.github", Ref: "0a0a0a", Path: name}
	repoSrc = Source{Layer: LayerRepo, Repo: "acme/app", Ref: "1b1b1b", Path: name}
)

const orgName = "acme/.github@0a0a0a:.github/conviso.yml"

func file(t testing.TB, src Source, text string) *File {
	t.Helper()
	f, err := Parse(name, []byte(text))
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	f.Source = src
	return f
}

func merge(t testing.TB, org, repo string) (*Policy, Provenance, []string) {
	t.Helper()
	var o, r *File
	if org != "" {
		o = file(t, orgSrc, org)
	}
	if repo != "" {
		r = file(t, repoSrc, repo)
	}
	p, prov, errs := Merge(nil, o, r)
	return p, prov, errorStrings(errs)
}

func errorStrings(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// TestLocks: for each locked key, a looser repository value is rejected
// with an error naming the key and the org file, and the org value stays;
// a tighter one is accepted.
func TestLocks(t *testing.T) {
	cases := []struct {
		name, org, repo string
		wantErr         string // "" when accepted
		check           func(g Gate) bool
	}{
		{"mode looser", "mode: enforce\nlock: [mode]", "mode: warn",
			`.github/conviso.yml:1:7: mode: "warn" is looser than "enforce", the value of mode locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return g.Mode == ModeEnforce }},
		{"mode off", "lock: [mode]", "mode: off", // the org inherits enforce from the server default
			`.github/conviso.yml:1:7: mode: "off" is looser than "enforce", the value of mode locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return g.Mode == ModeEnforce }},
		{"mode tighter", "mode: warn\nlock: [mode]", "mode: enforce", "",
			func(g Gate) bool { return g.Mode == ModeEnforce }},
		{"scope looser", "gate: {scope: all}\nlock: [gate.scope]", "gate: {scope: new}",
			`.github/conviso.yml:1:15: gate.scope: "new" is looser than "all", the value of gate.scope locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return g.Scope == ScopeAll }},
		{"block_at looser", "lock: [gate]", "gate: {block_at: critical}",
			`.github/conviso.yml:1:18: gate.block_at: "critical" is looser than "high", the value of gate.block_at locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return g.BlockAt == findings.SeverityHigh }},
		{"block_at none", "lock: [gate.block_at]", "gate: {block_at: none}",
			`.github/conviso.yml:1:18: gate.block_at: "none" is looser than "high", the value of gate.block_at locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return g.BlockAt == findings.SeverityHigh }},
		{"block_at tighter", "lock: [gate.block_at]", "gate: {block_at: low}", "",
			func(g Gate) bool { return g.BlockAt == findings.SeverityLow }},
		{"max higher", "gate: {max: {high: 0, medium: 5}}\nlock: [gate.max]", "gate: {max: {high: 1, medium: 5}}",
			`.github/conviso.yml:1:20: gate.max.high: 1 is looser than 0, the value of gate.max.high locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return g.Max[findings.SeverityHigh] == 0 && g.Max[findings.SeverityMedium] == 5 }},
		{"max one severity locked", "gate: {max: {high: 0, medium: 5}}\nlock: [gate.max.high]", "gate: {max: {medium: 50}}", "",
			func(g Gate) bool { return g.Max[findings.SeverityMedium] == 50 }},
		{"max lower and new", "gate: {max: {medium: 5}}\nlock: [gate.max]", "gate: {max: {medium: 2, low: 9}}", "",
			func(g Gate) bool { return g.Max[findings.SeverityMedium] == 2 && g.Max[findings.SeverityLow] == 9 }},
		{"never_block added", "gate: {never_block: {tags: [test]}}\nlock: [gate.never_block]",
			"gate: {never_block: {tags: [test, demo], rules: [r1]}}",
			`.github/conviso.yml:1:35: gate.never_block.tags[1]: adding "demo" loosens gate.never_block.tags, locked by ` + orgName + `; ignored` + "\n" +
				`.github/conviso.yml:1:50: gate.never_block.rules[0]: adding "r1" loosens gate.never_block.rules, locked by ` + orgName + `; ignored`,
			func(g Gate) bool {
				return slices.Equal(g.NeverBlock.Tags, []string{"test"}) && len(g.NeverBlock.Rules) == 0
			}},
		{"always_block cannot be removed", "gate: {always_block: {rules: [aws-access-token]}}\nlock: [gate.always_block]",
			"gate: {always_block: {rules: [private-key]}}", "",
			func(g Gate) bool {
				return slices.Equal(g.AlwaysBlock.Rules, []string{"aws-access-token", "private-key"})
			}},
		{"required scanners union", "gate: {required_scanners: [gitleaks]}\nlock: [gate]", "gate: {required_scanners: [semgrep]}", "",
			func(g Gate) bool { return slices.Equal(g.RequiredScanners, []string{"gitleaks", "semgrep"}) }},
		{"fail-open", "lock: [on_scanner_failure]", "on_scanner_failure: fail-open",
			`.github/conviso.yml:1:21: on_scanner_failure: "fail-open" is looser than "fail-closed", the value of on_scanner_failure locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return g.OnScannerFailure == FailClosed }},
		{"fail-closed tighter", "on_scanner_failure: fail-open\nlock: [on_scanner_failure]", "on_scanner_failure: fail-closed", "",
			func(g Gate) bool { return g.OnScannerFailure == FailClosed }},
		{"ignore added", "ignore: [{paths: [vendor/**], reason: third-party}]\nlock: [ignore]",
			"ignore:\n  - {paths: [vendor/**], reason: same}\n  - {paths: [src/**], reason: noisy}",
			`.github/conviso.yml:3:5: ignore[1]: adding the ignore rule "src/** (noisy)" loosens ignore, locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return len(g.Ignore) == 2 && g.Ignore[1].Reason == "same" }},
		{"approver added", "exceptions: {approvers: [\"@acme/appsec\"]}\nlock: [exceptions]", "exceptions: {approvers: [mallory]}",
			`.github/conviso.yml:1:26: exceptions.approvers[0]: adding "mallory" loosens exceptions.approvers, locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return slices.Equal(g.Exceptions.Approvers, []string{"@acme/appsec"}) }},
		{"kinds extra", "exceptions: {kinds: [false-positive]}\nlock: [exceptions.kinds]", "exceptions: {kinds: [false-positive, wont-fix]}",
			`.github/conviso.yml:1:38: exceptions.kinds[1]: allowing "wont-fix" loosens exceptions.kinds, locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return slices.Equal(g.Exceptions.Kinds, []ExceptionKind{KindFalsePositive}) }},
		{"kinds fewer", "lock: [exceptions.kinds]", "exceptions: {kinds: [test-code]}", "",
			func(g Gate) bool { return slices.Equal(g.Exceptions.Kinds, []ExceptionKind{KindTestCode}) }},
		{"max_duration longer", "exceptions: {max_duration: 30d}\nlock: [exceptions.max_duration]", "exceptions: {max_duration: 5w}",
			`.github/conviso.yml:1:28: exceptions.max_duration: 35d is looser than 30d, the value of exceptions.max_duration locked by ` + orgName + `; ignored`,
			func(g Gate) bool { return g.Exceptions.MaxDuration == 30*24*time.Hour }},
		{"max_duration shorter", "lock: [exceptions]", "exceptions: {max_duration: 36h}", "",
			func(g Gate) bool { return g.Exceptions.MaxDuration == 36*time.Hour }},
		{"path rules only tighten", "lock: [exceptions.paths]", "exceptions: {paths: [{match: a/**, approvers: [bob]}]}", "",
			func(g Gate) bool { return len(g.Exceptions.Paths) == 1 }},
		{"unlocked loosening accepted", "mode: enforce\ngate: {max: {high: 0}}\nlock: [on_scanner_failure]",
			"mode: warn\ngate: {max: {high: 3}}", "",
			func(g Gate) bool { return g.Mode == ModeWarn && g.Max[findings.SeverityHigh] == 3 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _, errs := merge(t, tc.org, tc.repo)
			if got := strings.Join(errs, "\n"); got != tc.wantErr {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tc.wantErr)
			}
			g := Effective(p, "main")
			if !tc.check(g) {
				t.Errorf("effective gate %+v", g)
			}
			if got := strings.Join(errorStrings(g.Problems), "\n"); got != tc.wantErr {
				t.Errorf("Gate.Problems:\n%s\nwant:\n%s", got, tc.wantErr)
			}
		})
	}
}

func TestLockOutsideOrgFile(t *testing.T) {
	server := file(t, Source{Path: "server.yml"}, "lock: [mode]")
	server.Name = "server.yml"
	repo := file(t, repoSrc, "mode: warn\nlock: [mode]\n")
	p, _, errs := Merge(server, nil, repo)
	want := []string{
		"server.yml:1:7: lock: allowed only in the org file (the org's .github repository); ignored",
		name + ":2:7: lock: allowed only in the org file (the org's .github repository); ignored",
	}
	if got := errorStrings(errs); !slices.Equal(got, want) {
		t.Errorf("errors %q, want %q", got, want)
	}
	if g := Effective(p, "main"); g.Mode != ModeWarn || len(p.Locks()) != 0 {
		t.Errorf("the repository's value must win without an org lock: %s", g.Mode)
	}
}

// TestMergeLists: unions keep entries of every layer, in layer order,
// without duplicates; kinds are replaced; max merges per severity.
func TestMergeLists(t *testing.T) {
	server := file(t, Source{Path: "server.yml"}, "gate:\n  required_scanners: [gitleaks]\nexceptions:\n  approvers: [\"@conviso/appsec\"]\n")
	org := file(t, orgSrc, "gate:\n  max: {medium: 20, low: 100}\n  always_block: {rules: [a]}\n"+
		"ignore: [{paths: [vendor/**], reason: v}]\nexceptions: {kinds: [false-positive, accepted-risk]}\n")
	repo := file(t, repoSrc, "gate:\n  max: {medium: 5}\n  always_block: {rules: [b, a]}\n  required_scanners: [GITLEAKS, semgrep]\n"+
		"ignore: [{paths: [testdata/**], reason: t}]\nexceptions: {kinds: [test-code], approvers: [alice]}\n")
	p, _, errs := Merge(server, org, repo)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	g := Effective(p, "main")
	want := map[string]any{
		"max":       map[findings.Severity]int{findings.SeverityMedium: 5, findings.SeverityLow: 100},
		"always":    []string{"a", "b"},
		"scanners":  []string{"gitleaks", "semgrep"},
		"ignore":    []string{"vendor/**", "testdata/**"},
		"kinds":     []ExceptionKind{KindTestCode},
		"approvers": []string{"@conviso/appsec", "alice"},
	}
	got := map[string]any{
		"max": g.Max, "always": g.AlwaysBlock.Rules, "scanners": g.RequiredScanners,
		"ignore": []string{g.Ignore[0].Paths[0], g.Ignore[1].Paths[0]}, "kinds": g.Exceptions.Kinds,
		"approvers": g.Exceptions.Approvers,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

// TestProvenance: every effective value names the file that set it.
func TestProvenance(t *testing.T) {
	_, prov, errs := merge(t, "mode: enforce\ngate: {always_block: {rules: [a]}}\nlock: [mode]",
		"gate: {block_at: medium, always_block: {rules: [b]}}\ncomment: on")
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := []string{
		"mode=enforce@acme/.github@0a0a0a:.github/conviso.yml locked",
		"gate.scope=new@server default (built-in)",
		"gate.block_at=medium@acme/app@1b1b1b:.github/conviso.yml",
		"gate.always_block.rules=a@acme/.github@0a0a0a:.github/conviso.yml",
		"gate.always_block.rules=b@acme/app@1b1b1b:.github/conviso.yml",
		"on_scanner_failure=fail-closed@server default (built-in)",
		"annotate=added@server default (built-in)",
		"exceptions.kinds=false-positive@server default (built-in)",
		"exceptions.kinds=accepted-risk@server default (built-in)",
		"exceptions.kinds=wont-fix@server default (built-in)",
		"exceptions.kinds=test-code@server default (built-in)",
		"exceptions.max_duration=90d@server default (built-in)",
		"comment=on@acme/app@1b1b1b:.github/conviso.yml",
	}
	var got []string
	for _, o := range prov {
		s := fmt.Sprintf("%s=%s@%s", o.Key, o.Value, o.Source)
		if o.Locked {
			s += " locked"
		}
		got = append(got, s)
	}
	if !slices.Equal(got, want) {
		t.Errorf("provenance:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if srcs := prov.Sources(); len(srcs) != 3 || srcs[0] != builtinSource || srcs[2] != repoSrc {
		t.Errorf("Sources() = %v", srcs)
	}
	if !strings.Contains(prov.String(), "\ngate.block_at            medium          acme/app@1b1b1b:.github/conviso.yml\n") {
		t.Errorf("String():\n%s", prov)
	}
}

func TestMergeDefaults(t *testing.T) {
	p, _, errs := Merge(nil, nil, nil)
	g := Effective(p, "main")
	if len(errs) != 0 || g.Mode != ModeEnforce || g.Scope != ScopeNew || g.BlockAt != findings.SeverityHigh ||
		len(g.Max) != 0 || g.OnScannerFailure != FailClosed || g.Annotate != AnnotateAdded || g.Comment ||
		g.Exceptions.MaxDuration != 90*24*time.Hour || len(g.Exceptions.Kinds) != 4 || len(g.Exceptions.Approvers) != 0 {
		t.Errorf("default gate %+v, %v", g, errs)
	}
	if p.Source() != builtinSource {
		t.Errorf("Source() = %v", p.Source())
	}
}

func TestMergeDoesNotModifyFiles(t *testing.T) {
	org := file(t, orgSrc, "gate: {max: {high: 0}, never_block: {tags: [x]}}\nlock: [gate]")
	repo := file(t, repoSrc, "gate: {max: {high: 5}, never_block: {tags: [y]}}")
	before := fmt.Sprintf("%+v %+v", *org, *repo)
	p, _, _ := Merge(nil, org, repo)
	Effective(p, "main")
	if after := fmt.Sprintf("%+v %+v", *org, *repo); after != before {
		t.Errorf("files changed:\n%s\n%s", before, after)
	}
}

func TestParseSource(t *testing.T) {
	got := ParseSource(LayerOrg, "acme/.github@4f2a9c1", ".github/conviso.yml")
	if got.String() != "acme/.github@4f2a9c1:.github/conviso.yml" || got.Layer != LayerOrg {
		t.Errorf("%+v", got)
	}
	if s := ParseSource(LayerRepo, "acme/app", "p.yml").String(); s != "acme/app:p.yml" {
		t.Errorf("%s", s)
	}
	if s := (Source{Layer: LayerServer, Path: "/etc/conviso/policy.yml"}).String(); s != "server default (/etc/conviso/policy.yml)" {
		t.Errorf("%s", s)
	}
}
