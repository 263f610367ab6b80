package sarif

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// cweTag matches the ways tools write a CWE as a tag: "external/cwe/cwe-798"
// (CodeQL), "CWE-79", "cwe_79", "CWE:79", "CWE-79: Improper
// Neutralization..." (Semgrep).
var cweTag = regexp.MustCompile(`(?i)^\s*(?:external/cwe/)?cwe[-_: ]?0*([0-9]{1,7})(?:$|[^0-9])`)

// cweNumber matches a CWE taxon id: "798" or "CWE-798".
var cweNumber = regexp.MustCompile(`(?i)^\s*(?:cwe[-_: ]?)?0*([0-9]{1,7})\s*$`)

// cweFromTag returns "CWE-n" when tag names a CWE.
func cweFromTag(tag string) (string, bool) {
	m := cweTag.FindStringSubmatch(tag)
	if m == nil {
		return "", false
	}
	return "CWE-" + m[1], true
}

// cweFromTaxon returns "CWE-n" for a reference to a CWE taxon: one in a
// tool component named "CWE", or whose id is written "CWE-n".
func cweFromTaxon(ref descriptorRefDecl) (string, bool) {
	inCWE := ref.ToolComponent != nil && strings.EqualFold(strings.TrimSpace(ref.ToolComponent.Name), "CWE")
	if !inCWE {
		return cweFromTag(ref.ID)
	}
	m := cweNumber.FindStringSubmatch(ref.ID)
	if m == nil {
		return "", false
	}
	return "CWE-" + m[1], true
}

// classify splits tags into CWE ids and the others, adds the CWE ids of
// taxa references, and returns both sorted without duplicates (CWE ids in
// numeric order). Empty tags are dropped.
func classify(tags []string, taxa []descriptorRefDecl) (other, cwe []string) {
	for _, t := range tags {
		if id, ok := cweFromTag(t); ok {
			cwe = append(cwe, id)
		} else if t = strings.TrimSpace(t); t != "" {
			other = append(other, t)
		}
	}
	for _, ref := range taxa {
		if id, ok := cweFromTaxon(ref); ok {
			cwe = append(cwe, id)
		}
	}
	return sortedSet(other, strings.Compare), sortedSet(cwe, compareCWE)
}

// compareCWE orders "CWE-n" ids by number.
func compareCWE(a, b string) int {
	na, _ := strconv.Atoi(strings.TrimPrefix(a, "CWE-"))
	nb, _ := strconv.Atoi(strings.TrimPrefix(b, "CWE-"))
	return cmp.Or(cmp.Compare(na, nb), strings.Compare(a, b))
}

// sortedSet sorts s and removes duplicates; nil when empty.
func sortedSet(s []string, compare func(a, b string) int) []string {
	if len(s) == 0 {
		return nil
	}
	slices.SortFunc(s, compare)
	return slices.Clip(slices.Compact(s))
}

// mergeTags returns base with extra and more added, sorted without
// duplicates. base is returned as is (shared by the findings of a rule,
// capacity clipped) when there is nothing to add.
func mergeTags(base, extra, more []string) []string {
	if len(extra) == 0 && len(more) == 0 {
		return slices.Clip(base)
	}
	return sortedSet(slices.Concat(base, extra, more), strings.Compare)
}

// mergeCWE is mergeTags for CWE ids, in numeric order.
func mergeCWE(base, extra []string) []string {
	if len(extra) == 0 {
		return slices.Clip(base)
	}
	return sortedSet(slices.Concat(base, extra), compareCWE)
}

// suppressionTags tags a finding that its scanner reports as suppressed
// ("suppressed:inSource"). Suppressed results are kept: the code under
// review must not exempt itself (see docs/sarif.md).
func suppressionTags(kinds []string) []string {
	if len(kinds) == 0 {
		return nil
	}
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, "suppressed:"+k)
	}
	return out
}
