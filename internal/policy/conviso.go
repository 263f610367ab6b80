package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Keys of a Conviso Security Gate rules file (docs/conviso-rules.md).
var (
	convisoKeys       = []string{"rules"}
	convisoRuleKeys   = []string{"from", "severity"}
	convisoThreshKeys = []string{"maximum"}
)

// convisoAny is the from value that matches every scanner.
const convisoAny = "any"

// ConvisoRules is a Conviso Security Gate rules file: each rule caps the
// count of findings by severity, from one scanner or from any.
type ConvisoRules struct {
	// Rules are the file's rules, in order; every one applies.
	Rules []ConvisoRule
}

// ConvisoRule is one rule of a Conviso rules file.
type ConvisoRule struct {
	// From is "any" or a scanner (or source) name.
	From string
	// Maximum is the most findings allowed of each severity; a severity
	// missing from the map is not checked. SeverityUnknown is "info".
	Maximum map[findings.Severity]int
}

// Raw values of a Conviso rules file.
type (
	rawConviso struct {
		path     string
		pos      Pos
		rulesSet bool
		rules    []rawConvisoRule
	}
	rawConvisoRule struct {
		path     string
		pos      Pos
		from     scalar
		severity map[string]scalar
		sevSet   bool
	}
)

// ParseConvisoRules reads a Conviso Security Gate rules file strictly
// (rules: [{from: any|<scanner>, severity: {critical: {maximum: 0}}}]).
// On failure the error is a *ValidationError with positions.
func ParseConvisoRules(data []byte) (*ConvisoRules, error) {
	return ParseConvisoRulesFile("conviso rules file", data)
}

// ParseConvisoRulesFile is ParseConvisoRules naming the file in messages
// (".conviso/rules.yml").
func ParseConvisoRulesFile(name string, data []byte) (*ConvisoRules, error) {
	w := &walker{problems: problems{file: name}, budget: maxNodes, pos: map[string]Pos{}}
	if len(data) > MaxFileBytes {
		w.add(Pos{}, "", "the file is %d bytes, more than the limit of %d", len(data), MaxFileBytes)
		return nil, w.err()
	}
	root, err := decodeYAML(data)
	if err != nil {
		w.errs = append(w.errs, yamlError(name, err))
		return nil, w.err()
	}
	raw := rawConviso{}
	if root != nil {
		raw = w.convisoRules(root, "")
	} else {
		w.add(Pos{}, "rules", "missing (required: a list of rules)")
	}
	rules := validator{w: w}.conviso(&raw)
	if err := w.err(); err != nil {
		return nil, err
	}
	return rules, nil
}

func (w *walker) convisoRules(n *yaml.Node, path string) rawConviso {
	r := rawConviso{path: path, pos: w.pos[path]}
	w.mapping(n, path, convisoKeys, func(_ string, v *yaml.Node, p string) {
		r.rulesSet = true
		w.list(v, p, "rules", func(_ int, item *yaml.Node, ip string) {
			r.rules = append(r.rules, w.convisoRule(item, ip))
		})
	})
	return r
}

func (w *walker) convisoRule(n *yaml.Node, path string) rawConvisoRule {
	r := rawConvisoRule{path: path, pos: w.pos[path], severity: map[string]scalar{}}
	w.mapping(n, path, convisoRuleKeys, func(key string, v *yaml.Node, p string) {
		if key == "from" {
			r.from = w.scalar(v, p)
			return
		}
		r.sevSet = true
		w.mapping(v, p, limitSevKeys, func(sev string, v *yaml.Node, sp string) {
			found := false
			w.mapping(v, sp, convisoThreshKeys, func(_ string, v *yaml.Node, mp string) {
				r.severity[sev], found = w.scalar(v, mp), true
			})
			if !found {
				w.add(w.pos[sp], sp+".maximum", "missing (required: the most findings allowed, e.g. maximum: 0)")
			}
		})
	})
	return r
}

// conviso validates a rules file; nil when it has problems.
func (v validator) conviso(r *rawConviso) *ConvisoRules {
	rulesPath := join(r.path, "rules")
	if !r.rulesSet {
		v.add(r.pos, rulesPath, "missing (required: a list of rules)")
		return nil
	}
	if len(r.rules) == 0 {
		v.add(v.w.pos[rulesPath], rulesPath, "empty list (required: at least one rule)")
		return nil
	}
	out := &ConvisoRules{}
	for _, rr := range r.rules {
		rule := ConvisoRule{From: convisoAny, Maximum: v.severityMax(rr.severity)}
		if s := rr.from; s.Set && s.Tag != "!!null" {
			if msg := checkScanner(s.Value); msg != "" {
				v.add(s.Pos, s.Path, "%s, or any", msg)
			} else {
				rule.From = strings.ToLower(s.Value)
			}
		}
		if !rr.sevSet {
			v.add(rr.pos, rr.path+".severity", "missing (required: maximum counts by severity, e.g. critical: {maximum: 0})")
		}
		out.Rules = append(out.Rules, rule)
	}
	return out
}

// Limits converts the rules to native gate.limits entries, with the same
// meaning: from any is a limit on every scanner, a missing severity is not
// checked.
func (c *ConvisoRules) Limits() []Limit {
	if c == nil {
		return nil
	}
	out := make([]Limit, 0, len(c.Rules))
	for _, r := range c.Rules {
		l := Limit{Max: map[findings.Severity]int{}, Origin: OriginConvisoRules}
		if r.From != convisoAny {
			l.Scanner = r.From
		}
		for sev, n := range r.Maximum {
			l.Max[sev] = n
		}
		out = append(out, l)
	}
	return out
}

// ConvisoRulesFromLimits converts native limits back to a Conviso rules
// file (a limit without scanner is from any).
func ConvisoRulesFromLimits(ls []Limit) *ConvisoRules {
	out := &ConvisoRules{}
	for _, l := range ls {
		r := ConvisoRule{From: cmpOr(l.Scanner, convisoAny), Maximum: map[findings.Severity]int{}}
		for sev, n := range l.Max {
			r.Maximum[sev] = n
		}
		out.Rules = append(out.Rules, r)
	}
	return out
}

// YAML renders the rules as a Conviso rules file, severities most severe
// first.
func (c *ConvisoRules) YAML() string {
	var b strings.Builder
	b.WriteString("rules:\n")
	for _, r := range c.Rules {
		fmt.Fprintf(&b, "  - from: %s\n    severity:\n", r.From)
		for _, sev := range slices.Backward(slices.Sorted(maps.Keys(r.Maximum))) {
			fmt.Fprintf(&b, "      %s:\n        maximum: %d\n", limitSeverityName(sev), r.Maximum[sev])
		}
	}
	return b.String()
}
