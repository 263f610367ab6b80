package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/store"
)

// OnboardingPR opens, once per repository, a pull request adding a starter
// policy to a repository that has none (CONVISO_ONBOARDING_PR=on). It needs
// the contents: write and pull_requests: write permissions.
type OnboardingPR struct {
	// KV remembers which repositories were onboarded.
	KV store.KV
	// PolicyPath is the policy file's path (.github/conviso.yml).
	PolicyPath string
}

// Offer opens the onboarding pull request of owner/name unless the
// repository has a policy on branch (at sha), was onboarded before, or has
// an onboarding pull request on GitHub (open, merged, or closed unmerged:
// the maintainers' no is respected).
func (o *OnboardingPR) Offer(ctx context.Context, gh *github.Client, repoID int64, owner, name, branch, sha string) error {
	skip := func(reason string) {
		zerolog.Ctx(ctx).Info().Str("reason", reason).Msg("Onboarding pull request not opened")
	}
	if rec, found, err := onboard.OnboardingPRFor(ctx, o.KV, repoID); err != nil || found {
		if found {
			skip(fmt.Sprintf("onboarded before (#%d)", rec.Number))
		}
		return err
	}
	has, err := fileExists(ctx, gh, owner, name, o.PolicyPath, sha)
	if err != nil || has {
		if has {
			skip("policy exists")
		}
		return err
	}
	prs, _, err := gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{
		State: "all", Head: owner + ":" + onboard.OnboardingBranch, ListOptions: github.ListOptions{PerPage: 10},
	})
	if err != nil {
		return fmt.Errorf("listing onboarding pull requests: %w", err)
	}
	if len(prs) > 0 {
		pr := prs[0]
		skip(fmt.Sprintf("onboarding pull request #%d exists (%s)", pr.GetNumber(), prState(pr)))
		return onboard.RecordOnboardingPR(ctx, o.KV, repoID, onboard.OnboardingPR{Number: pr.GetNumber(), State: prState(pr)})
	}
	if _, _, err := gh.Git.CreateRef(ctx, owner, name, &github.Reference{
		Ref: github.String("refs/heads/" + onboard.OnboardingBranch), Object: &github.GitObject{SHA: github.String(sha)},
	}); err != nil && !isStatus(err, http.StatusUnprocessableEntity) {
		return fmt.Errorf("creating branch %s: %w", onboard.OnboardingBranch, err)
	}
	// The branch may be left over from an attempt that stopped midway.
	has, err = fileExists(ctx, gh, owner, name, o.PolicyPath, "refs/heads/"+onboard.OnboardingBranch)
	if err != nil {
		return err
	}
	if !has {
		if _, _, err := gh.Repositories.CreateFile(ctx, owner, name, o.PolicyPath, &github.RepositoryContentFileOptions{
			Message: github.String("Add the Conviso security gate policy"),
			Content: []byte(onboard.StarterPolicy), Branch: github.String(onboard.OnboardingBranch),
		}); err != nil {
			return fmt.Errorf("writing %s: %w", o.PolicyPath, err)
		}
	}
	pr, _, err := gh.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{
		Title: github.String(onboard.OnboardingPRTitle), Body: github.String(onboard.OnboardingPRBody),
		Head: github.String(onboard.OnboardingBranch), Base: github.String(branch),
	})
	if err != nil {
		return fmt.Errorf("opening the onboarding pull request: %w", err)
	}
	zerolog.Ctx(ctx).Info().Int("pr", pr.GetNumber()).Msg("Opened the onboarding pull request")
	return onboard.RecordOnboardingPR(ctx, o.KV, repoID, onboard.OnboardingPR{Number: pr.GetNumber(), State: "open"})
}

func prState(pr *github.PullRequest) string {
	if pr.GetMerged() || pr.MergedAt != nil {
		return "merged"
	}
	return pr.GetState()
}

// fileExists reports whether path exists at ref.
func fileExists(ctx context.Context, gh *github.Client, owner, name, path, ref string) (bool, error) {
	_, _, _, err := gh.Repositories.GetContents(ctx, owner, name, path, &github.RepositoryContentGetOptions{Ref: ref})
	switch {
	case err == nil:
		return true, nil
	case isStatus(err, http.StatusNotFound):
		return false, nil
	}
	return false, fmt.Errorf("reading %s at %s: %w", path, ref, err)
}

func isStatus(err error, status int) bool {
	var e *github.ErrorResponse
	return errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == status
}
