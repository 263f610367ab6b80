// Package checks is the scan pipeline: it downloads a repository at one
// commit, runs the scanners, decides the gate and reports the result as a
// GitHub Check Run with inline annotations.
package checks

import (
	"fmt"
	"strings"
)

// Target is one commit to scan and how it was asked for.
type Target struct {
	InstallationID int64
	Owner          string
	Repo           string
	RepoID         int64
	HeadSHA        string
	// BaseSHA is what the head is compared with: the PR's base commit, or
	// the commit before a push ("" when there is none).
	BaseSHA string
	// BaseRef is the PR's base branch ("main"); for a push, Ref says it.
	BaseRef string
	// PullRequest is the PR number, 0 for a push.
	PullRequest int
	// Ref is the pushed ref (refs/heads/main) for a push.
	Ref string
	// JobKey identifies the job (the webhook delivery) that asked: a job
	// that runs twice reuses its check run.
	JobKey string
	// Category names an uploaded SARIF category ("" for the app's own
	// scan): each category has its own check run, lock and baseline.
	Category string
	// DefaultBranch is the repository's default branch when known ("" is
	// taken to mean Ref is the default branch, as for the app's pushes).
	DefaultBranch string
	// PolicyRef, when set, is the commit whose policy applies to a branch
	// instead of the head (an upload: the default branch's head).
	PolicyRef string
}

// scope names what "one scan at a time" applies to: a pull request or a
// ref, per uploaded category.
func (t Target) scope() string {
	s := fmt.Sprintf("ref:%d:%s", t.RepoID, t.Ref)
	if t.PullRequest != 0 {
		s = fmt.Sprintf("pr:%d:%d", t.RepoID, t.PullRequest)
	}
	if t.Category != "" {
		s += "#upload:" + strings.ToLower(t.Category)
	}
	return s
}

// onDefaultBranch reports whether t is a branch evaluation of the default
// branch (whose results fix findings and count as coverage).
func (t Target) onDefaultBranch() bool {
	return t.PullRequest == 0 && (t.DefaultBranch == "" || t.Ref == "refs/heads/"+t.DefaultBranch)
}

// FullName is owner/repo.
func (t Target) FullName() string { return t.Owner + "/" + t.Repo }
