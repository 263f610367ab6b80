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

// CheckRun rescans when a user presses "Re-run" on one of the app's check runs.
type CheckRun struct{ *Base }

var _ githubapp.EventHandler = (*CheckRun)(nil)

// Handles implements githubapp.EventHandler.
func (h *CheckRun) Handles() []string { return []string{"check_run"} }

// Handle implements githubapp.EventHandler.
func (h *CheckRun) Handle(ctx context.Context, _, deliveryID string, payload []byte) error {
	var ev github.CheckRunEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing check_run payload: %w", err))
	}
	run := ev.GetCheckRun()
	if run.GetApp().GetID() != h.AppID {
		return nil
	}
	switch {
	case ev.GetAction() == "rerequested":
	case ev.GetAction() == "requested_action" && ev.GetRequestedAction().Identifier == checks.RescanIdentifier:
		if ok, err := h.mayRescan(ctx, ev); err != nil || !ok {
			return err
		}
	default:
		return nil
	}
	return h.rescan(ctx, deliveryID, ev.GetInstallation(), ev.GetRepo(), run.GetHeadSHA(),
		run.GetCheckSuite().GetHeadBranch(), run.PullRequests)
}

// mayRescan applies the retest rule to the "Re-run scan" button: only users
// with write, maintain or admin permission.
func (h *CheckRun) mayRescan(ctx context.Context, ev github.CheckRunEvent) (bool, error) {
	gh, err := h.NewInstallationClient(ev.GetInstallation().GetID())
	if err != nil {
		return false, err
	}
	repo, user := ev.GetRepo(), ev.GetSender().GetLogin()
	ok, err := canWrite(ctx, gh, repo.GetOwner().GetLogin(), repo.GetName(), user)
	if err == nil && !ok {
		zerolog.Ctx(ctx).Warn().Str("user", user).Msg("Re-run scan refused: the user lacks write permission")
	}
	return ok, err
}
