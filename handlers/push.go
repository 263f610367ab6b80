package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/jobs"
)

// Push scans the default branch when it is pushed to. Deletions, tags and
// other branches are ignored (pull requests cover feature branches).
type Push struct{ *Base }

var _ githubapp.EventHandler = (*Push)(nil)

// Handles implements githubapp.EventHandler.
func (h *Push) Handles() []string { return []string{"push"} }

// Handle implements githubapp.EventHandler.
func (h *Push) Handle(ctx context.Context, _, deliveryID string, payload []byte) error {
	var ev github.PushEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing push payload: %w", err))
	}
	repo := ev.GetRepo()
	if ev.GetDeleted() || realSHA(ev.GetAfter()) == "" ||
		ev.GetRef() != "refs/heads/"+repo.GetDefaultBranch() {
		return nil
	}
	installationID := ev.GetInstallation().GetID()
	logger := zerolog.Ctx(ctx).With().
		Int64(githubapp.LogKeyInstallationID, installationID).
		Str(githubapp.LogKeyRepositoryOwner, repo.GetOwner().GetLogin()).
		Str(githubapp.LogKeyRepositoryName, repo.GetName()).
		Str(LogKeyRef, ev.GetRef()).Str(LogKeySHA, ev.GetAfter()).Logger()
	ctx = logger.WithContext(ctx)
	if err := h.Inventory.RecordPush(ctx, repo.GetID(), ev.GetAfter(), time.Now()); err != nil {
		return fmt.Errorf("recording the push: %w", err)
	}
	if h.isSelf(ctx, ev.GetSender()) {
		logger.Debug().Msg("Ignoring the app's own push")
		return nil
	}
	return h.scan(ctx, checks.Target{
		InstallationID: installationID,
		Owner:          repo.GetOwner().GetLogin(),
		Repo:           repo.GetName(),
		RepoID:         repo.GetID(),
		HeadSHA:        ev.GetAfter(),
		BaseSHA:        realSHA(ev.GetBefore()),
		Ref:            ev.GetRef(),
		JobKey:         deliveryID,
	})
}

// realSHA returns sha, or "" for GitHub's all-zero SHA (a created or
// deleted branch has no before or after commit).
func realSHA(sha string) string {
	if strings.Trim(sha, "0") == "" {
		return ""
	}
	return sha
}
