package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Conditions of the aging-aware gate and of limits.
const (
	// CondLimit: more in-scope findings of a severity (of a scanner) than a
	// gate.limits entry allows.
	CondLimit Condition = "limits"
	// CondAgingMax: more in-scope findings than gate.aging's expected
	// maximum; it warns.
	CondAgingMax Condition = "aging.max"
	// CondAgingHardMax: more in-scope findings than gate.aging's hard
	// maximum; it blocks.
	CondAgingHardMax Condition = "aging.hard_max"
	// CondOverdue: open findings past gate.aging's days to fix; it blocks.
	CondOverdue Condition = "aging.days"
)

// OriginConvisoRules marks a Limit converted from a Conviso rules file.
const OriginConvisoRules = "conviso_rules"

// AgingLimit is gate.aging for one severity. Nil fields are not set.
type AgingLimit struct {
	// Max is the expected maximum count: over it the gate warns.
	Max *int `json:"max,omitempty"`
	// HardMax is the hard maximum: over it the gate blocks.
	HardMax *int `json:"hard_max,omitempty"`
	// Days is the days to fix: an open finding first seen longer ago
	// blocks. 0 means the SLA matrix's cell for the repository's impact
	// (written "sla").
	Days *int `json:"days,omitempty"`
}

// Limit caps in-scope findings by severity, of one scanner or of all.
type Limit struct {
	// Scanner restricts the limit to one scanner's findings (matched with
	// the finding's scanner or category, without regard to case); "" is
	// every scanner.
	Scanner string `json:"scanner,omitempty"`
	// Max is the most findings allowed per severity; SeverityUnknown is
	// "info". A missing severity is not checked.
	Max map[findings.Severity]int `json:"max"`
	// Origin is OriginConvisoRules for a converted Conviso rule, else "".
	Origin string `json:"origin,omitempty"`
}

// OpenFinding is an open finding of the repository, with when it was
// first seen (its lifecycle record's creation).
type OpenFinding struct {
	findings.Finding
	// FirstSeen starts the days to fix; zero: not aged.
	FirstSeen time.Time `json:"first_seen"`
}

// RuleScope says which rule set a decision's thresholds.
type RuleScope string

// Rule scopes.
const (
	// RuleGlobal: the org-wide rule (org file, server file or built-in).
	RuleGlobal RuleScope = "global"
	// RuleRepository: the repository's policy file.
	RuleRepository RuleScope = "repository"
	// RuleCustom: a branch override or a Conviso rules file.
	RuleCustom RuleScope = "custom"
)

// SeverityCount is one severity's thresholds and counts in a decision.
type SeverityCount struct {
	// Severity is the severity counted.
	Severity findings.Severity `json:"severity"`
	// Expected is the expected maximum (gate.aging max, else gate.max, else
	// 0 at or above block_at); nil: unlimited.
	Expected *int `json:"expected,omitempty"`
	// HardMax is gate.aging's hard maximum; nil: not set.
	HardMax *int `json:"hard_max,omitempty"`
	// Found is how many in-scope findings of the severity were counted.
	Found int `json:"found"`
	// Days is the days to fix in force; 0: not checked.
	Days int `json:"days,omitempty"`
	// Overdue is how many open findings are past Days.
	Overdue int `json:"overdue"`
	// Outcome is this severity's part: pass, warn or block.
	Outcome Outcome `json:"outcome"`
}

// String renders the limit as it is listed in provenance:
// "from any: critical ≤ 0, high ≤ 5".
func (l Limit) String() string {
	var parts []string
	for _, sev := range slices.Backward(slices.Sorted(maps.Keys(l.Max))) {
		parts = append(parts, fmt.Sprintf("%s ≤ %d", limitSeverityName(sev), l.Max[sev]))
	}
	s := "from " + cmpOr(l.Scanner, convisoAny) + ": " + strings.Join(parts, ", ")
	if l.Origin != "" {
		s = l.Origin + " " + s
	}
	return s
}

func (l Limit) matches(f findings.Finding) bool {
	return l.Scanner == "" || strings.EqualFold(l.Scanner, f.Scanner) || strings.EqualFold(l.Scanner, f.Category)
}

// NeedsOpenFindings reports whether Evaluate uses Input.Open: some
// gate.aging entry has days to fix.
func (g Gate) NeedsOpenFindings() bool {
	for _, a := range g.Aging {
		if a.Days != nil && g.Mode != ModeOff {
			return true
		}
	}
	return false
}

