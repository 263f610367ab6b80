package policy

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Keys and values of the aging, limits, impact and sla keys. They are the
// contract with docs/policy.schema.json (a test checks).
var (
	agingKeys       = []string{"max", "hard_max", "days"}
	limitKeys       = []string{"scanner", "max"}
	limitSevKeys    = []string{"critical", "high", "medium", "low", "info"}
	impactValues    = []string{string(ImpactHigh), string(ImpactMedium), string(ImpactLow)}
	agingDaysFromSL = "sla"
)

// Raw values of the aging-aware keys.
type (
	rawSLA struct {
		set   bool
		pos   Pos
		cells map[string]map[string]scalar
	}
	rawAging struct {
		path              string
		pos               Pos
		max, hardMax, day scalar
	}
	rawLimit struct {
		path    string
		pos     Pos
		scanner scalar
		max     map[string]scalar
	}
)

// convisoFileKey decodes the file keys about SLA, impact and Conviso rules.
func (w *walker) convisoFileKey(key string, v *yaml.Node, p string, f *rawFile) {
	switch key {
	case "impact":
		f.impact = w.scalar(v, p)
	case "sla":
		f.sla = w.sla(v, p)
	case "conviso_rules":
		r := w.convisoRules(v, p)
		f.convisoRules = &r
	case "conviso_rules_file":
		f.convisoRulesFile = w.scalar(v, p)
	}
}

func (w *walker) sla(n *yaml.Node, path string) rawSLA {
	r := rawSLA{set: true, pos: w.pos[path], cells: map[string]map[string]scalar{}}
	w.mapping(n, path, severityKeys, func(sev string, v *yaml.Node, sp string) {
		r.cells[sev] = map[string]scalar{}
		w.mapping(v, sp, impactValues, func(imp string, v *yaml.Node, ip string) {
			r.cells[sev][imp] = w.scalar(v, ip)
		})
	})
	return r
}

func (w *walker) aging(n *yaml.Node, path string) map[string]rawAging {
	out := map[string]rawAging{}
	w.mapping(n, path, severityKeys, func(sev string, v *yaml.Node, sp string) {
		a := rawAging{path: sp, pos: w.pos[sp]}
		w.mapping(v, sp, agingKeys, func(key string, v *yaml.Node, kp string) {
			s := w.scalar(v, kp)
			switch key {
			case "max":
				a.max = s
			case "hard_max":
				a.hardMax = s
			case "days":
				a.day = s
			}
		})
		out[sev] = a
	})
	return out
}

func (w *walker) limit(n *yaml.Node, path string) rawLimit {
	l := rawLimit{path: path, pos: w.pos[path]}
	w.mapping(n, path, limitKeys, func(key string, v *yaml.Node, p string) {
		switch key {
		case "scanner":
			l.scanner = w.scalar(v, p)
		case "max":
			l.max = map[string]scalar{}
			w.mapping(v, p, limitSevKeys, func(sev string, v *yaml.Node, sp string) {
				l.max[sev] = w.scalar(v, sp)
			})
		}
	})
	return l
}

