package osv

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// supportedEcosystems are the OSV ecosystems whose manifests the scanner
// reads (see extractors) and whose versions it compares.
var supportedEcosystems = map[string]bool{
	"Go":        true,
	"npm":       true,
	"PyPI":      true,
	"Maven":     true,
	"crates.io": true,
	"RubyGems":  true,
	"Packagist": true,
}

// pypiSeparators are the runs that PEP 503 folds into one "-".
var pypiSeparators = regexp.MustCompile(`[-_.]+`)

// baseEcosystem drops an ecosystem's ":suffix" (e.g. "Debian:12").
func baseEcosystem(eco string) string {
	base, _, _ := strings.Cut(eco, ":")
	return base
}

// normaliseName folds a package name as its ecosystem compares names:
// PEP 503 normalisation for PyPI, case-folding for Packagist (Composer
// names are case-insensitive), and the exact name elsewhere.
func normaliseName(eco, name string) string {
	switch eco {
	case "PyPI":
		return strings.ToLower(pypiSeparators.ReplaceAllLiteralString(name, "-"))
	case "Packagist":
		return strings.ToLower(name)
	}
	return name
}

// errNoVersionOrder is returned for a range type whose order the scanner
// does not evaluate (GIT ranges name commits, not versions).
var errNoVersionOrder = errors.New("range type not evaluated")

// parser returns how to parse versions of a range type in eco: SEMVER
// ranges are SemVer 2.0 whatever the ecosystem; ECOSYSTEM ranges use the
// ecosystem's own order (PEP 440 for PyPI, Maven's ComparableVersion
// order, ...), both from osv-scalibr's semantic package.
func parser(rangeType, eco string) (func(string) (semantic.Version, error), error) {
	switch rangeType {
	case "SEMVER":
		return func(s string) (semantic.Version, error) { return semantic.ParseSemverVersion(s), nil }, nil
	case "ECOSYSTEM":
		return func(s string) (semantic.Version, error) { return semantic.Parse(s, eco) }, nil
	}
	return nil, fmt.Errorf("%w: %q", errNoVersionOrder, rangeType)
}

// match is a record found to affect a package version.
type match struct {
	rec *record
	// fixes are the fixed versions, later than the package's, of the
	// ranges naming the package.
	fixes []string
	// severity is the matched affected entries' own severity, if any.
	severity []severity
}

// matchRecord reports whether r affects version ver of the package
// (eco, name). An affected entry matches when it lists ver among its
// versions, or when one of its SEMVER or ECOSYSTEM ranges includes ver.
// It returns an error when a version in the record or ver itself cannot be
// parsed, so that the caller can say the package was not fully checked.
func matchRecord(r *record, eco, name, ver string) (*match, error) {
	var m *match
	var errs []error
	for i := range r.Affected {
		a := &r.Affected[i]
		if baseEcosystem(a.Package.Ecosystem) != eco || normaliseName(eco, a.Package.Name) != name {
			continue
		}
		hit, fixes, err := affects(a, eco, ver)
		if err != nil {
			errs = append(errs, err)
		}
		if !hit {
			continue
		}
		if m == nil {
			m = &match{rec: r}
		}
		m.fixes = append(m.fixes, fixes...)
		m.severity = append(m.severity, a.Severity...)
	}
	if m != nil {
		m.fixes = sortVersions(eco, m.fixes)
		return m, nil
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s: %w", r.ID, err)
	}
	return nil, nil
}

// affects evaluates one affected entry for ver, and returns the fixed
// versions after ver in its ranges.
func affects(a *affected, eco, ver string) (hit bool, fixes []string, err error) {
	hit = listed(a.Versions, eco, ver)
	var errs []error
	for _, vr := range a.Ranges {
		parse, perr := parser(vr.Type, eco)
		if perr != nil {
			continue // GIT ranges: commits, not versions.
		}
		in, fx, rerr := rangeIncludes(vr.Events, parse, ver)
		if rerr != nil {
			errs = append(errs, rerr)
			continue
		}
		if in {
			hit = true
			fixes = append(fixes, fx...)
		}
	}
	if hit {
		return true, fixes, nil
	}
	return false, nil, errors.Join(errs...)
}