// agingDays returns the days to fix of sev in force, or false.
func (g Gate) agingDays(sev findings.Severity) (int, bool) {
	a, ok := g.Aging[sev]
	switch {
	case !ok || a.Days == nil:
		return 0, false
	case *a.Days > 0:
		return *a.Days, true
	}
	return g.SLA.Days(sev, g.Impact)
}

// thresholdKey reports whether key is a count or aging threshold.
func thresholdKey(key string) bool {
	return key == "gate.block_at" || key == "gate.limits" || strings.HasPrefix(key, "gate.max.") ||
		strings.HasPrefix(key, "gate.aging.")
}

// Rule says which rule set the gate's thresholds, and the most specific
// file that set one: custom when a branch override or a Conviso rules
// file set one, else repository when the repository's file did, else
// global.
func (g Gate) Rule() (RuleScope, Source) {
	scope, src := RuleGlobal, Source{}
	for _, o := range g.Provenance {
		if !thresholdKey(o.Key) {
			continue
		}
		switch {
		case o.Branch != "" || strings.HasPrefix(o.Value, OriginConvisoRules):
			return RuleCustom, o.Source
		case o.Source.Layer == LayerRepo:
			scope, src = RuleRepository, o.Source
		case scope == RuleGlobal && o.Source.Layer >= src.Layer:
			src = o.Source
		}
	}
	return scope, src
}

// limitReasons reports each gate.limits entry a severity's count exceeds.
func limitReasons(g Gate, counted []findings.Finding) []Reason {
	var out []Reason
	for _, l := range g.Limits {
		for _, sev := range slices.Backward(slices.Sorted(maps.Keys(l.Max))) {
			r := g.reason(CondLimit, "gate.limits", l.String())
			r.Severity, r.Limit, r.Scanner = sev, l.Max[sev], l.Scanner
			for _, f := range counted {
				if f.Severity == sev && l.matches(f) {
					r.Findings = append(r.Findings, f)
				}
			}
			if r.Count = len(r.Findings); r.Count > r.Limit {
				out = append(out, r)
			}
		}
	}
	return out
}

// agingReasons reports, per gate.aging severity, open findings past their
// days to fix (block), a count over the hard maximum (block) or over the
// expected maximum (warn).
func agingReasons(g Gate, in Input, counted []findings.Finding) []Reason {
	var out []Reason
	for _, sev := range slices.Backward(slices.Sorted(maps.Keys(g.Aging))) {
		a, prefix := g.Aging[sev], "gate.aging."+sev.String()
		if days, ok := g.agingDays(sev); ok {
			if late := overdue(g, in, sev, days); len(late) > 0 {
				r := g.reason(CondOverdue, prefix+".days", "")
				r.Severity, r.Count, r.Days, r.Oldest = sev, len(late), days, late[0].FirstSeen
				out = append(out, r)
			}
		}
		of := ofSeverity(counted, sev)
		switch {
		case a.HardMax != nil && len(of) > *a.HardMax:
			r := g.reason(CondAgingHardMax, prefix+".hard_max", "")
			r.Severity, r.Limit, r.Findings, r.Count = sev, *a.HardMax, of, len(of)
			out = append(out, r)
		case a.Max != nil && len(of) > *a.Max:
			r := g.reason(CondAgingMax, prefix+".max", "")
			r.Severity, r.Limit, r.Findings, r.Count, r.Effect = sev, *a.Max, of, len(of), OutcomeWarn
			r.HardMax = a.HardMax
			out = append(out, r)
		}
	}
	return out
}

func ofSeverity(fs []findings.Finding, sev findings.Severity) []findings.Finding {
	var out []findings.Finding
	for _, f := range fs {
		if f.Severity == sev {
			out = append(out, f)
		}
	}
	return out
}

// overdue returns the open findings of sev, not ignored by path, first
// seen more than days ago at in.Now, oldest first. The deadline instant
// itself is not overdue (as lifecycle's SLA: Breached after it).
func overdue(g Gate, in Input, sev findings.Severity, days int) []OpenFinding {
	var out []OpenFinding
	window := time.Duration(days) * 24 * time.Hour
	for _, o := range in.Open {
		if o.Severity != sev || o.FirstSeen.IsZero() || in.Now.Sub(o.FirstSeen) <= window {
			continue
		}
		if glob, _ := ignoredBy(g.Ignore, o.Path); glob == "" {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b OpenFinding) int { return a.FirstSeen.Compare(b.FirstSeen) })
	return out
}

