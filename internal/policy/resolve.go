package policy

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Orders of the ordered keys, loosest first.
var (
	modeOrder    = []string{string(ModeOff), string(ModeWarn), string(ModeEnforce)}
	scopeOrder   = []string{string(ScopeNew), string(ScopeAll)}
	blockAtOrder = []string{"none", "critical", "high", "medium", "low"}
	failureOrder = []string{string(FailOpen), string(FailClosed)}
)

// values are the settings one file contributes: its own, or one of its
// branch overrides (mode and conditions only).
type values struct {
	file     *File
	glob     string // the branch override's glob; "" for the file's own values
	prefix   string // "gate" or "branches[i]": where conditions are written
	modePath string
	mode     *Mode
	cond     *Conditions
	own      bool // the file's own values: the non-condition keys apply
}

func ownValues(f *File) values {
	return values{file: f, prefix: "gate", modePath: "mode", mode: f.Mode, cond: &f.Gate, own: true}
}

func branchValues(f *File, i int) values {
	b := &f.Branches[i]
	path := index("branches", i)
	return values{file: f, glob: b.Match, prefix: path, modePath: path + ".mode", mode: b.Mode, cond: &b.Conditions}
}

// lockError is a rejected loosening and the key it concerns.
type lockError struct {
	key string
	err *Error
}

// resolver stacks values into a Gate, recording provenance and enforcing
// the org file's locks on the repository's values.
type resolver struct {
	g       Gate
	origins map[string][]Origin
	locks   []string
	lockSrc Source
	// floor is the gate below the repository file (server and org): the
	// values locked keys are compared with. nil while applying those.
	floor *Gate
	errs  []lockError
}

func newResolver(locks []string, lockSrc Source, branch string) *resolver {
	return &resolver{g: Gate{Branch: branch, Max: map[findings.Severity]int{}}, origins: map[string][]Origin{},
		locks: locks, lockSrc: lockSrc}
}

// lock starts enforcing locks: later values are compared with the gate so far.
func (r *resolver) lock() {
	fl := r.g
	fl.Max = maps.Clone(r.g.Max)
	r.floor = &fl
}

func (r *resolver) isLocked(key string) bool {
	for _, l := range r.locks {
		if key == l || strings.HasPrefix(key, l+".") {
			return true
		}
	}
	return false
}

// checks reports whether a value for key must not loosen the floor.
func (r *resolver) checks(key string) bool { return r.floor != nil && r.isLocked(key) }

// reject records that what would loosen the locked key: a value looser
// than floor (the locked value), or, when floor is "", an entry ("adding
// X"). The value is ignored; what was in force before it stays.
func (r *resolver) reject(v values, key, path, what, floor string) {
	msg := fmt.Sprintf("%s loosens %s, locked by %s; ignored", what, key, r.lockSrc)
	if floor != "" {
		msg = fmt.Sprintf("%s is looser than %s, the value of %s locked by %s; ignored", what, floor, key, r.lockSrc)
	}
	if v.glob != "" && r.g.Branch != "" {
		msg += fmt.Sprintf(" (on branch %s)", quote(r.g.Branch))
	}
	r.errs = append(r.errs, lockError{key: key, err: &Error{File: v.file.Name, Pos: v.file.posOf(path), Path: path, Msg: msg}})
}

func (r *resolver) set(v values, key, value string) {
	r.origins[key] = []Origin{{Key: key, Value: value, Source: v.file.Source, Branch: v.glob}}
}

func (r *resolver) addOrigin(v values, key, value string) {
	r.origins[key] = append(r.origins[key], Origin{Key: key, Value: value, Source: v.file.Source, Branch: v.glob})
}

// ordered applies a value of an ordered key, rejecting one looser than
// the floor when the key is locked.
func (r *resolver) ordered(v values, key, path, val string, order []string, get func(*Gate) string, set func()) {
	if r.checks(key) {
		if fl := get(r.floor); slices.Index(order, val) < slices.Index(order, fl) {
			r.reject(v, key, path, quote(val), quote(fl))
			return
		}
	}
	set()
	r.set(v, key, val)
}

