package onboard

import (
	"sort"
	"strings"
)

// newTally returns an empty tally with every reason present (zero), so the
// JSON always has the same keys.
func newTally() Tally {
	return Tally{Uncovered: map[Reason]int{
		ReasonLostAccess: 0, ReasonDisabledByPolicy: 0, ReasonNeverScanned: 0, ReasonLastScanFailed: 0, ReasonStale: 0,
	}}
}

// add counts one repository.
func (t *Tally) add(st status) {
	switch {
	case st.active:
		t.Active++
	case st.reason == "":
		t.Inactive++
	}
	if st.covered {
		t.Covered++
	}
	if st.reason != "" {
		t.Uncovered[st.reason]++
	}
}

// ratio sets Ratio from the counts.
func (t *Tally) ratio() {
	t.Ratio = 1
	if t.Active > 0 {
		t.Ratio = float64(t.Covered) / float64(t.Active)
	}
}

// finish computes every ratio.
func (r Report) finish() Report {
	r.Total.ratio()
	for i := range r.Organizations {
		r.Organizations[i].ratio()
	}
	for i := range r.Teams {
		r.Teams[i].ratio()
	}
	return r
}

// teamIndex maps repository IDs to the indexes of the teams holding them.
func teamIndex(teams []Team) map[int64][]int {
	out := map[int64][]int{}
	for i, t := range teams {
		for _, id := range t.RepoIDs {
			out[id] = append(out[id], i)
		}
	}
	return out
}

// uncoveredOf builds the uncovered entry of r.
func uncoveredOf(r Repo, st status, scans map[int64]LastScan, teams []Team, teamIdx []int) Uncovered {
	u := Uncovered{
		RepositoryID: r.ID, FullName: r.FullName, InstallationID: r.InstallationID, Reason: st.reason, Detail: st.detail,
	}
	if scan, ok := scans[r.ID]; ok {
		u.LastScanAt, u.Commit, u.LastSuccessAt = scan.At, scan.Commit, scan.lastSuccess()
	}
	for _, i := range teamIdx {
		u.Teams = append(u.Teams, teams[i].Slug)
	}
	sort.Strings(u.Teams)
	return u
}

// sortedOrgs lists the organizations by login.
func sortedOrgs(orgs map[string]*OrgCoverage) []OrgCoverage {
	out := make([]OrgCoverage, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Org) < strings.ToLower(out[j].Org) })
	return out
}

// sortedTeams lists every team (those without repositories in scope too,
// with zero counts) by org and slug.
func sortedTeams(teams []Team, tallies map[int]*TeamCoverage) []TeamCoverage {
	out := make([]TeamCoverage, 0, len(teams))
	for i, t := range teams {
		if tc := tallies[i]; tc != nil {
			out = append(out, *tc)
		} else {
			out = append(out, TeamCoverage{Org: t.Org, Team: t.Slug, Tally: newTally()})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i].Org+"/"+out[i].Team), strings.ToLower(out[j].Org+"/"+out[j].Team)
		return a < b
	})
	return out
}
