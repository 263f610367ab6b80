package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// teamSet is the stored team list of one organization.
type teamSet struct {
	Org      string    `json:"org"`
	SyncedAt time.Time `json:"synced_at"`
	Teams    []Team    `json:"teams"`
}

// SyncTeams lists the organization's teams (GET /orgs/{org}/teams) and
// each team's repositories (GET /orgs/{org}/teams/{team_slug}/repos), every
// page of MaxPerPage, one request at a time, with gh, a client of the
// installation on org (it needs the "members: read" permission). It stores
// and returns them for coverage per team.
func (inv *Inventory) SyncTeams(ctx context.Context, org string, gh *github.Client) ([]Team, error) {
	var teams []Team
	opts := &github.ListOptions{PerPage: MaxPerPage}
	for {
		page, resp, err := gh.Teams.ListTeams(ctx, org, opts)
		if err != nil {
			return nil, fmt.Errorf("listing teams of %s (page %d): %w", org, max(opts.Page, 1), err)
		}
		for _, t := range page {
			ids, err := teamRepoIDs(ctx, gh, org, t.GetSlug())
			if err != nil {
				return nil, err
			}
			teams = append(teams, Team{Org: org, Slug: t.GetSlug(), Name: t.GetName(), RepoIDs: ids})
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	sort.Slice(teams, func(i, j int) bool { return teams[i].Slug < teams[j].Slug })
	set := teamSet{Org: org, SyncedAt: inv.now(), Teams: teams}
	if err := putJSON(ctx, inv.KV, keyTeams+strings.ToLower(org), set, 0); err != nil {
		return nil, err
	}
	return teams, nil
}

// SyncAllTeams runs SyncTeams for every installation that is neither
// deleted, suspended nor on a user account, with the client installation returns.
// Errors of single organizations are joined; the others are still synced.
func (inv *Inventory) SyncAllTeams(ctx context.Context, installation func(id int64) (*github.Client, error)) error {
	insts, err := inv.Installations(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, in := range insts {
		if in.Deleted || in.Suspended || in.AccountType == "User" {
			continue
		}
		gh, err := installation(in.ID)
		if err == nil {
			_, err = inv.SyncTeams(ctx, in.Account, gh)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("teams of %s (installation %d): %w", in.Account, in.ID, err))
		}
	}
	return errors.Join(errs...)
}

// teamRepoIDs lists the IDs of one team's repositories.
func teamRepoIDs(ctx context.Context, gh *github.Client, org, slug string) ([]int64, error) {
	ids := []int64{}
	opts := &github.ListOptions{PerPage: MaxPerPage}
	for {
		page, resp, err := gh.Teams.ListTeamReposBySlug(ctx, org, slug, opts)
		if err != nil {
			return nil, fmt.Errorf("listing repositories of team %s/%s (page %d): %w", org, slug, max(opts.Page, 1), err)
		}
		for _, r := range page {
			ids = append(ids, r.GetID())
		}
		if resp.NextPage == 0 {
			return ids, nil
		}
		opts.Page = resp.NextPage
	}
}

// Teams returns the teams SyncTeams stored, of every organization, by org
// and slug.
func (inv *Inventory) Teams(ctx context.Context) ([]Team, error) {
	var all []Team
	err := inv.KV.Scan(ctx, keyTeams, func(key string, value []byte) (bool, error) {
		var set teamSet
		if err := json.Unmarshal(value, &set); err != nil {
			return false, fmt.Errorf("decoding %s: %w", key, err)
		}
		all = append(all, set.Teams...)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing teams: %w", err)
	}
	sort.Slice(all, func(i, j int) bool {
		return strings.ToLower(all[i].Org+"/"+all[i].Slug) < strings.ToLower(all[j].Org+"/"+all[j].Slug)
	})
	return all, nil
}

// CoverageReport computes Coverage over the whole inventory: every
// repository of an installation that is not deleted (those of suspended
// installations count as "app lost access"), the recorded scans and the
// synced teams. window <= 0 means DefaultCoverageWindow; policy may be nil.
func (inv *Inventory) CoverageReport(ctx context.Context, window time.Duration, policy Policy) (Report, error) {
	repos, err := inv.scopedRepos(ctx)
	if err != nil {
		return Report{}, err
	}
	scans, err := inv.Scans(ctx)
	if err != nil {
		return Report{}, err
	}
	teams, err := inv.Teams(ctx)
	if err != nil {
		return Report{}, err
	}
	return Coverage(repos, scans, inv.now(), window, WithTeams(teams), WithPolicy(policy)), nil
}

// scopedRepos lists the repositories of installations that are not
// deleted, those of suspended installations marked as lost access.
func (inv *Inventory) scopedRepos(ctx context.Context) ([]Repo, error) {
	insts, err := inv.Installations(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Installation{}
	for _, in := range insts {
		byID[in.ID] = in
	}
	all, err := inv.Repos(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		in := byID[r.InstallationID]
		if in.Deleted {
			continue
		}
		if in.Suspended && !r.LostAccess {
			r.LostAccess, r.LostAccessReason = true, "installation suspended"
		}
		out = append(out, r)
	}
	return out, nil
}
