package handlers

import (
	"context"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/conviso/conviso-github-app/checks"
)

// rescan scans head again for a "Re-run" button: as a PR scan when GitHub
// names a pull request, else as a scan of the branch.
func (b *Base) rescan(ctx context.Context, deliveryID string, inst *github.Installation, repo *github.Repository,
	head, branch string, prs []*github.PullRequest) error {
	t := checks.Target{
		InstallationID: inst.GetID(),
		Owner:          repo.GetOwner().GetLogin(),
		Repo:           repo.GetName(),
		RepoID:         repo.GetID(),
		HeadSHA:        head,
		Ref:            "refs/heads/" + branch,
		JobKey:         deliveryID,
	}
	if len(prs) > 0 {
		t.PullRequest = prs[0].GetNumber()
		t.Ref = ""
	}
	ctx, logger := githubapp.PreparePRContext(ctx, t.InstallationID, repo, t.PullRequest)
	ctx = logger.With().Str(LogKeySHA, head).Logger().WithContext(ctx)
	return b.scan(ctx, t)
}
