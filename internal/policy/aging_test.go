package policy

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// TestSLAConfigErrors: every SLA, impact and aging configuration error is
// reported with its key path and what is allowed.
func TestSLAConfigErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"impact: huge\n", `1:9: impact: "huge" is not allowed (allowed: high, medium, low)`},
		{"impact:\n", "impact: missing value (allowed: high, medium, low)"},
		{"sla:\n  critical: {high: 0}\n", `sla.critical.high: "0" is not a whole number of days from 1 to 3650`},
		{"sla:\n  critical: {high: 3651}\n", `sla.critical.high: "3651" is not a whole number of days from 1 to 3650`},
		{"sla:\n  critical: {high: 7d}\n", `sla.critical.high: "7d" is not a whole number of days`},
		{"sla:\n  severe: {high: 7}\n", "sla.severe: unknown key (allowed: critical, high, medium, low)"},
		{"sla:\n  high: {huge: 7}\n", "sla.high.huge: unknown key (allowed: high, medium, low)"},
		{"sla:\n  high: [7]\n", "sla.high: expected a mapping with keys high, medium, low, got a list"},
		{"sla: {}\n", "sla: sets no cell"},
		{"gate:\n  aging:\n    high: {max: 5, hard_max: 2}\n", "gate.aging.high.hard_max: 2 is below max (5)"},
		{"gate:\n  aging:\n    high: {days: 0}\n", `gate.aging.high.days: "0" is not a whole number of days from 1 to 3650, or sla`},
		{"gate:\n  aging:\n    high: {days: soon}\n", "or sla (the SLA matrix's days"},
		{"gate:\n  aging:\n    high: {max: -1}\n", `gate.aging.high.max: "-1" is not a whole number`},
		{"gate:\n  aging:\n    high: {}\n", "gate.aging.high: sets nothing (add max, hard_max, days)"},
		{"gate:\n  aging:\n    high: {limit: 1}\n", "gate.aging.high.limit: unknown key (allowed: max, hard_max, days)"},
		{"gate:\n  limits:\n    - scanner: gitleaks\n", "gate.limits[0].max: missing"},
		{"gate:\n  limits:\n    - max: {severe: 1}\n", "gate.limits[0].max.severe: unknown key (allowed: critical, high, medium, low, info)"},
		{"conviso_rules: {}\n", "conviso_rules.rules: missing"},
		{"conviso_rules:\n  rules: []\n", "conviso_rules.rules: empty list"},
		{"conviso_rules:\n  rules:\n    - from: any\n", "conviso_rules.rules[0].severity: missing"},
		{"conviso_rules:\n  rules:\n    - severity: {high: {max: 1}}\n", "conviso_rules.rules[0].severity.high.max: unknown key (allowed: maximum)"},
		{"conviso_rules:\n  rules:\n    - severity: {high: {}}\n", "conviso_rules.rules[0].severity.high.maximum: missing"},
		{"conviso_rules_file: ../rules.yml\n", "conviso_rules_file: \"../rules.yml\": write a plain path"},
		{"conviso_rules_file: /rules.yml\n", "paths are relative to the repository root"},
		{"conviso_rules_file: r.yml\nconviso_rules:\n  rules: [{severity: {high: {maximum: 1}}}]\n",
			"set either conviso_rules or conviso_rules_file, not both"},
	} {
		_, err := Parse(name, []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): got %v, want an error containing %q", tc.src, err, tc.want)
		}
	}
}