// union adds the entries of add missing from *list; when loosening and
// the key is locked, entries missing from the floor's list are rejected.
// Rule ids compare exactly (as findings are matched); other entries
// (scanners, CWE ids, tags, approvers) without regard to case.
func (r *resolver) union(v values, key, path string, list *[]string, add []string, loosening bool, get func(*Gate) []string) {
	has := containsFold
	if strings.HasSuffix(key, ".rules") {
		has = slices.Contains[[]string]
	}
	for i, e := range add {
		if has(*list, e) {
			continue
		}
		if loosening && r.checks(key) && !has(get(r.floor), e) {
			r.reject(v, key, index(path, i), "adding "+quote(e), "")
			continue
		}
		*list = append(*list, e)
		r.addOrigin(v, key, e)
	}
}

// apply stacks v onto the gate.
func (r *resolver) apply(v values) {
	if v.mode != nil {
		m := *v.mode
		r.ordered(v, "mode", v.modePath, string(m), modeOrder, func(g *Gate) string { return string(g.Mode) },
			func() { r.g.Mode = m })
	}
	r.conditions(v)
	if v.own {
		r.fileKeys(v)
		r.exceptions(v)
	}
}

func blockAtName(s findings.Severity) string {
	if s == findings.SeverityUnknown {
		return "none"
	}
	return s.String()
}

func (r *resolver) conditions(v values) {
	c := v.cond
	if c.Scope != nil {
		s := *c.Scope
		r.ordered(v, "gate.scope", v.prefix+".scope", string(s), scopeOrder,
			func(g *Gate) string { return string(g.Scope) }, func() { r.g.Scope = s })
	}
	if c.BlockAt != nil {
		s := *c.BlockAt
		r.ordered(v, "gate.block_at", v.prefix+".block_at", blockAtName(s), blockAtOrder,
			func(g *Gate) string { return blockAtName(g.BlockAt) }, func() { r.g.BlockAt = s })
	}
	r.max(v)
	r.matchers(v, "gate.always_block", v.prefix+".always_block", &r.g.AlwaysBlock, c.AlwaysBlock, false,
		func(g *Gate) *Matchers { return &g.AlwaysBlock })
	r.matchers(v, "gate.never_block", v.prefix+".never_block", &r.g.NeverBlock, c.NeverBlock, true,
		func(g *Gate) *Matchers { return &g.NeverBlock })
	r.union(v, "gate.required_scanners", v.prefix+".required_scanners", &r.g.RequiredScanners, c.RequiredScanners,
		false, nil)
	r.aging(v)
	r.limits(v, c.Limits)
}

func (r *resolver) max(v values) {
	for _, sev := range slices.Backward(slices.Sorted(maps.Keys(v.cond.Max))) {
		n, key, path := v.cond.Max[sev], "gate.max."+sev.String(), v.prefix+".max."+sev.String()
		if r.checks(key) {
			if fl, ok := r.floor.Max[sev]; ok && n > fl {
				r.reject(v, key, path, strconv.Itoa(n), strconv.Itoa(fl))
				continue
			}
		}
		r.g.Max[sev] = n
		r.set(v, key, strconv.Itoa(n))
	}
}

func (r *resolver) matchers(v values, key, path string, dst *Matchers, add Matchers, loosening bool, get func(*Gate) *Matchers) {
	r.union(v, key+".rules", path+".rules", &dst.Rules, add.Rules, loosening, func(g *Gate) []string { return get(g).Rules })
	r.union(v, key+".cwe", path+".cwe", &dst.CWE, add.CWE, loosening, func(g *Gate) []string { return get(g).CWE })
	r.union(v, key+".tags", path+".tags", &dst.Tags, add.Tags, loosening, func(g *Gate) []string { return get(g).Tags })
}

// fileKeys applies the keys a branch override cannot set.
func (r *resolver) fileKeys(v values) {
	f := v.file
	for i, ig := range f.Ignore {
		r.ignore(v, index("ignore", i), ig)
	}
	if f.OnScannerFailure != nil {
		p := *f.OnScannerFailure
		r.ordered(v, "on_scanner_failure", "on_scanner_failure", string(p), failureOrder,
			func(g *Gate) string { return string(g.OnScannerFailure) }, func() { r.g.OnScannerFailure = p })
	}
	if f.Annotate != nil {
		r.g.Annotate = *f.Annotate
		r.set(v, "annotate", string(*f.Annotate))
	}
	if f.Comment != nil {
		r.g.Comment = *f.Comment
		r.set(v, "comment", map[bool]string{true: "on", false: "off"}[*f.Comment])
	}
	r.slaKeys(v)
	r.limits(v, f.ConvisoRules.Limits())
}