// listed reports whether ver is among versions, as a string or, where the
// ecosystem can parse both, as an equal version ("1.0" and "1.0.0" are the
// same Maven version).
func listed(versions []string, eco, ver string) bool {
	if slices.Contains(versions, ver) {
		return true
	}
	v, err := semantic.Parse(ver, eco)
	if err != nil {
		return false
	}
	for _, s := range versions {
		if c, err := v.CompareStr(s); err == nil && c == 0 {
			return true
		}
	}
	return false
}

// parsedEvent is an event with its version parsed.
type parsedEvent struct {
	event
	v    semantic.Version // nil for "introduced: 0" and "limit: *"
	zero bool             // "introduced: 0"
}

// rangeIncludes applies the OSV evaluation to one range: events sorted by
// version ("introduced: 0" first); an introduced event at or below ver
// makes it affected, a fixed event at or below ver (fixed is exclusive) or
// a last_affected event below ver (last_affected is inclusive) makes it
// unaffected; and ver must be below a limit event, if there are any. When
// the range includes ver, it also returns the fixed versions above ver.
func rangeIncludes(events []event, parse func(string) (semantic.Version, error), ver string) (bool, []string, error) {
	v, err := parse(ver)
	if err != nil {
		return false, nil, fmt.Errorf("version %q: %w", ver, err)
	}
	evs := make([]parsedEvent, 0, len(events))
	for _, e := range events {
		s := cmp.Or(e.Introduced, e.Fixed, e.LastAffected, e.Limit)
		if e.Introduced == "0" {
			evs = append(evs, parsedEvent{event: e, zero: true})
			continue
		}
		if s == "" {
			continue
		}
		if e.Limit == "*" {
			evs = append(evs, parsedEvent{event: e})
			continue
		}
		pv, err := parse(s)
		if err != nil {
			return false, nil, fmt.Errorf("event version %q: %w", s, err)
		}
		evs = append(evs, parsedEvent{event: e, v: pv})
	}
	var cerr error
	compare := func(a, b semantic.Version) int {
		c, err := a.Compare(b)
		if err != nil && cerr == nil {
			cerr = err
		}
		return c
	}
	// "introduced: 0" sorts first and "limit: *" last.
	rank := func(e parsedEvent) int {
		switch {
		case e.zero:
			return -1
		case e.v == nil:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(evs, func(a, b parsedEvent) int {
		if ra, rb := rank(a), rank(b); ra != 0 || rb != 0 {
			return cmp.Compare(ra, rb)
		}
		return compare(a.v, b.v)
	})
	in, belowLimit, hasLimit := false, false, false
	var fixes []string
	for _, e := range evs {
		switch {
		case e.Introduced != "":
			if e.zero || compare(v, e.v) >= 0 {
				in = true
			}
		case e.Fixed != "":
			if compare(v, e.v) >= 0 {
				in = false
			} else {
				fixes = append(fixes, e.Fixed)
			}
		case e.LastAffected != "":
			if compare(v, e.v) > 0 {
				in = false
			}
		case e.Limit != "":
			hasLimit = true
			if e.v == nil || compare(v, e.v) < 0 {
				belowLimit = true
			}
		}
	}
	if cerr != nil {
		return false, nil, cerr
	}
	if hasLimit && !belowLimit {
		in = false
	}
	if !in {
		return false, nil, nil
	}
	return true, fixes, nil
}

// sortVersions sorts versions in eco's order (by string when unparsable)
// and drops duplicates.
func sortVersions(eco string, versions []string) []string {
	slices.SortFunc(versions, func(a, b string) int {
		if va, err := semantic.Parse(a, eco); err == nil {
			if c, err := va.CompareStr(b); err == nil {
				return c
			}
		}
		return cmp.Compare(a, b)
	})
	return slices.Compact(versions)
}
