package policy

import (
	"slices"
	"strings"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// lockableKeys are the keys an org file may lock; a lock on a key also
// locks every key below it ("gate" locks "gate.max.high").
var lockableKeys = []string{
	"mode", "gate", "gate.scope", "gate.block_at", "gate.max", "gate.max.critical", "gate.max.high",
	"gate.max.medium", "gate.max.low", "gate.always_block", "gate.never_block", "gate.required_scanners",
	"ignore", "on_scanner_failure", "exceptions", "exceptions.approvers", "exceptions.kinds",
	"exceptions.max_duration", "exceptions.paths",
}

// validator turns raw values into typed ones, recording problems.
type validator struct{ w *walker }

func (v validator) add(pos Pos, path, format string, args ...any) {
	v.w.add(pos, path, format, args...)
}

// written reports whether the key path was present in the file.
func (v validator) written(path string) bool { _, ok := v.w.pos[path]; return ok }

// validate converts r; problems go to w.
func (r *rawFile) validate(w *walker) *File {
	v := validator{w: w}
	f := &File{Gate: v.conditions(&r.gate)}
	if r.version.Set && r.version.Tag != "!!int" && r.version.Tag != "!!null" {
		v.add(r.version.Pos, r.version.Path, "%s is not allowed: write the number %s", quote(r.version.Value), allowed(versionValues))
	} else if _, ok := v.enum(r.version, versionValues); ok {
		f.Version = 1
	}
	f.Mode = enumPtr[Mode](v, r.mode, modeValues)
	for _, b := range r.branches {
		f.Branches = append(f.Branches, v.branch(b))
	}
	for _, ig := range r.ignore {
		f.Ignore = append(f.Ignore, v.ignore(ig))
	}
	f.OnScannerFailure = enumPtr[FailurePolicy](v, r.onScannerFailure, failureValues)
	f.Annotate = enumPtr[AnnotateFilter](v, r.annotate, annotateValues)
	f.Exceptions = v.exceptions(&r.exceptions)
	if s, ok := v.enum(r.comment, commentValues); ok {
		f.Comment = ptr(s == "on")
	}
	v.slaFileKeys(r, f)
	f.Lock = v.names(r.lock, func(s string) string {
		if !slices.Contains(lockableKeys, s) {
			return quote(s) + " cannot be locked " + allowed(lockableKeys)
		}
		return ""
	})
	return f
}

// enum checks that s is one of values.
func (v validator) enum(s scalar, values []string) (string, bool) {
	switch {
	case !s.Set:
		return "", false
	case s.Tag == "!!null":
		v.add(s.Pos, s.Path, "missing value %s", allowed(values))
		return "", false
	case !slices.Contains(values, s.Value):
		v.add(s.Pos, s.Path, "%s is not allowed %s", quote(s.Value), allowed(values))
		return "", false
	}
	return s.Value, true
}

func enumPtr[T ~string](v validator, s scalar, values []string) *T {
	if val, ok := v.enum(s, values); ok {
		return ptr(T(val))
	}
	return nil
}

// names checks every value of a list, dropping bad ones. Duplicates are
// kept, so that an entry's index is the one written in the file.
func (v validator) names(list []scalar, check func(string) string) []string {
	var out []string
	for _, s := range list {
		val := s.Value
		if s.Tag == "!!null" {
			val = ""
		}
		if msg := check(val); msg != "" {
			v.add(s.Pos, s.Path, "%s", msg)
		} else {
			out = append(out, val)
		}
	}
	return out
}

func (v validator) conditions(r *rawConditions) Conditions {
	c := Conditions{Scope: enumPtr[Scope](v, r.scope, scopeValues)}
	if s, ok := v.enum(r.blockAt, blockAtValues); ok {
		sev, _ := findings.ParseSeverity(s) // "none" fails: SeverityUnknown
		c.BlockAt = &sev
	}
	for _, name := range severityKeys {
		s, ok := r.max[name]
		if !ok || !s.Set {
			continue
		}
		n, msg := parseCount(s)
		if msg != "" {
			v.add(s.Pos, s.Path, "%s", msg)
			continue
		}
		if c.Max == nil {
			c.Max = map[findings.Severity]int{}
		}
		sev, _ := findings.ParseSeverity(name)
		c.Max[sev] = n
	}
	c.AlwaysBlock = v.matchers(r.alwaysBlock)
	c.NeverBlock = v.matchers(r.neverBlock)
	c.RequiredScanners = v.names(r.requiredScanners, checkScanner)
	c.Aging = v.aging(r.aging)
	c.Limits = v.limits(r.limits)
	return c
}

func (v validator) matchers(r rawMatchers) Matchers {
	return Matchers{
		Rules: v.names(r.rules, func(s string) string { return checkName(s, "rule id") }),
		CWE:   v.names(r.cwe, checkCWE),
		Tags:  v.names(r.tags, func(s string) string { return checkName(s, "tag") }),
	}
}

func (v validator) branch(r rawBranch) Branch {
	b := Branch{Mode: enumPtr[Mode](v, r.mode, modeValues), Conditions: v.conditions(&r.cond), path: r.path}
	if !v.written(r.path + ".match") {
		v.add(r.pos, r.path+".match", "missing (required: a branch glob such as release/*)")
	} else if r.match.Set {
		if msg := checkBranchGlob(r.match.Value); msg != "" {
			v.add(r.match.Pos, r.match.Path, "%s", msg)
		}
		b.Match = r.match.Value
	}
	if r.cond.keys == 0 || (r.cond.keys == 1 && v.written(r.path+".match")) {
		v.add(r.pos, r.path, "sets nothing (add mode or a gate key: %s)", strings.Join(gateKeys, ", "))
	}
	return b
}

func (v validator) ignore(r rawIgnore) Ignore {
	ig := Ignore{Paths: v.names(r.paths, checkGlob)}
	switch {
	case !v.written(r.path + ".paths"):
		v.add(r.pos, r.path+".paths", "missing (required: the path globs to ignore, e.g. [testdata/**])")
	case len(r.paths) == 0:
		v.add(v.w.pos[r.path+".paths"], r.path+".paths", "empty list (required: at least one path glob)")
	}
	switch {
	case !v.written(r.path + ".reason"):
		v.add(r.pos, r.path+".reason", "missing (required: say why these paths are ignored)")
	case r.reason.Set:
		if r.reason.Tag == "!!null" {
			r.reason.Value = ""
		}
		if msg := checkReason(r.reason.Value); msg != "" {
			v.add(r.reason.Pos, r.reason.Path, "%s", msg)
		}
		ig.Reason = strings.TrimSpace(r.reason.Value)
	}
	return ig
}

func (v validator) exceptions(r *rawExceptions) ExceptionRules {
	e := ExceptionRules{Approvers: v.approvers(r.approvers)}
	if r.kindsSet {
		e.Kinds = []ExceptionKind{}
		for _, s := range r.kinds {
			if k, ok := v.enum(s, kindValues); ok {
				e.Kinds = append(e.Kinds, ExceptionKind(k))
			}
		}
		if len(r.kinds) == 0 {
			v.add(r.kindsPos, "exceptions.kinds", "empty list (list at least one kind %s)", allowed(kindValues))
		}
	}
	if s := r.maxDuration; s.Set {
		if d, msg := parseDuration(s.Value); msg != "" {
			v.add(s.Pos, s.Path, "%s", msg)
		} else {
			e.MaxDuration = &d
		}
	}
	for _, p := range r.paths {
		e.Paths = append(e.Paths, v.pathRule(p))
	}
	return e
}

func (v validator) approvers(list []scalar) []string {
	out := v.names(list, checkApprover)
	for i, a := range out {
		out[i] = normaliseApprover(a)
	}
	return out
}

func (v validator) pathRule(r rawPathRule) PathApprovers {
	p := PathApprovers{Approvers: v.approvers(r.approvers)}
	if !v.written(r.path + ".match") {
		v.add(r.pos, r.path+".match", "missing (required: a path glob such as auth/**)")
	} else if r.match.Set {
		if msg := checkGlob(r.match.Value); msg != "" {
			v.add(r.match.Pos, r.match.Path, "%s", msg)
		}
		p.Match = r.match.Value
	}
	if !v.written(r.path + ".approvers") {
		v.add(r.pos, r.path+".approvers", "missing (required: the users or teams who approve exceptions here)")
	} else if len(r.approvers) == 0 {
		v.add(v.w.pos[r.path+".approvers"], r.path+".approvers", "empty list (required: at least one user or team)")
	}
	return p
}
