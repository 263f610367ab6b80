package policy

import (
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Policy is the three policy files stacked, ready to resolve for a branch
// with Effective.
type Policy struct {
	layers  []*File // built-in, then server, org and repo when present
	locks   []string
	lockSrc Source
	// problems are errors about where keys were written (locks outside
	// the org file); every Gate reports them.
	problems []error
}

// Source returns the most specific file in the policy: the repository's,
// else the org's, else the server default.
func (p *Policy) Source() Source { return p.layers[len(p.layers)-1].Source }

// Sources lists the files in the policy, bottom layer first.
func (p *Policy) Sources() []Source {
	out := make([]Source, len(p.layers))
	for i, f := range p.layers {
		out[i] = f.Source
	}
	return out
}

// Locks returns the keys the org file locks.
func (p *Policy) Locks() []string { return slices.Clone(p.locks) }

// Merge stacks the server default, the org file and the repository file
// (each may be nil; a nil server means Default()). Each file refines the
// one below: a value it sets replaces the value below, except lists that
// add constraints or permissions, which are unions (docs/policy.md lists
// each key's rule). The org file's lock keys bind the repository file: a
// repository value that loosens a locked key is rejected with an error
// naming the key and the org file, and the locked value stays in force;
// a tighter value is accepted. lock in the server or repository file is
// an error and is ignored.
//
// Merge returns the policy, where each branch-independent value came from,
// and every problem it can find without knowing the branch; Effective
// reports the rest (overrides whose locked value depends on the branch).
func Merge(server, org, repo *File) (*Policy, Provenance, []error) {
	p := &Policy{layers: []*File{builtin}}
	for layer, f := range []*File{server, org, repo} {
		if f != nil {
			p.layers = append(p.layers, withLayer(f, Layer(layer)))
		}
	}
	for _, f := range p.layers[1:] {
		if f.Source.Layer == LayerOrg {
			p.locks, p.lockSrc = f.Lock, f.Source
		} else if len(f.Lock) > 0 {
			p.problems = append(p.problems, &Error{File: f.Name, Pos: f.posOf("lock"), Path: "lock",
				Msg: "allowed only in the org file (the org's .github repository); ignored"})
		}
		p.problems = append(p.problems, placementErrors(f)...)
	}
	r := p.resolve("", false)
	errs := append(slices.Clone(p.problems), r.errors(nil)...)
	errs = append(errs, p.overrideErrors()...)
	return p, r.gate().Provenance, errs
}

// withLayer returns a shallow copy of f whose Source names layer.
func withLayer(f *File, layer Layer) *File {
	c := *f
	c.Source.Layer = layer
	if c.Source.Path == "" {
		c.Source.Path = c.Name
	}
	return &c
}

// Effective resolves p for a base branch ("main", or "refs/heads/main"):
// each file's own values, then its first branch override whose glob
// matches, bottom layer first.
func Effective(p *Policy, branch string) Gate {
	branch = strings.TrimPrefix(branch, "refs/heads/")
	r := p.resolve(branch, true)
	g := r.gate()
	g.Sources = p.Sources()
	g.Problems = append(slices.Clone(p.problems), r.errors(nil)...)
	return g
}

// resolve stacks the layers; onBranch applies branch overrides.
func (p *Policy) resolve(branch string, onBranch bool) *resolver {
	r := newResolver(p.locks, p.lockSrc, branch)
	for _, f := range p.layers {
		if f.Source.Layer == LayerRepo && len(p.locks) > 0 {
			r.lock()
		}
		r.apply(ownValues(f))
		if i := firstMatch(f, branch); onBranch && i >= 0 {
			r.apply(branchValues(f, i))
		}
	}
	return r
}

// firstMatch returns the index of the first override of f whose glob
// matches branch, or -1.
func firstMatch(f *File, branch string) int {
	for i, b := range f.Branches {
		if ok, err := doublestar.Match(b.Match, branch); ok && err == nil {
			return i
		}
	}
	return -1
}

// overrideErrors checks each repository branch override against the
// values below the repository, for the locked keys no server or org
// override sets: their locked value is the same on every branch, so a
// loosening is certain. Keys an override below sets are checked by
// Effective, on the actual branch.
func (p *Policy) overrideErrors() []error {
	repo := p.layers[len(p.layers)-1]
	if repo.Source.Layer != LayerRepo || len(p.locks) == 0 {
		return nil
	}
	varying := map[string]bool{}
	for _, f := range p.layers[:len(p.layers)-1] {
		for i := range f.Branches {
			for _, k := range setKeys(branchValues(f, i)) {
				varying[k] = true
			}
		}
	}
	var errs []error
	for i := range repo.Branches {
		r := newResolver(p.locks, p.lockSrc, "")
		for _, f := range p.layers[:len(p.layers)-1] {
			r.apply(ownValues(f))
		}
		r.lock()
		r.apply(branchValues(repo, i))
		errs = append(errs, r.errors(func(key string) bool { return !varying[key] })...)
	}
	return errs
}

// setKeys lists the keys v sets, by applying it to an empty resolver.
func setKeys(v values) []string {
	r := newResolver(nil, Source{}, "")
	r.apply(v)
	var keys []string
	for k := range r.origins {
		keys = append(keys, k)
	}
	return keys
}
