package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// ApproversFor returns the lists an exception's approver must belong to
// for a finding at path: exceptions.approvers, then the list of every
// exceptions.paths rule whose glob matches. The approver must be in each
// list (as a user, or as a member of a team in it).
func (x ExceptionPolicy) ApproversFor(path string) [][]string {
	lists := [][]string{x.Approvers}
	path = findings.NormalisePath(path)
	for _, p := range x.Paths {
		if ok, _ := doublestar.Match(p.Match, path); ok {
			lists = append(lists, p.Approvers)
		}
	}
	return lists
}

// Approve decides, without I/O, whether login may approve an exception
// for a finding at path, given the teams ("@org/team") the caller found
// login belongs to. It returns the entries to record as
// Exception.ApprovedVia, or an error saying who may approve.
func (x ExceptionPolicy) Approve(path, login string, teams []string) ([]string, error) {
	var via []string
	for _, list := range x.ApproversFor(path) {
		entry, ok := approverIn(list, login, teams)
		if !ok {
			return nil, fmt.Errorf("%s may not approve exceptions for %s (approvers: %s)", login, path, approverNames(list))
		}
		if isTeam(entry) && !containsFold(via, entry) {
			via = append(via, entry)
		}
	}
	return via, nil
}

// approverIn returns the entry of list that login (or one of its teams) is.
// RepoAdminApprover is recorded in Exception.ApprovedVia when the app
// verified that the approver is an admin of the repository: where the
// policy names no approvers, repository admins approve.
const RepoAdminApprover = "repository-admin"

func approverIn(list []string, login string, teams []string) (string, bool) {
	login = strings.TrimPrefix(login, "@")
	for _, a := range list {
		if (isTeam(a) && containsFold(teams, a)) || (!isTeam(a) && login != "" && strings.EqualFold(a, login)) {
			return a, true
		}
	}
	return "", false
}

func approverNames(list []string) string {
	if len(list) == 0 {
		return "none configured"
	}
	return strings.Join(list, ", ")
}

// exceptionResult is what the exceptions did to one scan's findings.
type exceptionResult struct {
	excused  map[int]bool // indexes into the findings
	applied  []Exception
	excusedF []Excused
	stale    []Exception
	rejected []Rejected
}

// applyExceptions matches exceptions to (not ignored) findings.
func applyExceptions(x ExceptionPolicy, fs []findings.Finding, exs []Exception, now time.Time) exceptionResult {
	res := exceptionResult{excused: map[int]bool{}}
	for _, e := range exs {
		if why := invalid(x, e, now); why != "" {
			res.rejected = append(res.rejected, Rejected{Exception: e, Why: why})
			continue
		}
		matched, excused, why := 0, 0, ""
		for i, f := range fs {
			if !e.matches(f) {
				continue
			}
			matched++
			if why = notApprovedFor(x, e, f.Path); why != "" {
				continue
			}
			excused++
			if !res.excused[i] {
				res.excused[i] = true
				res.excusedF = append(res.excusedF, Excused{Finding: f, Exception: e})
			}
		}
		switch {
		case matched == 0:
			res.stale = append(res.stale, e)
		case excused == 0:
			res.rejected = append(res.rejected, Rejected{Exception: e, Why: why})
		default:
			res.applied = append(res.applied, e)
		}
	}
	return res
}

func (e Exception) matches(f findings.Finding) bool {
	if e.FindingID != "" {
		return e.FindingID == f.ID
	}
	return e.RuleID != "" && e.RuleID == f.RuleID
}

// invalid says why e cannot apply to any finding, or "".
func invalid(x ExceptionPolicy, e Exception, now time.Time) string {
	start := e.Created
	if start.IsZero() {
		start = now
	}
	switch {
	case e.FindingID == "" && e.RuleID == "":
		return "it names no finding and no rule"
	case e.Until.IsZero():
		return "it has no expiry date"
	case !e.Until.After(now):
		return "it expired on " + e.Until.UTC().Format(time.DateOnly)
	case !slices.Contains(x.Kinds, e.Kind):
		return fmt.Sprintf("kind %s is not allowed (allowed: %s)", quote(string(e.Kind)), kindList(x.Kinds))
	case e.Until.Sub(start) > x.MaxDuration:
		return fmt.Sprintf("it lasts longer than the maximum of %s", formatDuration(x.MaxDuration))
	case strings.TrimSpace(e.ApprovedBy) == "":
		return "it has no approver"
	}
	return ""
}

// notApprovedFor says why e's approver may not excuse a finding at path, or "".
func notApprovedFor(x ExceptionPolicy, e Exception, path string) string {
	for _, list := range x.ApproversFor(path) {
		if len(list) == 0 && containsFold(e.ApprovedVia, RepoAdminApprover) {
			continue // no approver named: a verified repository admin approves
		}
		if _, ok := approverIn(list, e.ApprovedBy, e.ApprovedVia); !ok {
			return fmt.Sprintf("%s may not approve exceptions for %s (approvers: %s)",
				e.ApprovedBy, findings.NormalisePath(path), approverNames(list))
		}
	}
	return ""
}
