package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/commands"
	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/lifecycle"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// permissionLevel reads (once) the user's permission on the repository:
// admin, write (maintain included), read or none.
func (r *commentRun) permissionLevel(ctx context.Context) (string, error) {
	if r.permission != "" {
		return r.permission, nil
	}
	level, resp, err := r.gh.Repositories.GetPermissionLevel(ctx, r.repo.Owner, r.repo.Name, r.user)
	switch {
	case err != nil && resp != nil && resp.StatusCode == 404:
		r.permission = "none"
	case err != nil:
		return "", fmt.Errorf("reading %s's permission on %s: %w", r.user, r.repo.FullName(), err)
	default:
		r.permission = level.GetPermission()
	}
	return r.permission, nil
}

// mayWrite reports whether the user has write, maintain or admin permission.
func (r *commentRun) mayWrite(ctx context.Context) (bool, error) {
	level, err := r.permissionLevel(ctx)
	return level == "admin" || level == "write", err
}

// exceptionPolicy loads (once) the exception policy of the pull request's
// base branch. why says why exceptions cannot be handled ("" when they can).
func (r *commentRun) exceptionPolicy(ctx context.Context) (x policy.ExceptionPolicy, why string, err error) {
	if r.gate != nil {
		return *r.gate, "", nil
	}
	t := checks.Target{
		InstallationID: r.repo.InstallationID, Owner: r.repo.Owner, Repo: r.repo.Name, RepoID: r.repo.ID,
		HeadSHA: r.pr.GetHead().GetSHA(), BaseSHA: r.pr.GetBase().GetSHA(), BaseRef: r.pr.GetBase().GetRef(),
		PullRequest: r.pr.GetNumber(),
	}
	var loaded checks.Loaded
	if r.h.Policies != nil {
		if loaded, err = r.h.Policies.Load(ctx, r.gh, t); err != nil {
			return x, "", fmt.Errorf("loading the base branch's policy: %w", err)
		}
	} else {
		p, _, _ := policy.Merge(nil, nil, nil)
		loaded.Gate = policy.Effective(p, t.BaseRef)
	}
	if len(loaded.Errors) > 0 {
		return x, "the base branch's policy is invalid; fix `.github/conviso.yml` first.", nil
	}
	r.gate = &loaded.Gate.Exceptions
	return *r.gate, "", nil
}

// approverCheck decides whether the user may approve an exception for a
// finding at path (empty for a rule or an unknown path). It returns the
// teams the user was verified in (Exception.ApprovedVia), or why not.
// When the policy names no approver anywhere, repository admins approve.
func (r *commentRun) approverCheck(ctx context.Context, x policy.ExceptionPolicy, path string) ([]string, string, error) {
	if !namesApprovers(x) {
		level, err := r.permissionLevel(ctx)
		if err != nil {
			return nil, "", err
		}
		if level == "admin" {
			return []string{policy.RepoAdminApprover}, "", nil
		}
		return nil, "only repository admins may approve exceptions (the policy names no approvers).", nil
	}
	teams, err := r.teamsOf(ctx, x)
	if err != nil {
		return nil, "", err
	}
	if _, err := x.Approve(path, r.user, teams); err != nil {
		return nil, "you are not an approver of the base branch's policy for it.", nil
	}
	return teams, "", nil
}

// namesApprovers reports whether the policy names any approver.
func namesApprovers(x policy.ExceptionPolicy) bool {
	if len(x.Approvers) > 0 {
		return true
	}
	for _, p := range x.Paths {
		if len(p.Approvers) > 0 {
			return true
		}
	}
	return false
}

// teamsOf returns the policy's teams ("@org/slug") the user is an active
// member of, checked through the API.
func (r *commentRun) teamsOf(ctx context.Context, x policy.ExceptionPolicy) ([]string, error) {
	entries := slices.Clone(x.Approvers)
	for _, p := range x.Paths {
		entries = append(entries, p.Approvers...)
	}
	var teams []string
	for _, e := range entries {
		org, slug, ok := strings.Cut(strings.TrimPrefix(e, "@"), "/")
		if !strings.HasPrefix(e, "@") || !ok || slices.Contains(teams, e) {
			continue
		}
		m, resp, err := r.gh.Teams.GetTeamMembershipBySlug(ctx, org, slug, r.user)
		switch {
		case err != nil && resp != nil && resp.StatusCode == 404:
		case err != nil:
			return nil, fmt.Errorf("checking %s's membership of %s: %w", r.user, e, err)
		case m.GetState() == "active":
			teams = append(teams, e)
		}
	}
	return teams, nil
}

// findingInfo returns the rule and path of a finding-scoped exception when
// the findings' lifecycle knows the finding ("" otherwise).
func (r *commentRun) findingInfo(ctx context.Context, sc exceptions.Scope) (rule, path string) {
	if sc.FindingID == "" || r.h.Tracker == nil {
		return "", ""
	}
	recs, err := r.h.Tracker.List(ctx, r.repo.FullName(), lifecycle.Filter{})
	if err != nil {
		return "", ""
	}
	for _, rec := range recs {
		if rec.FindingID == sc.FindingID {
			return rec.RuleID, rec.Path
		}
	}
	return "", ""
}

func containsKind(kinds []policy.ExceptionKind, k policy.ExceptionKind) bool {
	return slices.Contains(kinds, k)
}

func kindNames(kinds []policy.ExceptionKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// day is an exception's expiry date, as shown in replies.
func day(e exceptions.Exception) string { return e.Until.UTC().Format(time.DateOnly) }

// shortSHA is the first seven characters of a commit SHA.
func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// userText escapes text typed by a user for a reply.
func userText(s string) string { return commands.EscapeForReply(s) }