// ignore adds an ignore rule; with ignore locked, a rule is accepted only
// when every one of its globs is already ignored below.
func (r *resolver) ignore(v values, path string, ig Ignore) {
	desc := strings.Join(ig.Paths, ", ") + " (" + ig.Reason + ")"
	if r.checks("ignore") {
		for _, p := range ig.Paths {
			if !ignoresGlob(r.floor.Ignore, p) {
				r.reject(v, "ignore", path, "adding the ignore rule "+quote(desc), "")
				return
			}
		}
	}
	r.g.Ignore = append(r.g.Ignore, ig)
	r.addOrigin(v, "ignore", desc)
}

func ignoresGlob(rules []Ignore, glob string) bool {
	for _, ig := range rules {
		if slices.Contains(ig.Paths, glob) {
			return true
		}
	}
	return false
}

func (r *resolver) exceptions(v values) {
	e, x := v.file.Exceptions, &r.g.Exceptions
	r.union(v, "exceptions.approvers", "exceptions.approvers", &x.Approvers, e.Approvers, true,
		func(g *Gate) []string { return g.Exceptions.Approvers })
	if e.Kinds != nil {
		r.kinds(v, e.Kinds)
	}
	if e.MaxDuration != nil {
		d := *e.MaxDuration
		if fl := r.floorDuration(); r.checks("exceptions.max_duration") && d > fl {
			r.reject(v, "exceptions.max_duration", "exceptions.max_duration", formatDuration(d), formatDuration(fl))
		} else {
			x.MaxDuration = d
			r.set(v, "exceptions.max_duration", formatDuration(d))
		}
	}
	for _, p := range e.Paths {
		x.Paths = append(x.Paths, p)
		r.addOrigin(v, "exceptions.paths", fmt.Sprintf("%s: %s", p.Match, strings.Join(p.Approvers, ", ")))
	}
}

func (r *resolver) floorDuration() time.Duration {
	if r.floor == nil {
		return 0
	}
	return r.floor.Exceptions.MaxDuration
}

// kinds replaces the allowed kinds; with the key locked, a list naming a
// kind the floor does not allow is rejected whole.
func (r *resolver) kinds(v values, kinds []ExceptionKind) {
	if r.checks("exceptions.kinds") {
		for i, k := range kinds {
			if !slices.Contains(r.floor.Exceptions.Kinds, k) {
				r.reject(v, "exceptions.kinds", index("exceptions.kinds", i), "allowing "+quote(string(k)), "")
				return
			}
		}
	}
	r.g.Exceptions.Kinds = nil
	delete(r.origins, "exceptions.kinds")
	for _, k := range kinds {
		if !slices.Contains(r.g.Exceptions.Kinds, k) {
			r.g.Exceptions.Kinds = append(r.g.Exceptions.Kinds, k)
			r.addOrigin(v, "exceptions.kinds", string(k))
		}
	}
}

func kindList(ks []ExceptionKind) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return strings.Join(out, ", ")
}

// errors returns the rejected loosenings of keys keep accepts (all when
// keep is nil), in the order they are written.
func (r *resolver) errors(keep func(key string) bool) []error {
	slices.SortStableFunc(r.errs, func(a, b lockError) int {
		return cmp.Or(cmp.Compare(a.err.Pos.Line, b.err.Pos.Line), cmp.Compare(a.err.Pos.Column, b.err.Pos.Column))
	})
	var out []error
	for _, e := range r.errs {
		if keep == nil || keep(e.key) {
			out = append(out, e.err)
		}
	}
	return out
}

// gate returns the resolved gate with its provenance.
func (r *resolver) gate() Gate {
	g := r.g
	for _, k := range slices.Sorted(maps.Keys(r.origins)) {
		for _, o := range r.origins[k] {
			o.Locked = r.isLocked(k)
			g.Provenance = append(g.Provenance, o)
		}
	}
	sortProvenance(g.Provenance)
	return g
}
