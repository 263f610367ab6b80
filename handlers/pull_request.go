package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/jobs"
)

// PullRequest scans the head of a pull request when it is opened, pushed to,
// reopened or marked ready for review.
type PullRequest struct{ *Base }

var _ githubapp.EventHandler = (*PullRequest)(nil)

// Handles implements githubapp.EventHandler.
func (h *PullRequest) Handles() []string { return []string{"pull_request"} }

// Handle implements githubapp.EventHandler.
func (h *PullRequest) Handle(ctx context.Context, _, deliveryID string, payload []byte) error {
	var ev github.PullRequestEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing pull_request payload: %w", err))
	}
	if !oneOf(ev.GetAction(), "opened", "synchronize", "reopened", "ready_for_review") {
		return nil
	}
	pr, repo := ev.GetPullRequest(), ev.GetRepo()
	installationID := githubapp.GetInstallationIDFromEvent(&ev)
	ctx, logger := githubapp.PreparePRContext(ctx, installationID, repo, pr.GetNumber())
	logger = logger.With().Str(LogKeyAction, ev.GetAction()).Str(LogKeySHA, pr.GetHead().GetSHA()).Logger()
	ctx = logger.WithContext(ctx)
	if h.isSelf(ctx, ev.GetSender()) {
		zerolog.Ctx(ctx).Debug().Msg("Ignoring the app's own event")
		return nil
	}
	return h.scan(ctx, checks.Target{
		InstallationID: installationID,
		Owner:          repo.GetOwner().GetLogin(),
		Repo:           repo.GetName(),
		RepoID:         repo.GetID(),
		HeadSHA:        pr.GetHead().GetSHA(),
		PullRequest:    pr.GetNumber(),
		JobKey:         deliveryID,
	})
}
