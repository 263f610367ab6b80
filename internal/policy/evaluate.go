package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// maxProblemLen bounds a scanner error quoted in a reason.
const maxProblemLen = 300

// Evaluate decides the gate, as a pure function of the gate, the findings,
// the exceptions and the scanner runs. In order:
//
//  1. mode off: the outcome is off (neutral) and nothing else is done;
//  2. ignore rules drop findings by path, before anything is counted;
//  3. exceptions that are valid, unexpired and approved by an allowed
//     approver excuse the findings they match;
//  4. the findings in scope (new ones, or all with scope all) that are not
//     excused are counted, except those matching never_block and not
//     always_block (always_block wins);
//  5. each condition met adds a Reason: a required scanner that did not
//     run successfully, any other failed scanner (per on_scanner_failure),
//     always_block matches, findings at or above block_at, counts over
//     max and over gate.limits, per severity; then gate.aging, per
//     severity: open findings (in.Open) past their days to fix and counts
//     over the hard maximum block, counts over the expected maximum warn;
//  6. any blocking reason blocks (failure); in warn mode it warns
//     (neutral) instead; a fail-open scanner failure warns; else pass.
func Evaluate(g Gate, in Input) Decision {
	d := Decision{Mode: g.Mode, Branch: g.Branch, Provenance: g.Provenance, Sources: g.Sources}
	for _, p := range g.Problems {
		d.Problems = append(d.Problems, p.Error())
	}
	if g.Mode == ModeOff {
		d.Outcome, d.Conclusion = OutcomeOff, ConclusionNeutral
		d.Reasons = []Reason{{Condition: CondOff, Effect: OutcomeOff, Key: "mode", Source: g.source("mode", "")}}
		return d
	}
	kept := ignore(g.Ignore, in.Findings, &d)
	ex := applyExceptions(g.Exceptions, kept, in.Exceptions, in.Now)
	d.Applied, d.Excused, d.Stale, d.Rejected = ex.applied, ex.excusedF, ex.stale, ex.rejected
	var counted []findings.Finding
	for i, f := range kept {
		switch {
		case ex.excused[i] || (g.Scope != ScopeAll && !f.New):
		case g.NeverBlock.match(f) != "" && g.AlwaysBlock.match(f) == "":
			d.NeverBlocked = append(d.NeverBlocked, f)
		default:
			counted = append(counted, f)
		}
	}
	sortFindings(counted)
	sortFindings(d.NeverBlocked)
	reasons := scannerReasons(g, in.Scanners)
	reasons = append(reasons, alwaysBlockReasons(g, counted)...)
	reasons = append(reasons, blockAtReason(g, counted)...)
	reasons = append(reasons, maxReasons(g, counted)...)
	reasons = append(reasons, limitReasons(g, counted)...)
	reasons = append(reasons, agingReasons(g, in, counted)...)
	decide(&d, g, reasons)
	d.Rule, d.RuleSource = g.Rule()
	d.Counts = severityCounts(g, in, counted)
	d.Aging = len(g.Aging) > 0 || len(g.Limits) > 0
	return d
}

// source returns where key (or an entry of it) came from.
func (g Gate) source(key, value string) Source {
	o, _ := g.Provenance.Find(key, value)
	return o.Source
}

func (g Gate) reason(c Condition, key, value string) Reason {
	o, _ := g.Provenance.Find(key, value)
	return Reason{Condition: c, Effect: OutcomeBlock, Scope: g.Scope, Key: key, Source: o.Source, Branch: o.Branch}
}

// ignore drops findings matched by an ignore rule, recording them in d.
func ignore(rules []Ignore, fs []findings.Finding, d *Decision) []findings.Finding {
	var kept []findings.Finding
	for _, f := range fs {
		if glob, reason := ignoredBy(rules, f.Path); glob != "" {
			d.Ignored = append(d.Ignored, Ignored{Finding: f, Glob: glob, Reason: reason})
		} else {
			kept = append(kept, f)
		}
	}
	return kept
}

