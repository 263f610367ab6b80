package policy

import (
	"maps"
	"slices"
	"strconv"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// aging stacks gate.aging field by field: a value set here replaces the
// one below for that severity and field only.
func (r *resolver) aging(v values) {
	for _, sev := range slices.Backward(slices.Sorted(maps.Keys(v.cond.Aging))) {
		a, key := v.cond.Aging[sev], "gate.aging."+sev.String()
		if r.g.Aging == nil {
			r.g.Aging = map[findings.Severity]AgingLimit{}
		}
		cur := r.g.Aging[sev]
		if a.Max != nil {
			cur.Max = ptr(*a.Max)
			r.set(v, key+".max", strconv.Itoa(*a.Max))
		}
		if a.HardMax != nil {
			cur.HardMax = ptr(*a.HardMax)
			r.set(v, key+".hard_max", strconv.Itoa(*a.HardMax))
		}
		if a.Days != nil {
			cur.Days = ptr(*a.Days)
			r.set(v, key+".days", daysName(*a.Days))
		}
		r.g.Aging[sev] = cur
	}
}

func daysName(d int) string {
	if d == 0 {
		return agingDaysFromSL
	}
	return strconv.Itoa(d)
}

// limits adds gate.limits entries (a union: every entry applies).
func (r *resolver) limits(v values, ls []Limit) {
	for _, l := range ls {
		r.g.Limits = append(r.g.Limits, l)
		r.addOrigin(v, "gate.limits", l.String())
	}
}

// slaKeys applies impact (org and repository files) and the SLA matrix
// (server and org files), cell by cell; placementErrors reports the
// others.
func (r *resolver) slaKeys(v values) {
	f := v.file
	if f.Impact != nil && f.Source.Layer != LayerServer {
		r.g.Impact = *f.Impact
		r.set(v, "impact", string(*f.Impact))
	}
	if f.Source.Layer == LayerRepo {
		return
	}
	for _, sev := range severityKeys {
		for _, imp := range impactValues {
			days, ok := f.SLA[sev][imp]
			if !ok {
				continue
			}
			if r.g.SLA == nil {
				r.g.SLA = SLAMatrix{}
			}
			if r.g.SLA[sev] == nil {
				r.g.SLA[sev] = map[string]int{}
			}
			r.g.SLA[sev][imp] = days
			r.set(v, "sla."+sev+"."+imp, strconv.Itoa(days))
		}
	}
}

// placementErrors reports keys written in a file that may not set them:
// impact in the server file, sla in a repository file, a Conviso rules
// file named but not read. Each is ignored.
func placementErrors(f *File) []error {
	var errs []error
	add := func(path, msg string) {
		errs = append(errs, &Error{File: f.Name, Pos: f.posOf(path), Path: path, Msg: msg})
	}
	if f.Impact != nil && f.Source.Layer == LayerServer {
		add("impact", "a repository's business impact is set in its own file or the org file, not the server file; ignored")
	}
	if len(f.SLA) > 0 && f.Source.Layer == LayerRepo {
		add("sla", "the SLA matrix is set in the server or org file, not a repository's; ignored")
	}
	if f.ConvisoRulesFile != "" && f.ConvisoRules == nil {
		add("conviso_rules_file", quote(f.ConvisoRulesFile)+" was not read: embed the rules with conviso_rules; ignored")
	}
	return errs
}
