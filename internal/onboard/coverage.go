package onboard

import (
	"strings"
	"time"
)

// Reason says why a repository is not covered.
type Reason string

// Why a repository is not covered, in the order Coverage checks them
// (after setting archived and disabled repositories aside).
const (
	// ReasonLostAccess: the app cannot reach the repository (removed from
	// the installation, refused, or the installation is suspended). Such
	// repositories are listed but not counted as active.
	ReasonLostAccess Reason = "app_lost_access"
	// ReasonDisabledByPolicy: the policy predicate excludes it.
	ReasonDisabledByPolicy Reason = "disabled_by_policy"
	// ReasonNeverScanned: no scan of its default branch was ever recorded.
	ReasonNeverScanned Reason = "never_scanned"
	// ReasonLastScanFailed: its latest scan failed and no scan succeeded
	// within the window.
	ReasonLastScanFailed Reason = "last_scan_failed"
	// ReasonStale: its last successful scan is older than the window.
	ReasonStale Reason = "stale"
)

// Policy tells whether a repository is excluded from scanning by policy,
// and why.
type Policy func(Repo) (disabled bool, why string)

// Team is a team and the repositories it has access to.
type Team struct {
	// Org is the organization's login; Slug the team's URL name.
	Org  string `json:"org"`
	Slug string `json:"slug"`
	// Name is the display name.
	Name string `json:"name"`
	// RepoIDs are the team's repositories the app can see.
	RepoIDs []int64 `json:"repository_ids"`
}

// Report is the coverage report, served as JSON by GET /api/v1/coverage:
//
//	{
//	  "generated_at": "2024-05-01T12:00:00Z",
//	  "window_seconds": 604800,
//	  "total": {"active": 250, "covered": 240, "ratio": 0.96, "inactive": 3,
//	            "uncovered": {"never_scanned": 6, "stale": 2, "last_scan_failed": 1,
//	                          "disabled_by_policy": 1, "app_lost_access": 2}},
//	  "organizations": [{"org": "acme", "active": 250, ...same counts...}],
//	  "teams": [{"org": "acme", "team": "platform", "active": 40, ...}],
//	  "uncovered": [
//	    {"repository_id": 1042, "full_name": "acme/api", "installation_id": 7,
//	     "reason": "last_scan_failed", "detail": "tarball: 502 Bad Gateway",
//	     "last_scan_at": "2024-04-30T09:00:00Z", "commit": "4f2c…",
//	     "last_success_at": "2024-04-20T09:00:00Z", "teams": ["platform"]}
//	  ]
//	}
//
// "active" counts repositories expected to be scanned: not archived, not
// disabled on GitHub and reachable by the app (policy-disabled ones are
// active, and uncovered). "covered" counts active repositories whose last
// successful scan is within the window; "ratio" is covered/active, 1 when
// nothing is active. "inactive" counts archived or disabled repositories,
// which are neither covered nor uncovered. "uncovered" counts by reason,
// app_lost_access included although those are not active. Repositories
// deleted, or of an uninstalled app, do not appear. Lists are sorted: orgs
// by login, teams by org and slug, uncovered repositories by full name.
type Report struct {
	// GeneratedAt is the "now" the report was computed at.
	GeneratedAt time.Time `json:"generated_at"`
	// WindowSeconds is how recent a successful scan must be.
	WindowSeconds int64 `json:"window_seconds"`
	// Total tallies every repository in scope.
	Total Tally `json:"total"`
	// Organizations tallies per account (the owner in the full name).
	Organizations []OrgCoverage `json:"organizations"`
	// Teams tallies per team (WithTeams).
	Teams []TeamCoverage `json:"teams"`
	// Uncovered lists every repository not covered, and why.
	Uncovered []Uncovered `json:"uncovered"`
}

// Tally counts one group of repositories.
type Tally struct {
	// Active counts repositories expected to be scanned.
	Active int `json:"active"`
	// Covered counts active repositories scanned successfully within the
	// window.
	Covered int `json:"covered"`
	// Ratio is Covered / Active (1 when nothing is active).
	Ratio float64 `json:"ratio"`
	// Inactive counts archived or disabled repositories.
	Inactive int `json:"inactive"`
	// Uncovered counts the uncovered repositories by reason (every reason
	// is present).
	Uncovered map[Reason]int `json:"uncovered"`
}

// OrgCoverage is the tally of one organization (or user account).
type OrgCoverage struct {
	// Org is the account's login.
	Org string `json:"org"`
	Tally
}

// TeamCoverage is the tally of one team's repositories.
type TeamCoverage struct {
	// Org is the organization's login; Team the team's slug.
	Org  string `json:"org"`
	Team string `json:"team"`
	Tally
}