// ignoredBy returns the first glob (and its rule's reason) matching path.
func ignoredBy(rules []Ignore, path string) (glob, reason string) {
	path = findings.NormalisePath(path)
	for _, r := range rules {
		for _, g := range r.Paths {
			if ok, _ := doublestar.Match(g, path); ok {
				return g, r.Reason
			}
		}
	}
	return "", ""
}

// match returns the first entry of m that f matches ("rule x", "CWE-798",
// "tag y"), or "".
func (m Matchers) match(f findings.Finding) string {
	for _, r := range m.Rules {
		if r == f.RuleID {
			return "rule " + r
		}
	}
	for _, c := range m.CWE {
		if containsFold(f.CWE, c) {
			return c
		}
	}
	for _, t := range m.Tags {
		if containsFold(f.Tags, t) {
			return "tag " + t
		}
	}
	return ""
}

// scannerReasons reports required scanners that did not run successfully
// and any other failed scanner.
func scannerReasons(g Gate, runs []ScannerStatus) []Reason {
	var out []Reason
	for _, name := range g.RequiredScanners {
		if problem, detail := requiredProblem(name, runs); problem != "" {
			r := g.reason(CondRequiredScanner, "gate.required_scanners", name)
			r.Scanner, r.Problem, r.Detail = name, problem, detail
			out = append(out, r)
		}
	}
	for _, s := range runs {
		problem, detail := scannerProblem(s)
		if problem == "" || containsFold(g.RequiredScanners, s.Name) {
			continue
		}
		out = append(out, failureReason(g, s.Name, problem, detail))
	}
	if len(runs) == 0 && len(out) == 0 {
		out = append(out, failureReason(g, "", "no scanner reported a result", ""))
	}
	return out
}

func failureReason(g Gate, name, problem, detail string) Reason {
	r := g.reason(CondScannerFailure, "on_scanner_failure", "")
	r.Scanner, r.Problem, r.Detail = name, problem, detail
	if g.OnScannerFailure == FailOpen {
		r.Effect = OutcomeWarn
	}
	return r
}

// requiredProblem says how the required scanner name failed, or "".
func requiredProblem(name string, runs []ScannerStatus) (problem, detail string) {
	found := false
	for _, s := range runs {
		if strings.EqualFold(s.Name, name) {
			if p, d := scannerProblem(s); p != "" {
				return p, d
			}
			found = true
		}
	}
	if !found {
		return "did not run", ""
	}
	return "", ""
}

// scannerProblem says how a scanner failed, or "" when it succeeded. A
// scanner that errored, did not run, ran zero rules or returned truncated
// results failed: it never counts as a pass.
func scannerProblem(s ScannerStatus) (problem, detail string) {
	switch {
	case s.Error != "":
		return "failed", truncateText(oneLine(s.Error), maxProblemLen)
	case !s.Ran:
		return "did not run", ""
	case s.Truncated:
		return "returned truncated results", ""
	case s.RulesRun <= 0:
		return "ran zero rules", ""
	}
	return "", ""
}

func alwaysBlockReasons(g Gate, counted []findings.Finding) []Reason {
	var out []Reason
	add := func(kind, entry string, hit func(findings.Finding) bool) {
		r := g.reason(CondAlwaysBlock, "gate.always_block."+kind, entry)
		r.MatchKind, r.Match = strings.TrimSuffix(kind, "s"), entry
		for _, f := range counted {
			if hit(f) {
				r.Findings = append(r.Findings, f)
			}
		}
		if r.Count = len(r.Findings); r.Count > 0 {
			out = append(out, r)
		}
	}
	for _, rule := range g.AlwaysBlock.Rules {
		add("rules", rule, func(f findings.Finding) bool { return f.RuleID == rule })
	}
	for _, c := range g.AlwaysBlock.CWE {
		add("cwe", c, func(f findings.Finding) bool { return containsFold(f.CWE, c) })
	}
	for _, t := range g.AlwaysBlock.Tags {
		add("tags", t, func(f findings.Finding) bool { return containsFold(f.Tags, t) })
	}
	return out
}

