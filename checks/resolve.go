package checks

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"
)

// resolve completes t from GitHub before anything is locked or reported.
// A pull request's base comes from GitHub, not from the payload; the app's
// own scan of a pull request that is closed or whose head moved on is
// skipped (ok false: the newer head is scanned by its own event). An
// upload for a branch is judged by the policy at the head of the default
// branch: the uploaded commit never decides its own policy.
func (r *Runner) resolve(ctx context.Context, gh *github.Client, t Target) (_ Target, ok bool, _ error) {
	switch {
	case t.PullRequest != 0:
		pr, _, err := gh.PullRequests.Get(ctx, t.Owner, t.Repo, t.PullRequest)
		if err != nil {
			return t, false, fmt.Errorf("getting pull request #%d: %w", t.PullRequest, err)
		}
		if t.Category == "" && !current(ctx, pr, t) {
			return t, false, nil
		}
		t.BaseSHA, t.BaseRef = pr.GetBase().GetSHA(), pr.GetBase().GetRef()
	case t.Category != "":
		branch, sha, err := defaultBranchHead(ctx, gh, t.Owner, t.Repo)
		if err != nil {
			return t, false, err
		}
		t.DefaultBranch, t.PolicyRef = branch, sha
	}
	return t, true, nil
}

// current reports whether the event's head is still the open pull
// request's head.
func current(ctx context.Context, pr *github.PullRequest, t Target) bool {
	log := zerolog.Ctx(ctx)
	switch {
	case pr.GetState() != "open":
		log.Info().Msg("Pull request is closed; not scanning")
		return false
	case pr.GetHead().GetSHA() != t.HeadSHA:
		log.Info().Str("current_head", pr.GetHead().GetSHA()).Msg("Event is for an outdated head; not scanning")
		return false
	}
	return true
}

// defaultBranchHead returns the repository's default branch and the
// commit at its head.
func defaultBranchHead(ctx context.Context, gh *github.Client, owner, repo string) (branch, sha string, _ error) {
	rp, _, err := gh.Repositories.Get(ctx, owner, repo)
	if err != nil {
		return "", "", fmt.Errorf("reading %s/%s: %w", owner, repo, err)
	}
	branch = rp.GetDefaultBranch()
	ref, _, err := gh.Git.GetRef(ctx, owner, repo, "heads/"+branch)
	if err != nil {
		return "", "", fmt.Errorf("resolving the default branch %s of %s/%s: %w", branch, owner, repo, err)
	}
	return branch, ref.GetObject().GetSHA(), nil
}
