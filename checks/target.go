// Package checks is the scan pipeline: it downloads a repository at one
// commit, runs the scanners, decides the gate and reports the result as a
// GitHub Check Run with inline annotations.
package checks

import "fmt"

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
}

// scope names what "one scan at a time" applies to: a pull request or a ref.
func (t Target) scope() string {
	if t.PullRequest != 0 {
		return fmt.Sprintf("pr:%d:%d", t.RepoID, t.PullRequest)
	}
	return fmt.Sprintf("ref:%d:%s", t.RepoID, t.Ref)
}

// FullName is owner/repo.
func (t Target) FullName() string { return t.Owner + "/" + t.Repo }