func blockAtReason(g Gate, counted []findings.Finding) []Reason {
	if g.BlockAt == findings.SeverityUnknown {
		return nil
	}
	r := g.reason(CondBlockAt, "gate.block_at", "")
	r.Severity = g.BlockAt
	for _, f := range counted {
		if f.Severity >= g.BlockAt {
			r.Findings = append(r.Findings, f)
		}
	}
	if r.Count = len(r.Findings); r.Count == 0 {
		return nil
	}
	return []Reason{r}
}

func maxReasons(g Gate, counted []findings.Finding) []Reason {
	var out []Reason
	for sev := findings.SeverityCritical; sev >= findings.SeverityLow; sev-- {
		limit, ok := g.Max[sev]
		if !ok {
			continue
		}
		r := g.reason(CondMax, "gate.max."+sev.String(), "")
		r.Severity, r.Limit = sev, limit
		for _, f := range counted {
			if f.Severity == sev {
				r.Findings = append(r.Findings, f)
			}
		}
		if r.Count = len(r.Findings); r.Count > limit {
			out = append(out, r)
		}
	}
	return out
}

// decide sets the outcome, conclusion, reasons and blocking findings.
func decide(d *Decision, g Gate, reasons []Reason) {
	d.Outcome = OutcomePass
	seen := map[string]bool{}
	for i := range reasons {
		r := &reasons[i]
		if r.Effect == OutcomeBlock && g.Mode == ModeWarn {
			r.Effect, r.WouldBlock = OutcomeWarn, true
		}
		switch {
		case r.Effect == OutcomeBlock:
			d.Outcome = OutcomeBlock
		case r.Effect == OutcomeWarn && d.Outcome == OutcomePass:
			d.Outcome = OutcomeWarn
		}
		if r.Effect == OutcomeBlock || r.WouldBlock {
			for _, f := range r.Findings {
				if key := f.ID + "\x00" + f.Location(); !seen[key] {
					seen[key] = true
					d.Blocking = append(d.Blocking, f)
				}
			}
		}
	}
	sortFindings(d.Blocking)
	if len(reasons) == 0 {
		reasons = []Reason{passReason(g)}
	}
	d.Reasons = reasons
	d.Conclusion = map[Outcome]string{OutcomePass: ConclusionSuccess, OutcomeWarn: ConclusionNeutral,
		OutcomeBlock: ConclusionFailure}[d.Outcome]
}

func passReason(g Gate) Reason {
	r := Reason{Condition: CondNone, Effect: OutcomePass, Scope: g.Scope}
	r.Problem = "no " + r.adj() + "finding meets a blocking condition (" + describe(g) + ")"
	return r
}

// describe summarises the gate's finding conditions in a few words.
func describe(g Gate) string {
	var parts []string
	if g.BlockAt != findings.SeverityUnknown {
		parts = append(parts, fmt.Sprintf("blocks at %s or above", g.BlockAt))
	}
	for sev := findings.SeverityCritical; sev >= findings.SeverityLow; sev-- {
		if n, ok := g.Max[sev]; ok {
			parts = append(parts, fmt.Sprintf("at most %d %s", n, sev))
		}
	}
	if n := len(g.AlwaysBlock.Rules) + len(g.AlwaysBlock.CWE) + len(g.AlwaysBlock.Tags); n > 0 {
		parts = append(parts, plural(n, "always_block entry", "always_block entries"))
	}
	if len(parts) == 0 {
		return "no finding condition is set"
	}
	return strings.Join(parts, "; ")
}

// sortFindings orders by severity (most severe first), then path, line and id.
func sortFindings(fs []findings.Finding) {
	slices.SortStableFunc(fs, func(a, b findings.Finding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(a.ID, b.ID))
	})
}
