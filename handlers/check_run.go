package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/conviso/conviso-github-app/jobs"
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
	if ev.GetAction() != "rerequested" || run.GetApp().GetID() != h.AppID {
		return nil
	}
	return h.rescan(ctx, deliveryID, ev.GetInstallation(), ev.GetRepo(), run.GetHeadSHA(),
		run.GetCheckSuite().GetHeadBranch(), run.PullRequests)
}