// Uncovered is one repository that is not covered, and why.
type Uncovered struct {
	// RepositoryID, FullName and InstallationID identify the repository.
	RepositoryID   int64  `json:"repository_id"`
	FullName       string `json:"full_name"`
	InstallationID int64  `json:"installation_id"`
	// Reason says why it is not covered.
	Reason Reason `json:"reason"`
	// Detail is the failed scan's error, the policy's or the lost
	// access's reason.
	Detail string `json:"detail,omitempty"`
	// LastScanAt and Commit describe the latest scan (absent when none);
	// LastSuccessAt the latest successful one.
	LastScanAt    time.Time `json:"last_scan_at,omitzero"`
	Commit        string    `json:"commit,omitempty"`
	LastSuccessAt time.Time `json:"last_success_at,omitzero"`
	// Teams are the slugs of the teams with access to it.
	Teams []string `json:"teams,omitempty"`
}

// CoverageOption adds teams or a policy to Coverage.
type CoverageOption func(*coverageConfig)

type coverageConfig struct {
	teams  []Team
	policy Policy
}

// WithTeams tallies coverage per team too.
func WithTeams(teams []Team) CoverageOption { return func(c *coverageConfig) { c.teams = teams } }

// WithPolicy excludes the repositories p disables (reported as
// ReasonDisabledByPolicy).
func WithPolicy(p Policy) CoverageOption { return func(c *coverageConfig) { c.policy = p } }

// Coverage computes the coverage report of repos given their latest scans
// (by repository ID) at now; window <= 0 means DefaultCoverageWindow. It
// is a pure function.
func Coverage(repos []Repo, scans map[int64]LastScan, now time.Time, window time.Duration, opts ...CoverageOption) Report {
	if window <= 0 {
		window = DefaultCoverageWindow
	}
	var cfg coverageConfig
	for _, o := range opts {
		o(&cfg)
	}
	teamsOf := teamIndex(cfg.teams)
	rep := Report{GeneratedAt: now.UTC(), WindowSeconds: int64(window / time.Second), Total: newTally()}
	orgs := map[string]*OrgCoverage{}
	teams := map[int]*TeamCoverage{}
	sorted := append([]Repo(nil), repos...)
	sortRepos(sorted)
	for _, r := range sorted {
		if r.outOfScope() {
			continue
		}
		st := classify(r, scans, now, window, cfg.policy)
		org := orgs[strings.ToLower(r.Owner())]
		if org == nil {
			org = &OrgCoverage{Org: r.Owner(), Tally: newTally()}
			orgs[strings.ToLower(r.Owner())] = org
		}
		for _, t := range []*Tally{&rep.Total, &org.Tally} {
			t.add(st)
		}
		for _, ti := range teamsOf[r.ID] {
			tc := teams[ti]
			if tc == nil {
				tc = &TeamCoverage{Org: cfg.teams[ti].Org, Team: cfg.teams[ti].Slug, Tally: newTally()}
				teams[ti] = tc
			}
			tc.add(st)
		}
		if st.reason != "" {
			rep.Uncovered = append(rep.Uncovered, uncoveredOf(r, st, scans, cfg.teams, teamsOf[r.ID]))
		}
	}
	rep.Organizations, rep.Teams = sortedOrgs(orgs), sortedTeams(cfg.teams, teams)
	if rep.Uncovered == nil {
		rep.Uncovered = []Uncovered{}
	}
	return rep.finish()
}

// status is one repository's classification.
type status struct {
	active, covered bool
	reason          Reason
	detail          string
}

// classify decides whether r is active, covered, or why not.
func classify(r Repo, scans map[int64]LastScan, now time.Time, window time.Duration, policy Policy) status {
	switch {
	case r.Archived || r.Disabled:
		return status{}
	case r.Removed:
		return status{reason: ReasonLostAccess, detail: string(r.RemovedReason)}
	case r.LostAccess:
		return status{reason: ReasonLostAccess, detail: r.LostAccessReason}
	}
	if policy != nil {
		if disabled, why := policy(r); disabled {
			return status{active: true, reason: ReasonDisabledByPolicy, detail: why}
		}
	}
	scan, scanned := scans[r.ID]
	if !scanned {
		return status{active: true, reason: ReasonNeverScanned}
	}
	if ok := scan.lastSuccess(); !ok.IsZero() && now.Sub(ok) <= window {
		return status{active: true, covered: true}
	}
	if !scan.OK {
		return status{active: true, reason: ReasonLastScanFailed, detail: scan.Error}
	}
	return status{active: true, reason: ReasonStale}
}
