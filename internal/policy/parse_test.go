package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

const name = ".github/conviso.yml"

// TestParseErrors checks each problem's exact message, line and column.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"unknown severity key", "gate:\n  max:\n    critical: 0\n    critcal: 1\n",
			[]string{name + ":4:5: gate.max.critcal: unknown key (allowed: critical, high, medium, low)"}},
		{"bad mode", "mode: block\n",
			[]string{name + `:1:7: mode: "block" is not allowed (allowed: enforce, warn, off)`}},
		{"unknown top key", "modes: warn\n",
			[]string{name + ":1:1: modes: unknown key (allowed: version, mode, gate, branches, ignore, on_scanner_failure, annotate, exceptions, comment, lock, impact, sla, conviso_rules, conviso_rules_file)"}},
		{"empty value", "mode:\n",
			[]string{name + ":1:6: mode: missing value (allowed: enforce, warn, off)"}},
		{"duplicate key", "mode: warn\nmode: off\n",
			[]string{name + ":2:1: mode: duplicate key (first set at line 1)"}},
		{"merge key", "gate:\n  <<: {scope: all}\n",
			[]string{name + ":2:3: gate: merge keys (<<) are not supported: write the keys out"}},
		{"not a mapping", "- mode: warn\n",
			[]string{name + `:1:1: expected a mapping with keys version, mode, gate, branches, ignore, on_scanner_failure, annotate, exceptions, comment, lock, impact, sla, conviso_rules, conviso_rules_file, got a list`}},
		{"gate list", "gate: [scope]\n",
			[]string{name + ":1:7: gate: expected a mapping with keys scope, block_at, max, always_block, never_block, required_scanners, aging, limits, got a list"}},
		{"list expected", "gate:\n  required_scanners: gitleaks\n",
			[]string{name + `:2:22: gate.required_scanners: expected a list of scanner names, got the value "gitleaks"`}},
		{"scalar expected", "mode: [warn]\n",
			[]string{name + ":1:7: mode: expected a single value, got a list"}},
		{"negative max", "gate:\n  max:\n    high: -1\n",
			[]string{name + `:3:11: gate.max.high: "-1" is not a whole number from 0 to 1000000`}},
		{"word max", "gate:\n  max: {medium: ten}\n",
			[]string{name + `:2:17: gate.max.medium: "ten" is not a whole number from 0 to 1000000`}},
		{"float max", "gate:\n  max: {medium: 1.5}\n",
			[]string{name + `:2:17: gate.max.medium: "1.5" is not a whole number from 0 to 1000000`}},
		{"huge max", "gate:\n  max: {medium: 1000001}\n",
			[]string{name + `:2:17: gate.max.medium: "1000001" is not a whole number from 0 to 1000000`}},
		{"block_at", "gate:\n  block_at: severe\n",
			[]string{name + `:2:13: gate.block_at: "severe" is not allowed (allowed: critical, high, medium, low, none)`}},
		{"scope", "gate:\n  scope: everything\n",
			[]string{name + `:2:10: gate.scope: "everything" is not allowed (allowed: new, all)`}},
		{"cwe", "gate:\n  always_block:\n    cwe: [CWE-798, cwe-79]\n",
			[]string{name + `:3:20: gate.always_block.cwe[1]: "cwe-79" is not a CWE id (expected CWE-<number>, e.g. CWE-798)`}},
		{"matcher key", "gate:\n  never_block:\n    rule: [x]\n",
			[]string{name + ":3:5: gate.never_block.rule: unknown key (allowed: rules, cwe, tags)"}},
		{"scanner name", "gate:\n  required_scanners: [\"semgrep pro\"]\n",
			[]string{name + `:2:23: gate.required_scanners[0]: "semgrep pro" is not a scanner name (letters, digits, '.', '_' and '-', e.g. gitleaks)`}},
		{"branch without match", "branches:\n  - mode: warn\n",
			[]string{name + ":2:5: branches[0].match: missing (required: a branch glob such as release/*)"}},
		{"branch sets nothing", "branches:\n  - match: main\n",
			[]string{name + ":2:5: branches[0]: sets nothing (add mode or a gate key: scope, block_at, max, always_block, never_block, required_scanners, aging, limits)"}},
		{"branch refs", "branches:\n  - match: refs/heads/main\n    mode: warn\n",
			[]string{name + `:2:12: branches[0].match: "refs/heads/main": write the branch name without refs/heads/`}},
		{"branch bad glob", "branches:\n  - match: \"release/{a\"\n    mode: warn\n",
			[]string{name + `:2:12: branches[0].match: "release/{a" is not a valid glob (unclosed [ or {)`}},
		{"branch on_scanner_failure", "branches:\n  - match: main\n    on_scanner_failure: fail-open\n",
			[]string{name + ":3:5: branches[0].on_scanner_failure: unknown key (allowed: match, mode, scope, block_at, max, always_block, never_block, required_scanners, aging, limits)"}},
		{"ignore without reason", "ignore:\n  - paths: [\"testdata/**\"]\n",
			[]string{name + ":2:5: ignore[0].reason: missing (required: say why these paths are ignored)"}},
		{"ignore blank reason", "ignore:\n  - paths: [\"testdata/**\"]\n    reason: \"  \"\n",
			[]string{name + ":3:13: ignore[0].reason: empty reason (say why these paths are ignored)"}},
		{"ignore without paths", "ignore:\n  - reason: fixtures\n",
			[]string{name + ":2:5: ignore[0].paths: missing (required: the path globs to ignore, e.g. [testdata/**])"}},
		{"ignore empty paths", "ignore:\n  - paths: []\n    reason: fixtures\n",
			[]string{name + ":2:12: ignore[0].paths: empty list (required: at least one path glob)"}},
		{"ignore absolute", "ignore:\n  - paths: [/etc/**]\n    reason: x\n",
			[]string{name + `:2:13: ignore[0].paths[0]: "/etc/**": paths are relative to the repository root (drop the leading /)`}},
		{"on_scanner_failure", "on_scanner_failure: ignore\n",
			[]string{name + `:1:21: on_scanner_failure: "ignore" is not allowed (allowed: fail-closed, fail-open)`}},
		{"annotate", "annotate: nofilter\n",
			[]string{name + `:1:11: annotate: "nofilter" is not allowed (allowed: added, diff_context, file, all)`}},
		{"comment bool", "comment: true\n",
			[]string{name + `:1:10: comment: "true" is not allowed (allowed: on, off)`}},
		{"version", "version: 2\n",
			[]string{name + `:1:10: version: "2" is not allowed (allowed: 1)`}},
		{"version string", "version: \"1\"\n",
			[]string{name + `:1:10: version: "1" is not allowed: write the number (allowed: 1)`}},
		{"kind", "exceptions:\n  kinds: [false-positive, later]\n",
			[]string{name + `:2:27: exceptions.kinds[1]: "later" is not allowed (allowed: false-positive, accepted-risk, wont-fix, test-code)`}},
		{"no kinds", "exceptions:\n  kinds: []\n",
			[]string{name + ":2:10: exceptions.kinds: empty list (list at least one kind (allowed: false-positive, accepted-risk, wont-fix, test-code))"}},
		{"duration", "exceptions:\n  max_duration: 3 months\n",
			[]string{name + `:2:17: exceptions.max_duration: "3 months" is not a duration (expected <n>d, <n>w or <n>h, e.g. 90d)`}},
		{"duration too long", "exceptions:\n  max_duration: 3651d\n",
			[]string{name + `:2:17: exceptions.max_duration: "3651d" is longer than 3650 days`}},
		{"approver", "exceptions:\n  approvers: [\"@acme/\"]\n",
			[]string{name + `:2:15: exceptions.approvers[0]: "@acme/" is not a GitHub user or team (expected login, @login or @org/team)`}},
		{"path rule without approvers", "exceptions:\n  paths:\n    - match: auth/**\n",
			[]string{name + ":3:7: exceptions.paths[0].approvers: missing (required: the users or teams who approve exceptions here)"}},
		{"lock unknown", "lock: [annotate]\n",
			[]string{name + `:1:8: lock[0]: "annotate" cannot be locked (allowed: mode, gate, gate.scope, gate.block_at, gate.max, gate.max.critical, gate.max.high, gate.max.medium, gate.max.low, gate.always_block, gate.never_block, gate.required_scanners, ignore, on_scanner_failure, exceptions, exceptions.approvers, exceptions.kinds, exceptions.max_duration, exceptions.paths)`}},
		{"tag", "mode: !!binary d2Fybg==\n",
			[]string{name + ":1:7: mode: unsupported YAML tag !!binary: write a plain value"}},
		{"syntax", "mode: [warn\n",
			[]string{name + ":1: invalid YAML: did not find expected ',' or ']'"}},
		{"two documents", "mode: warn\n---\nmode: off\n",
			[]string{name + ": invalid YAML: the file holds more than one YAML document (remove the ---)"}},
		{"every problem, in file order", "mode: block\ngate:\n  max:\n    critcal: 0\n  scope: both\nignore:\n  - paths: [a]\n",
			[]string{
				name + `:1:7: mode: "block" is not allowed (allowed: enforce, warn, off)`,
				name + ":4:5: gate.max.critcal: unknown key (allowed: critical, high, medium, low)",
				name + `:5:10: gate.scope: "both" is not allowed (allowed: new, all)`,
				name + ":7:5: ignore[0].reason: missing (required: say why these paths are ignored)",
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(name, []byte(tc.src))
			var ve *ValidationError
			if f != nil || !errors.As(err, &ve) {
				t.Fatalf("Parse = %v, %v; want a *ValidationError", f, err)
			}
			if got := strings.Split(ve.Error(), "\n"); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(ve.Errors) != len(tc.want) || ve.Errors[0].File != name {
				t.Errorf("got %d errors, want %d", len(ve.Errors), len(tc.want))
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	_, err := Parse(name, []byte(strings.Repeat("#", MaxFileBytes+1)))
	if err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x: &a [\"r\"" + strings.Repeat(", \"r\"", 2000) + "]\nbranches:\n")
	for i := 0; i < 2000; i++ {
		b.WriteString("  - {match: main, always_block: {rules: *a, tags: *a}}\n")
	}
	_, err := Parse(name, []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "too complex") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseEmptyAndAliases(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "~\n", "gate:\n", "gate: {max: }\n"} {
		f, err := Parse(name, []byte(src))
		if err != nil || f.Mode != nil || !f.Gate.empty() {
			t.Errorf("Parse(%q) = %+v, %v; want an empty file", src, f, err)
		}
	}
	f, err := Parse(name, []byte("gate:\n  always_block: {rules: &r [a, b]}\n  never_block: {rules: *r}\n"))
	if err != nil || len(f.Gate.NeverBlock.Rules) != 2 {
		t.Fatalf("aliases: %+v, %v", f, err)
	}
}

// TestParseFull checks that every key of full.yml reaches the File.
func TestParseFull(t *testing.T) {
	f := parseFile(t, "full.yml")
	g, b, x := f.Gate, f.Branches[0], f.Exceptions
	checks := map[string]bool{
		"version":            f.Version == 1,
		"mode":               *f.Mode == ModeEnforce,
		"gate.scope":         *g.Scope == ScopeNew,
		"gate.block_at":      *g.BlockAt == findings.SeverityHigh,
		"gate.max":           g.Max[findings.SeverityCritical] == 0 && g.Max[findings.SeverityLow] == 100 && len(g.Max) == 4,
		"gate.always_block":  g.AlwaysBlock.Rules[0] == "aws-access-token" && g.AlwaysBlock.CWE[0] == "CWE-798" && g.AlwaysBlock.Tags[0] == "secret",
		"gate.never_block":   g.NeverBlock.Rules[0] == "generic-api-key" && g.NeverBlock.CWE[0] == "CWE-1004" && g.NeverBlock.Tags[0] == "example",
		"required_scanners":  g.RequiredScanners[0] == "gitleaks",
		"branches":           b.Match == "release/*" && *b.Mode == ModeEnforce && *b.Scope == ScopeAll && *b.BlockAt == findings.SeverityMedium,
		"branches.more":      len(b.Max) == 2 && b.AlwaysBlock.Rules[0] == "private-key" && b.NeverBlock.Tags[0] == "docs" && len(b.RequiredScanners) == 1,
		"ignore":             f.Ignore[0].Paths[0] == "testdata/**" && f.Ignore[0].Reason == "fixtures",
		"on_scanner_failure": *f.OnScannerFailure == FailClosed,
		"annotate":           *f.Annotate == AnnotateAdded,
		"exceptions":         x.Approvers[0] == "@acme/appsec" && x.Approvers[1] == "alice" && len(x.Kinds) == 4 && *x.MaxDuration == 90*24*time.Hour,
		"exceptions.paths":   x.Paths[0].Match == "auth/**" && x.Paths[0].Approvers[0] == "@acme/auth-owners",
		"comment":            *f.Comment == false,
		"lock":               strings.Join(f.Lock, ",") == "mode,gate",
	}
	for key, ok := range checks {
		if !ok {
			t.Errorf("%s not parsed as written", key)
		}
	}
	if err := f.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseNormalises(t *testing.T) {
	f, err := Parse(name, []byte("exceptions:\n  approvers: [\"@alice\", bob, \"@acme/appsec\"]\n  max_duration: 2w\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.Exceptions.Approvers, ","); got != "alice,bob,@acme/appsec" {
		t.Errorf("approvers = %s", got)
	}
	if *f.Exceptions.MaxDuration != 14*24*time.Hour {
		t.Errorf("2w = %s", *f.Exceptions.MaxDuration)
	}
}

// TestValidate checks File.Validate on files built in code.
func TestValidate(t *testing.T) {
	bad := &File{Name: "code", Version: 3, Mode: ptr(Mode("block")),
		Gate:     Conditions{Max: map[findings.Severity]int{findings.SeverityHigh: -1}, AlwaysBlock: Matchers{CWE: []string{"798"}}},
		Branches: []Branch{{Match: ""}}, Ignore: []Ignore{{Paths: []string{"a"}}},
		Exceptions: ExceptionRules{Kinds: []ExceptionKind{}, MaxDuration: ptr(time.Duration(0))},
		Lock:       []string{"comment"}}
	var ve *ValidationError
	if err := bad.Validate(); !errors.As(err, &ve) || len(ve.Errors) != 10 {
		t.Fatalf("Validate = %v (%d problems), want 10", err, len(ve.Errors))
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

func parseFile(t testing.TB, file string) *File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "policies", file))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(name, data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return f
}
