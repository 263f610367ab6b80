package fakegithub

import (
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Operation names of the team listings, for Script and RequestsTo.
const (
	OpListTeams     = "GET /orgs/{org}/teams"
	OpListTeamRepos = "GET /orgs/{org}/teams/{team_slug}/repos"
)

// Team is an organization's team with the repositories it has access to.
type Team struct {
	// ID is the team's ID.
	ID int64
	// Org is the organization's login; Slug the team's URL name.
	Org, Slug string
	// Name is the team's display name.
	Name string
}

// teamEntry is a team and the IDs of its repositories.
type teamEntry struct {
	Team
	repos map[int64]bool
}

// teamTables holds each Server's teams, guarded by that Server's mu. They
// live beside the fake's state (rather than in it) so that team listings
// stay one self-contained addition; the entry goes when the test ends.
var teamTables sync.Map // *Server -> *[]*teamEntry

// teams returns the server's team list (nil before AddTeam). Callers hold
// s.mu.
func (s *Server) teams() []*teamEntry {
	v, found := teamTables.Load(s)
	if !found {
		return nil
	}
	return *v.(*[]*teamEntry)
}

// AddTeam creates the organization's team slug, when new, and gives it
// access to repos. It returns the team.
func (s *Server) AddTeam(org, slug string, repos ...*Repo) Team {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.user(org, "Organization")
	v, loaded := teamTables.LoadOrStore(s, &[]*teamEntry{})
	if !loaded {
		s.t.Cleanup(func() { teamTables.Delete(s) })
	}
	list := v.(*[]*teamEntry)
	var team *teamEntry
	for _, t := range *list {
		if strings.EqualFold(t.Org, org) && strings.EqualFold(t.Slug, slug) {
			team = t
		}
	}
	if team == nil {
		team = &teamEntry{Team: Team{ID: s.st.id(), Org: org, Slug: slug, Name: slug}, repos: map[int64]bool{}}
		*list = append(*list, team)
	}
	for _, r := range repos {
		team.repos[r.ID] = true
	}
	return team.Team
}

// teamJSON is GitHub's team object. Callers hold s.mu.
func (s *Server) teamJSON(t *teamEntry) map[string]any {
	org := s.st.user(t.Org, "Organization")
	api := s.apiBase() + "/organizations/" + strconv.FormatInt(org.ID, 10) + "/team/" + strconv.FormatInt(t.ID, 10)
	return map[string]any{
		"id": t.ID, "node_id": nodeID("Team", t.ID), "url": api, "html_url": htmlBase + "/orgs/" + t.Org + "/teams/" + t.Slug,
		"name": t.Name, "slug": t.Slug, "description": nil, "privacy": "closed",
		"notification_setting": "notifications_enabled", "permission": "pull",
		"members_url": api + "/members{/member}", "repositories_url": api + "/repos",
		"parent": nil, "type": "organization", "organization_id": org.ID,
	}
}

// listTeams serves GET /orgs/{org}/teams.
func (c *call) listTeams() reply {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []any{}
	for _, t := range s.teams() {
		if strings.EqualFold(t.Org, c.params["org"]) {
			items = append(items, s.teamJSON(t))
		}
	}
	return ok(nonNil(pageOf(c, items)))
}

// listTeamRepos serves GET /orgs/{org}/teams/{team_slug}/repos: the team's
// repositories the token can see, by ID.
func (c *call) listTeamRepos() reply {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var team *teamEntry
	for _, t := range s.teams() {
		if strings.EqualFold(t.Org, c.params["org"]) && strings.EqualFold(t.Slug, c.params["team_slug"]) {
			team = t
		}
	}
	if team == nil {
		return c.notFound()
	}
	var repos []*Repo
	for _, r := range s.st.repos {
		if team.repos[r.ID] && !r.deleted && c.tok.canSee(r) {
			repos = append(repos, r)
		}
	}
	sort.Slice(repos, func(i, j int) bool { return repos[i].ID < repos[j].ID })
	items := make([]any, 0, len(repos))
	for _, r := range repos {
		items = append(items, s.repoJSON(r))
	}
	return ok(nonNil(pageOf(c, items)))
}