// severityCounts fills in each severity's row from the counted findings
// and the reasons.
func severityCounts(g Gate, in Input, counted []findings.Finding) []SeverityCount {
	var out []SeverityCount
	for sev := findings.SeverityCritical; sev >= findings.SeverityLow; sev-- {
		c := SeverityCount{Severity: sev, Found: len(ofSeverity(counted, sev)), Outcome: OutcomePass}
		c.Expected = expected(g, sev)
		if a, ok := g.Aging[sev]; ok {
			c.HardMax = a.HardMax
		}
		if days, ok := g.agingDays(sev); ok {
			c.Days, c.Overdue = days, len(overdue(g, in, sev, days))
		}
		c.Outcome = rowOutcome(g, sev, c)
		out = append(out, c)
	}
	return out
}

func expected(g Gate, sev findings.Severity) *int {
	if a, ok := g.Aging[sev]; ok && a.Max != nil {
		return ptr(*a.Max)
	}
	if n, ok := g.Max[sev]; ok {
		return ptr(n)
	}
	if g.BlockAt != findings.SeverityUnknown && sev >= g.BlockAt {
		return ptr(0)
	}
	return nil
}

// rowOutcome is the severity's part in the decision: block when overdue,
// over the hard maximum or over a blocking maximum; warn when over the
// expected maximum only; in warn mode blocks warn.
func rowOutcome(g Gate, sev findings.Severity, c SeverityCount) Outcome {
	_, aged := g.Aging[sev]
	out := OutcomePass
	switch {
	case c.Overdue > 0, c.HardMax != nil && c.Found > *c.HardMax:
		out = OutcomeBlock
	case c.Expected != nil && c.Found > *c.Expected && aged && g.Aging[sev].Max != nil:
		out = OutcomeWarn
	case c.Expected != nil && c.Found > *c.Expected:
		out = OutcomeBlock
	}
	if out == OutcomeBlock && g.Mode == ModeWarn {
		out = OutcomeWarn
	}
	return out
}

// agingBody says what an aging or limits condition found.
func (r Reason) agingBody(u func(string) string) string {
	switch r.Condition {
	case CondLimit:
		from := "any scanner"
		if r.Scanner != "" {
			from = "scanner " + u(r.Scanner)
		}
		return fmt.Sprintf("%s from %s, the maximum is %d", r.countPhrase(), from, r.Limit)
	case CondAgingHardMax:
		return fmt.Sprintf("%s, over the hard limit of %d", r.countPhrase(), r.Limit)
	case CondAgingMax:
		hard := "no hard limit is set"
		if r.HardMax != nil {
			hard = fmt.Sprintf("within the hard limit of %d", *r.HardMax)
		}
		return fmt.Sprintf("%s, the expected maximum is %d (%s; only findings past their days to fix block)",
			r.countPhrase(), r.Limit, hard)
	case CondOverdue:
		return fmt.Sprintf("%s past the %d days to fix (the oldest first seen %s)",
			plural(r.Count, "open "+r.Severity.String()+" finding is", "open "+r.Severity.String()+" findings are"),
			r.Days, date(r.Oldest))
	}
	return r.Problem
}

// agingSection renders the rule applied and, per severity, the expected
// maximum against what was found; only when gate.aging or gate.limits is
// set.
func agingSection(d Decision) string {
	if !d.Aging {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n**Rule applied:** %s", d.Rule)
	if d.RuleSource != (Source{}) {
		b.WriteString(" (" + cell(d.RuleSource.String()) + ")")
	}
	b.WriteString("\n\n| Severity | Expected | Found | Hard limit | Days to fix | Overdue | Result |\n|---|---|---|---|---|---|---|\n")
	for _, c := range d.Counts {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %d | %s |\n", c.Severity, intOr(c.Expected, "no limit"), c.Found,
			intOr(c.HardMax, "—"), intOr(nonZero(c.Days), "—"), c.Overdue, c.Outcome)
	}
	return b.String()
}

func intOr(n *int, none string) string {
	if n == nil {
		return none
	}
	return fmt.Sprint(*n)
}

func nonZero(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}
