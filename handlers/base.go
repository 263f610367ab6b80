// Package handlers has one handler type per GitHub webhook event. Each one
// unmarshals its payload into the go-github type, filters on the action
// early, ignores the app's own events, prepares the logging context and hands
// the work to the scan pipeline.
package handlers

import (
	"context"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/onboard"
)

// Log keys added by this package (go-githubapp adds installation, owner,
// repository, PR number, event type and delivery id).
const (
	LogKeySHA    = "github_sha"
	LogKeyAction = "github_action"
	LogKeyRef    = "github_ref"
)

// ScanRunner runs a scan and reports it (checks.Runner in production).
type ScanRunner interface {
	Run(ctx context.Context, gh *github.Client, t checks.Target) error
}

// Base is what every handler shares.
type Base struct {
	githubapp.ClientCreator
	Scans     ScanRunner
	Inventory *onboard.Inventory
	// NewRepos, when set, is told that repositories were just covered (the
	// onboarding planner wakes to schedule their baseline scans).
	NewRepos func()
	// AppID is this app's id: check runs and suites of other apps are not ours.
	AppID int64
	// AppSlug is this app's slug: events whose sender is "<slug>[bot]" are
	// the app's own and are ignored.
	AppSlug func(ctx context.Context) string
}

// isSelf reports whether the sender is this app's bot user.
func (b *Base) isSelf(ctx context.Context, sender *github.User) bool {
	if sender == nil || b.AppSlug == nil {
		return false
	}
	slug := b.AppSlug(ctx)
	return slug != "" && strings.EqualFold(sender.GetLogin(), slug+"[bot]")
}

// scan creates the installation client and runs the scan.
func (b *Base) scan(ctx context.Context, t checks.Target) error {
	gh, err := b.NewInstallationClient(t.InstallationID)
	if err != nil {
		return err
	}
	return b.Scans.Run(ctx, gh, t)
}

// oneOf reports whether action is one of the allowed ones.
func oneOf(action string, allowed ...string) bool {
	for _, a := range allowed {
		if action == a {
			return true
		}
	}
	return false
}

// reposAdded tells the onboarding planner about newly covered repositories.
func (b *Base) reposAdded(diff onboard.Diff) {
	if len(diff.Added) > 0 && b.NewRepos != nil {
		b.NewRepos()
	}
}