// TestSLAPlacement: sla in a repository file and impact in the server file
// are problems, ignored; the org file's values apply.
func TestSLAPlacement(t *testing.T) {
	server := file(t, Source{Layer: LayerServer, Path: "server.yml"}, "impact: high\nsla:\n  high: {low: 60, high: 20}\n")
	org := file(t, orgSrc, "impact: medium\nsla:\n  high: {medium: 30}\n")
	repo := file(t, repoSrc, "impact: low\nsla:\n  high: {low: 1}\n")
	p, _, errs := Merge(server, org, repo)
	got := strings.Join(errorStrings(errs), "\n")
	for _, want := range []string{"1:9: impact: a repository's business impact is set in its own file",
		"sla: the SLA matrix is set in the server or org file"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
	g := Effective(p, "main")
	want := SLAMatrix{"high": {"low": 60, "high": 20, "medium": 30}}
	if g.Impact != ImpactLow || !slaEqual(g.SLA, want) {
		t.Errorf("impact %q, sla %v; want low, %v", g.Impact, g.SLA, want)
	}
	if err := g.SLA.Validate(); err != nil {
		t.Error(err)
	}
}

func slaEqual(a, b SLAMatrix) bool {
	if len(a) != len(b) {
		return false
	}
	for k, row := range a {
		for imp, d := range row {
			if b[k][imp] != d {
				return false
			}
		}
		if len(row) != len(b[k]) {
			return false
		}
	}
	return true
}

// orgGate resolves an org and a repository file on main.
func orgGate(t testing.TB, org, repo string) Gate {
	t.Helper()
	p, _, errs := merge(t, org, repo)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	return Effective(p, "main")
}

// open builds an open finding of severity s first seen age ago.
func open(id string, s findings.Severity, age time.Duration) OpenFinding {
	return OpenFinding{Finding: fnd(id, s), FirstSeen: now.Add(-age)}
}

// agingOrg sets the SLA matrix; agingPolicy is the repository's file.
const agingOrg = `
sla:
  critical: {high: 7}
`

const agingPolicy = `
impact: high
gate:
  block_at: none
  aging:
    high: {max: 2, hard_max: 4, days: 30}
    critical: {days: sla}
`

// TestAgingBoundaries: within the count and nothing overdue passes; over
// max warns (neutral); over hard_max, or an open finding past its days to
// fix (the deadline instant included in the window), blocks.
func TestAgingBoundaries(t *testing.T) {
	g := orgGate(t, agingOrg, agingPolicy)
	day := 24 * time.Hour
	highs := func(n int) []findings.Finding {
		var out []findings.Finding
		for i := range n {
			out = append(out, fnd("h"+string(rune('a'+i)), findings.SeverityHigh))
		}
		return out
	}
	for _, tc := range []struct {
		label      string
		found      []findings.Finding
		open       []OpenFinding
		outcome    Outcome
		conclusion string
		cond       []Condition
	}{
		{"none", nil, nil, OutcomePass, ConclusionSuccess, []Condition{CondNone}},
		{"at max", highs(2), nil, OutcomePass, ConclusionSuccess, []Condition{CondNone}},
		{"max+1", highs(3), nil, OutcomeWarn, ConclusionNeutral, []Condition{CondAgingMax}},
		{"at hard max", highs(4), nil, OutcomeWarn, ConclusionNeutral, []Condition{CondAgingMax}},
		{"hard max+1", highs(5), nil, OutcomeBlock, ConclusionFailure, []Condition{CondAgingHardMax}},
		{"at days", nil, []OpenFinding{open("o1", findings.SeverityHigh, 30*day)}, OutcomePass, ConclusionSuccess, []Condition{CondNone}},
		{"days+1s", nil, []OpenFinding{open("o1", findings.SeverityHigh, 30*day+time.Second)}, OutcomeBlock, ConclusionFailure, []Condition{CondOverdue}},
		{"over max and overdue", highs(3), []OpenFinding{open("o1", findings.SeverityHigh, 31*day)}, OutcomeBlock, ConclusionFailure,
			[]Condition{CondOverdue, CondAgingMax}},
		{"other severity not aged", nil, []OpenFinding{open("o1", findings.SeverityMedium, 900*day)}, OutcomePass, ConclusionSuccess, []Condition{CondNone}},
		{"sla days at", nil, []OpenFinding{open("c1", findings.SeverityCritical, 7*day)}, OutcomePass, ConclusionSuccess, []Condition{CondNone}},
		{"sla days over", nil, []OpenFinding{open("c1", findings.SeverityCritical, 7*day+time.Minute)}, OutcomeBlock, ConclusionFailure, []Condition{CondOverdue}},
		{"not first seen", nil, []OpenFinding{{Finding: fnd("z", findings.SeverityHigh)}}, OutcomePass, ConclusionSuccess, []Condition{CondNone}},
	} {
		d := Evaluate(g, Input{Findings: tc.found, Open: tc.open, Scanners: ok, Now: now})
		var conds []Condition
		for _, r := range d.Reasons {
			conds = append(conds, r.Condition)
		}
		if d.Outcome != tc.outcome || d.Conclusion != tc.conclusion || !slices.Equal(conds, tc.cond) {
			t.Errorf("%s: got %s/%s %v, want %s/%s %v (%s)", tc.label, d.Outcome, d.Conclusion, conds, tc.outcome,
				tc.conclusion, tc.cond, d.Title())
		}
	}
}

// TestAgingWarnSaysWhy: the warning names the expected maximum, the hard
// limit, and that only overdue findings block; the summary table shows
// expected vs found per severity and the rule applied.
func TestAgingWarnSaysWhy(t *testing.T) {
	g := orgGate(t, agingOrg, agingPolicy)
	fs := []findings.Finding{fnd("a", findings.SeverityHigh), fnd("b", findings.SeverityHigh), fnd("c", findings.SeverityHigh)}
	d := Evaluate(g, Input{Findings: fs, Scanners: ok, Now: now})
	want := "Warning: 3 new high findings, the expected maximum is 2 (within the hard limit of 4; only findings past their days to fix block)"
	if d.Title() != want {
		t.Errorf("title %q, want %q", d.Title(), want)
	}
	md := RenderSummary(d, g.Sources[len(g.Sources)-1])
	for _, s := range []string{"**Rule applied:** repository", "| high | 2 | 3 | 4 | 30 | 0 | warn |", "| critical | no limit | 0 | — | 7 | 0 | pass |"} {
		if !strings.Contains(md, s) {
			t.Errorf("summary lacks %q:\n%s", s, md)
		}
	}
	d = Evaluate(g, Input{Scanners: ok, Now: now, Open: []OpenFinding{open("o", findings.SeverityHigh, 40*24*time.Hour)}})
	if want := "Blocked: 1 open high finding is past the 30 days to fix (the oldest first seen 2025-04-22)"; d.Title() != want {
		t.Errorf("title %q, want %q", d.Title(), want)
	}
}

// TestAgingPrecedence: the org's rule is global, a repository file
// overrides it field by field (repository), a branch override is custom.
func TestAgingPrecedence(t *testing.T) {
	org := "gate:\n  aging:\n    high: {max: 1, hard_max: 3, days: 10}\n"
	for _, tc := range []struct {
		label, repo, branch string
		rule                RuleScope
		want                AgingLimit
	}{
		{"org only", "", "main", RuleGlobal, AgingLimit{Max: ptr(1), HardMax: ptr(3), Days: ptr(10)}},
		{"repo overrides max", "gate:\n  aging:\n    high: {max: 2}\n", "main", RuleRepository,
			AgingLimit{Max: ptr(2), HardMax: ptr(3), Days: ptr(10)}},
		{"branch override", "branches:\n  - match: release/*\n    aging:\n      high: {days: 5}\n", "release/1", RuleCustom,
			AgingLimit{Max: ptr(1), HardMax: ptr(3), Days: ptr(5)}},
		{"branch not matching", "branches:\n  - match: release/*\n    aging:\n      high: {days: 5}\n", "main", RuleGlobal,
			AgingLimit{Max: ptr(1), HardMax: ptr(3), Days: ptr(10)}},
		{"conviso rules", "conviso_rules:\n  rules: [{from: any, severity: {low: {maximum: 9}}}]\n", "main", RuleCustom,
			AgingLimit{Max: ptr(1), HardMax: ptr(3), Days: ptr(10)}},
	} {
		p, _, errs := merge(t, org, tc.repo)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		g := Effective(p, tc.branch)
		got := g.Aging[findings.SeverityHigh]
		if rule, _ := g.Rule(); rule != tc.rule || !agingEqual(got, tc.want) {
			t.Errorf("%s: rule %s %+v, want %s %+v", tc.label, rule, show(got), tc.rule, show(tc.want))
		}
	}
}

func agingEqual(a, b AgingLimit) bool { return show(a) == show(b) }

func show(a AgingLimit) string {
	return intOr(a.Max, "-") + "/" + intOr(a.HardMax, "-") + "/" + intOr(a.Days, "-")
}

// TestConvisoRulesSameDecision: a Conviso rules file (embedded, or parsed
// and converted) decides exactly as its native equivalent.
func TestConvisoRulesSameDecision(t *testing.T) {
	const rulesFile = `rules:
  - from: any
    severity:
      critical: {maximum: 0}
      high: {maximum: 2}
  - from: gosec
    severity:
      medium: {maximum: 1}
`
	const native = `gate:
  block_at: none
  limits:
    - max: {critical: 0, high: 2}
    - scanner: gosec
      max: {medium: 1}
`
	embedded := "gate:\n  block_at: none\nconviso_rules:\n" + indent(rulesFile, "  ")
	parsed, err := ParseConvisoRules([]byte(rulesFile))
	if err != nil {
		t.Fatal(err)
	}
	if back, err := ParseConvisoRules([]byte(ConvisoRulesFromLimits(parsed.Limits()).YAML())); err != nil ||
		len(back.Rules) != 2 || back.Rules[1].From != "gosec" || back.Rules[0].Maximum[findings.SeverityHigh] != 2 {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	gNative, gConviso := gate(t, native), gate(t, embedded)
	gosec := func(f *findings.Finding) { f.Scanner = "gosec" }
	med, crit, high := findings.SeverityMedium, findings.SeverityCritical, findings.SeverityHigh
	for i, set := range [][]findings.Finding{
		nil,
		{fnd("c", crit)},
		{fnd("h1", high), fnd("h2", high)},
		{fnd("h1", high), fnd("h2", high), fnd("h3", high, gosec)},
		{fnd("m1", med), fnd("m2", med)},
		{fnd("m1", med, gosec), fnd("m2", med)},
		{fnd("m1", med, gosec), fnd("m2", med, gosec)},
		{fnd("c", crit, old)},
		{fnd("l", findings.SeverityLow), fnd("i", findings.SeverityUnknown)},
	} {
		in := Input{Findings: set, Scanners: ok, Now: now}
		a, b := Evaluate(gNative, in), Evaluate(gConviso, in)
		if a.Outcome != b.Outcome || a.Conclusion != b.Conclusion || ids(a.Blocking) != ids(b.Blocking) {
			t.Errorf("set %d: native %s %q, conviso %s %q", i, a.Outcome, a.Title(), b.Outcome, b.Title())
		}
	}
	if d := Evaluate(gConviso, Input{Findings: []findings.Finding{fnd("m1", med, gosec), fnd("m2", med, gosec)}, Scanners: ok, Now: now}); d.Outcome != OutcomeBlock ||
		d.Title() != "Blocked: 2 new medium findings from scanner gosec, the maximum is 1" || d.Rule != RuleCustom {
		t.Errorf("got %s %q rule %s", d.Outcome, d.Title(), d.Rule)
	}
}

func indent(s, by string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	return by + strings.Join(lines, by) + "\n"
}

// TestConvisoRulesFileNotRead: a named rules file that was not loaded is
// a visible problem.
func TestConvisoRulesFileNotRead(t *testing.T) {
	_, _, errs := merge(t, "", "conviso_rules_file: .conviso/rules.yml\n")
	if len(errs) != 1 || !strings.Contains(errs[0], "was not read") {
		t.Errorf("problems %q", errs)
	}
}

// TestSchemaMatchesAgingKeys: the schema lists the parser's aging, limits,
// sla, impact and Conviso rules keys.
func TestSchemaMatchesAgingKeys(t *testing.T) {
	doc := readSchema(t).(map[string]any)
	defs := doc["$defs"].(map[string]any)
	keys := func(v any) []string {
		m := deref(defs, v).(map[string]any)
		var ks []string
		for k := range m["properties"].(map[string]any) {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	props := doc["properties"].(map[string]any)
	rule := deref(defs, defs["conviso_rules"].(map[string]any)["properties"].(map[string]any)["rules"]).(map[string]any)["items"]
	for label, pair := range map[string][2][]string{
		"aging":          {keys(defs["aging"]), severityKeys},
		"aging limit":    {keys(defs["aging_limit"]), agingKeys},
		"limit max":      {keys(defs["limit_max"]), limitSevKeys},
		"limit":          {keys(deref(defs, defs["limits"]).(map[string]any)["items"]), limitKeys},
		"sla":            {keys(props["sla"]), severityKeys},
		"sla row":        {keys(props["sla"].(map[string]any)["properties"].(map[string]any)["high"]), impactValues},
		"conviso file":   {keys(defs["conviso_rules"]), convisoKeys},
		"conviso rule":   {keys(rule), convisoRuleKeys},
		"conviso sev":    {keys(rule.(map[string]any)["properties"].(map[string]any)["severity"]), limitSevKeys},
		"impact (enum)":  {enumOf(props["impact"].(map[string]any)), impactValues},
		"conviso thresh": {keys(rule.(map[string]any)["properties"].(map[string]any)["severity"].(map[string]any)["properties"].(map[string]any)["high"]), convisoThreshKeys},
	} {
		want := slices.Sorted(slices.Values(pair[1]))
		if !slices.Equal(pair[0], want) {
			t.Errorf("%s: schema has %v, parser has %v", label, pair[0], want)
		}
	}
}
