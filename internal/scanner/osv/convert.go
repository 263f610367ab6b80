package osv

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// HelpURIPrefix starts every finding's help link; the record's id follows.
const HelpURIPrefix = "https://osv.dev/vulnerability/"

// baseTags are on every finding, before the vulnerability's aliases.
var baseTags = []string{"dependency", "vulnerability"}

// occurrenceKey identifies a package version in a manifest.
type occurrenceKey struct{ path, eco, name, version string }

// match checks the extracted packages against the database and returns
// the findings, sorted, with fingerprints, keys and IDs set.
func (r *run) match() []findings.Finding {
	db := r.s.db
	occs := dedupe(r.pkgs)
	missing := make(map[string]map[string]int) // manifest → ecosystem → packages
	var out []findings.Finding
	for _, o := range occs {
		if !supportedEcosystems[o.eco] || !db.hasEcosystem(o.eco) {
			if missing[o.path] == nil {
				missing[o.path] = make(map[string]int)
			}
			missing[o.path][o.eco]++
			continue
		}
		if _, err := semantic.Parse(o.version, o.eco); err != nil {
			r.skip(o.path, fmt.Sprintf("%s@%s: version not understood, not checked: %v", o.name, o.version, err))
			continue
		}
		name := normaliseName(o.eco, o.name)
		var ms []*match
		for _, rec := range db.lookup(o.eco, o.name) {
			m, err := matchRecord(rec, o.eco, name, o.version)
			if err != nil {
				r.skip(o.path, fmt.Sprintf("%s@%s: not fully checked: %v", o.name, o.version, err))
			}
			if m != nil {
				ms = append(ms, m)
			}
		}
		for _, g := range groupByAlias(ms) {
			out = append(out, newFinding(o, g))
		}
	}
	for path, ecos := range missing {
		for eco, n := range ecos {
			why := "the OSV database has no " + cmp.Or(eco, "(unknown ecosystem)") + " records"
			if !supportedEcosystems[eco] {
				why = "ecosystem " + cmp.Or(eco, "(unknown)") + " is not supported"
			}
			r.skip(path, fmt.Sprintf("%d package(s) not checked: %s", n, why))
		}
	}
	slices.SortFunc(out, func(a, b findings.Finding) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.StartLine, b.StartLine),
			cmp.Compare(a.Message, b.Message),
			cmp.Compare(a.RuleID, b.RuleID),
		)
	})
	return out
}

// dedupe keeps one occurrence per package version and manifest, the
// first declared.
func dedupe(occs []occurrence) []occurrence {
	first := make(map[occurrenceKey]int, len(occs))
	out := make([]occurrence, 0, len(occs))
	for _, o := range occs {
		k := occurrenceKey{o.path, o.eco, o.name, o.version}
		if i, ok := first[k]; ok {
			out[i].line = min(out[i].line, o.line)
			continue
		}
		first[k] = len(out)
		out = append(out, o)
	}
	return out
}

// groupByAlias partitions matches into groups of records that describe the
// same vulnerability (linked by ids and aliases, transitively: GO-2022-1144,
// GHSA-xrjj-mj9h-534m and CVE-2022-41717 are one group), each group sorted
// with its preferred record first (see preferred).
func groupByAlias(ms []*match) [][]*match {
	parent := make([]int, len(ms))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := make(map[string]int)
	for i, m := range ms {
		for _, id := range append([]string{m.rec.ID}, m.rec.Aliases...) {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	byRoot := make(map[int][]*match)
	var roots []int
	for i, m := range ms {
		root := find(i)
		if _, ok := byRoot[root]; !ok {
			roots = append(roots, root)
		}
		byRoot[root] = append(byRoot[root], m)
	}
	out := make([][]*match, 0, len(roots))
	for _, root := range roots {
		g := byRoot[root]
		slices.SortFunc(g, func(a, b *match) int { return preferred(a.rec.ID, b.rec.ID) })
		out = append(out, g)
	}
	return out
}

// preferred orders record ids for the choice of a group's RuleID: GitHub
// advisories (GHSA-) first, for their reviewed severity and CWEs; then
// the ecosystems' own databases (GO-, PYSEC-, RUSTSEC-, ...); then CVE
// records; ties by id.
func preferred(a, b string) int {
	rank := func(id string) int {
		switch {
		case strings.HasPrefix(id, "GHSA-"):
			return 0
		case strings.HasPrefix(id, "CVE-"):
			return 2
		}
		return 1
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
}

// newFinding builds the finding for one package version affected by one
// vulnerability (a group of aliased records, g[0] preferred).
func newFinding(o occurrence, g []*match) findings.Finding {
	rep := g[0].rec
	var fixes, cwes, aliases []string
	for _, m := range g {
		fixes = append(fixes, m.fixes...)
		for _, c := range m.rec.cwes {
			if c = normaliseCWE(c); c != "" {
				cwes = append(cwes, c)
			}
		}
		for _, id := range append([]string{m.rec.ID}, m.rec.Aliases...) {
			if id != rep.ID {
				aliases = append(aliases, id)
			}
		}
	}
	slices.Sort(cwes)
	slices.Sort(aliases)
	content := o.eco + "/" + o.name + "@" + o.version
	fp := findings.Fingerprint(Name, rep.ID, o.path, content)
	return findings.Finding{
		ID:          findings.IDFromFingerprint(fp),
		Fingerprint: fp,
		Key:         findings.ContentKey(Name, rep.ID, content),
		Scanner:     Name,
		RuleID:      rep.ID,
		Title:       cmp.Or(rep.Summary, rep.ID),
		Message:     message(o, rep, sortVersions(o.eco, fixes)),
		Severity:    groupSeverity(g),
		Path:        o.path,
		StartLine:   o.line,
		EndLine:     o.line,
		Tags:        append(slices.Clone(baseTags), slices.Compact(aliases)...),
		CWE:         slices.Compact(cwes),
		HelpURI:     HelpURIPrefix + rep.ID,
		Category:    Category,
	}
}

// message says which package is affected by what, and how to fix it.
func message(o occurrence, rep *record, fixes []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%s is affected by %s", o.name, o.version, rep.ID)
	if s := strings.TrimRight(strings.TrimSpace(rep.Summary), ". "); s != "" {
		b.WriteString(": " + s)
	}
	if len(fixes) > 0 {
		fmt.Fprintf(&b, ". Fixed in %s — upgrade.", strings.Join(fixes, ", "))
	} else {
		b.WriteString(". No fixed version is known — remove or replace the dependency, or mitigate the vulnerability.")
	}
	return b.String()
}

// normaliseCWE renders "CWE-79" from "CWE-79", "cwe-79" or "79".
func normaliseCWE(c string) string {
	c = strings.TrimSpace(c)
	if c == "" {
		return ""
	}
	if len(c) > 4 && strings.EqualFold(c[:4], "CWE-") {
		c = c[4:]
	}
	return "CWE-" + c
}