// slaFileKeys validates impact, sla, conviso_rules and conviso_rules_file.
func (v validator) slaFileKeys(r *rawFile, f *File) {
	if s, ok := v.enum(r.impact, impactValues); ok {
		f.Impact = ptr(Impact(s))
	}
	f.SLA = v.sla(r.sla)
	if r.convisoRules != nil {
		f.ConvisoRules = v.conviso(r.convisoRules)
	}
	if s := r.convisoRulesFile; s.Set {
		if msg := checkRulesPath(s.Value); msg != "" || s.Tag == "!!null" {
			v.add(s.Pos, s.Path, "%s", cmpOr(msg, "missing value (a path in this repository, e.g. .conviso/rules.yml)"))
		} else if r.convisoRules != nil {
			v.add(s.Pos, s.Path, "set either conviso_rules or conviso_rules_file, not both")
		} else {
			f.ConvisoRulesFile = s.Value
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkRulesPath validates a repository-relative file path.
func checkRulesPath(s string) string {
	if msg := checkGlob(s); msg != "" {
		return strings.Replace(msg, "path glob such as testdata/**", "file path such as .conviso/rules.yml", 1)
	}
	if strings.Contains("/"+s+"/", "/../") || strings.ContainsAny(s, "*?[{") {
		return fmt.Sprintf("%s: write a plain path inside the repository (no .., no glob characters)", quote(s))
	}
	return ""
}

// sla validates the matrix cells: whole days from 1 to MaxSLADays.
func (v validator) sla(r rawSLA) SLAMatrix {
	if !r.set {
		return nil
	}
	m := SLAMatrix{}
	for _, sev := range severityKeys {
		for _, imp := range impactValues {
			s, ok := r.cells[sev][imp]
			if !ok || !s.Set {
				continue
			}
			n, msg := parseDays(s)
			if msg != "" {
				v.add(s.Pos, s.Path, "%s", msg)
				continue
			}
			if m[sev] == nil {
				m[sev] = map[string]int{}
			}
			m[sev][imp] = n
		}
	}
	written := 0
	for _, cells := range r.cells {
		written += len(cells)
	}
	if written == 0 {
		v.add(r.pos, "sla", "sets no cell (write days to fix by severity then impact, e.g. critical: {high: 7})")
	}
	return m
}

// parseDays reads a whole number of days to fix, 1 to MaxSLADays.
func parseDays(s scalar) (int, string) {
	n, msg := parseCount(s)
	if msg != "" || n < 1 || n > MaxSLADays {
		return 0, fmt.Sprintf("%s is not a whole number of days from 1 to %d", quote(s.Value), MaxSLADays)
	}
	return n, ""
}

// aging validates gate.aging: per severity, max, hard_max (not below max)
// and days (a number of days or "sla").
func (v validator) aging(r map[string]rawAging) map[findings.Severity]AgingLimit {
	var out map[findings.Severity]AgingLimit
	for _, name := range severityKeys {
		ra, ok := r[name]
		if !ok {
			continue
		}
		a := v.agingLimit(ra)
		if a.Max == nil && a.HardMax == nil && a.Days == nil {
			if !ra.max.Set && !ra.hardMax.Set && !ra.day.Set {
				v.add(ra.pos, ra.path, "sets nothing (add %s)", strings.Join(agingKeys, ", "))
			}
			continue
		}
		if out == nil {
			out = map[findings.Severity]AgingLimit{}
		}
		sev, _ := findings.ParseSeverity(name)
		out[sev] = a
	}
	return out
}

func (v validator) agingLimit(r rawAging) AgingLimit {
	var a AgingLimit
	for _, f := range []struct {
		s   scalar
		dst **int
	}{{r.max, &a.Max}, {r.hardMax, &a.HardMax}} {
		if !f.s.Set {
			continue
		}
		if n, msg := parseCount(f.s); msg != "" {
			v.add(f.s.Pos, f.s.Path, "%s", msg)
		} else {
			*f.dst = &n
		}
	}
	if a.Max != nil && a.HardMax != nil && *a.HardMax < *a.Max {
		v.add(r.hardMax.Pos, r.hardMax.Path, "%d is below max (%d): the hard limit must be at least the expected maximum",
			*a.HardMax, *a.Max)
		a.HardMax = nil
	}
	if s := r.day; s.Set {
		if s.Value == agingDaysFromSL && s.Tag == "!!str" {
			a.Days = ptr(0)
		} else if n, msg := parseDays(s); msg != "" {
			v.add(s.Pos, s.Path, "%s, or sla (the SLA matrix's days for the repository's impact)", msg)
		} else {
			a.Days = &n
		}
	}
	return a
}

// limits validates gate.limits.
func (v validator) limits(rs []rawLimit) []Limit {
	var out []Limit
	for _, r := range rs {
		l := Limit{Max: v.severityMax(r.max)}
		if s := r.scanner; s.Set {
			if msg := checkScanner(s.Value); msg != "" {
				v.add(s.Pos, s.Path, "%s", msg)
			} else if !strings.EqualFold(s.Value, "any") {
				l.Scanner = s.Value
			}
		}
		if len(r.max) == 0 {
			v.add(r.pos, r.path+".max", "missing (required: the maximum count by severity, e.g. {critical: 0})")
			continue
		}
		if len(l.Max) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// severityMax validates counts keyed by severity name (critical, high,
// medium, low, info).
func (v validator) severityMax(raw map[string]scalar) map[findings.Severity]int {
	out := map[findings.Severity]int{}
	for _, name := range limitSevKeys {
		s, ok := raw[name]
		if !ok || !s.Set {
			continue
		}
		n, msg := parseCount(s)
		if msg != "" {
			v.add(s.Pos, s.Path, "%s", msg)
			continue
		}
		out[limitSeverity(name)] = n
	}
	return out
}

// limitSeverity maps a limit's severity key to a severity: info is
// SeverityUnknown (informational findings).
func limitSeverity(name string) findings.Severity {
	sev, err := findings.ParseSeverity(name)
	if err != nil {
		return findings.SeverityUnknown
	}
	return sev
}

// limitSeverityName is limitSeverity's inverse.
func limitSeverityName(s findings.Severity) string {
	if s == findings.SeverityUnknown {
		return "info"
	}
	return s.String()
}
