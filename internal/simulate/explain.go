package simulate

import (
	"slices"
	"strings"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// Unattributed names a flip no condition explains (a recorded entry
// without its conditions, for instance).
const Unattributed = "unattributed"

// explain names the conditions that make the candidate decision d differ
// from the recorded one.
//
// A new block is explained by the candidate's blocking conditions that did
// not block then. A block that goes away is explained first by the
// candidate's dropping rules, counterfactually: each never_block entry and
// ignore glob that dropped a finding, and without which the candidate
// would block; else by the recorded conditions that no longer fire; else
// by the mode when the candidate is off.
func explain(g policy.Gate, c Case, d policy.Decision) []string {
	if Blocks(d) {
		now := gatehistory.BlockingConditions(d)
		out := slices.DeleteFunc(slices.Clone(now), func(s string) bool { return slices.Contains(c.Conditions, s) })
		if len(out) == 0 {
			out = now
		}
		return orUnattributed(out)
	}
	if d.Outcome == policy.OutcomeOff {
		return []string{"mode: off"}
	}
	if out := droppedBy(g, c, d); len(out) > 0 {
		return out
	}
	return orUnattributed(slices.Clone(c.Conditions))
}

func orUnattributed(s []string) []string {
	if len(s) == 0 {
		return []string{Unattributed}
	}
	return s
}

// droppedBy lists the never_block entries and ignore globs without which
// the candidate would block.
func droppedBy(g policy.Gate, c Case, d policy.Decision) []string {
	var out []string
	for _, m := range neverBlockEntries(g.NeverBlock, d.NeverBlocked) {
		alt := g
		alt.NeverBlock = without(g.NeverBlock, m)
		if Blocks(evaluate(alt, c)) {
			out = append(out, "gate.never_block "+m.label())
		}
	}
	var globs []string
	for _, ig := range d.Ignored {
		if !slices.Contains(globs, ig.Glob) {
			globs = append(globs, ig.Glob)
		}
	}
	for _, glob := range globs {
		alt := g
		alt.Ignore = withoutGlob(g.Ignore, glob)
		if Blocks(evaluate(alt, c)) {
			out = append(out, "ignore "+glob)
		}
	}
	return out
}

// entry is one never_block or always_block entry.
type entry struct{ kind, value string }

func (e entry) label() string {
	if e.kind == "cwe" {
		return e.value
	}
	return e.kind + " " + e.value
}

func (e entry) matches(f findings.Finding) bool {
	switch e.kind {
	case "rule":
		return f.RuleID == e.value
	case "cwe":
		return slices.ContainsFunc(f.CWE, func(s string) bool { return strings.EqualFold(s, e.value) })
	}
	return slices.ContainsFunc(f.Tags, func(s string) bool { return strings.EqualFold(s, e.value) })
}

// neverBlockEntries are the entries of m that match at least one of fs.
func neverBlockEntries(m policy.Matchers, fs []findings.Finding) []entry {
	var all []entry
	for _, r := range m.Rules {
		all = append(all, entry{"rule", r})
	}
	for _, c := range m.CWE {
		all = append(all, entry{"cwe", c})
	}
	for _, t := range m.Tags {
		all = append(all, entry{"tag", t})
	}
	var out []entry
	for _, e := range all {
		if slices.ContainsFunc(fs, e.matches) {
			out = append(out, e)
		}
	}
	return out
}

// without returns a copy of m without e.
func without(m policy.Matchers, e entry) policy.Matchers {
	drop := func(list []string, kind string) []string {
		if kind != e.kind {
			return slices.Clone(list)
		}
		return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == e.value })
	}
	return policy.Matchers{Rules: drop(m.Rules, "rule"), CWE: drop(m.CWE, "cwe"), Tags: drop(m.Tags, "tag")}
}

// withoutGlob returns a copy of rules without glob.
func withoutGlob(rules []policy.Ignore, glob string) []policy.Ignore {
	out := make([]policy.Ignore, len(rules))
	for i, r := range rules {
		r.Paths = slices.DeleteFunc(slices.Clone(r.Paths), func(p string) bool { return p == glob })
		out[i] = r
	}
	return out
}
