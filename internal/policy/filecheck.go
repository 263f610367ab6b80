package policy

import (
	"fmt"
	"maps"
	"slices"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Validate checks f's typed values against the rules Parse applies, for a
// File built or changed in code (Parse never returns a File that fails
// it). It returns a *ValidationError listing every problem, or nil.
func (f *File) Validate() error {
	c := fileChecker{f: f, p: &problems{file: f.Name}}
	if f.Version != 0 && f.Version != 1 {
		c.fail("version", fmt.Sprintf("%d is not allowed %s", f.Version, allowed(versionValues)))
	}
	c.enum("mode", nilSafe(f.Mode), modeValues)
	c.conditions("gate", &f.Gate)
	for i, b := range f.Branches {
		path := index("branches", i)
		c.fail(path+".match", checkBranchGlob(b.Match))
		c.enum(path+".mode", nilSafe(b.Mode), modeValues)
		c.conditions(path, &b.Conditions)
		if b.Mode == nil && b.Conditions.empty() {
			c.fail(path, "sets nothing")
		}
	}
	for i, ig := range f.Ignore {
		c.ignore(index("ignore", i), ig)
	}
	c.enum("on_scanner_failure", nilSafe(f.OnScannerFailure), failureValues)
	c.enum("annotate", nilSafe(f.Annotate), annotateValues)
	c.exceptions(&f.Exceptions)
	for i, k := range f.Lock {
		if !slices.Contains(lockableKeys, k) {
			c.fail(index("lock", i), quote(k)+" cannot be locked "+allowed(lockableKeys))
		}
	}
	return c.p.err()
}

// nilSafe converts a *T with a string kind to *string for enum checks.
func nilSafe[T ~string](p *T) *string {
	if p == nil {
		return nil
	}
	s := string(*p)
	return &s
}

type fileChecker struct {
	f *File
	p *problems
}

func (c fileChecker) fail(path, msg string) {
	if msg != "" {
		c.p.add(c.f.posOf(path), path, "%s", msg)
	}
}

func (c fileChecker) enum(path string, v *string, values []string) {
	if v != nil && !slices.Contains(values, *v) {
		c.fail(path, quote(*v)+" is not allowed "+allowed(values))
	}
}

func (c fileChecker) list(path string, values []string, check func(string) string) {
	for i, v := range values {
		c.fail(index(path, i), check(v))
	}
}

func (c fileChecker) conditions(path string, g *Conditions) {
	c.enum(join(path, "scope"), nilSafe(g.Scope), scopeValues)
	if g.BlockAt != nil && (*g.BlockAt < findings.SeverityUnknown || *g.BlockAt > findings.SeverityCritical) {
		c.fail(join(path, "block_at"), fmt.Sprintf("severity %d is not allowed %s", int(*g.BlockAt), allowed(blockAtValues)))
	}
	for _, sev := range slices.Sorted(maps.Keys(g.Max)) {
		p, n := join(path, "max."+sev.String()), g.Max[sev]
		if sev < findings.SeverityLow || sev > findings.SeverityCritical {
			c.fail(p, fmt.Sprintf("severity %d has no maximum %s", int(sev), allowed(severityKeys)))
		}
		if n < 0 || n > maxCount {
			c.fail(p, fmt.Sprintf("%d is not a whole number from 0 to %d", n, maxCount))
		}
	}
	for i, m := range []Matchers{g.AlwaysBlock, g.NeverBlock} {
		p := join(path, []string{"always_block", "never_block"}[i])
		c.list(p+".rules", m.Rules, func(s string) string { return checkName(s, "rule id") })
		c.list(p+".cwe", m.CWE, checkCWE)
		c.list(p+".tags", m.Tags, func(s string) string { return checkName(s, "tag") })
	}
	c.list(join(path, "required_scanners"), g.RequiredScanners, checkScanner)
}

func (c fileChecker) ignore(path string, ig Ignore) {
	if len(ig.Paths) == 0 {
		c.fail(path+".paths", "empty list (required: at least one path glob)")
	}
	c.list(path+".paths", ig.Paths, checkGlob)
	c.fail(path+".reason", checkReason(ig.Reason))
}

func (c fileChecker) exceptions(e *ExceptionRules) {
	c.list("exceptions.approvers", e.Approvers, checkApprover)
	if e.Kinds != nil && len(e.Kinds) == 0 {
		c.fail("exceptions.kinds", "empty list (list at least one kind "+allowed(kindValues)+")")
	}
	for i, k := range e.Kinds {
		c.enum(index("exceptions.kinds", i), ptr(string(k)), kindValues)
	}
	if d := e.MaxDuration; d != nil && (*d <= 0 || *d > maxDays*24*3600e9) {
		c.fail("exceptions.max_duration", fmt.Sprintf("%s is not between 1h and %d days", d, maxDays))
	}
	for i, p := range e.Paths {
		path := index("exceptions.paths", i)
		c.fail(path+".match", checkGlob(p.Match))
		if len(p.Approvers) == 0 {
			c.fail(path+".approvers", "empty list (required: at least one user or team)")
		}
		c.list(path+".approvers", p.Approvers, checkApprover)
	}
}
