package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/conviso/conviso-github-app/internal/jobs"
)

// CheckSuite rescans when a user presses "Re-run all checks" on the app's suite.
type CheckSuite struct{ *Base }

var _ githubapp.EventHandler = (*CheckSuite)(nil)

// Handles implements githubapp.EventHandler.
func (h *CheckSuite) Handles() []string { return []string{"check_suite"} }

// Handle implements githubapp.EventHandler.
func (h *CheckSuite) Handle(ctx context.Context, _, deliveryID string, payload []byte) error {
	var ev github.CheckSuiteEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing check_suite payload: %w", err))
	}
	suite := ev.GetCheckSuite()
	if ev.GetAction() != "rerequested" || suite.GetApp().GetID() != h.AppID {
		return nil
	}
	return h.rescan(ctx, deliveryID, ev.GetInstallation(), ev.GetRepo(), suite.GetHeadSHA(),
		suite.GetHeadBranch(), suite.PullRequests)
}
