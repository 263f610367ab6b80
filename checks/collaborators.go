package checks

import (
	"context"

	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/recording"
)

// The pipeline's collaborators, each the little the pipeline needs of a
// domain package. None is required: without one, its part is skipped.

// AgingSource returns a repository's open findings with their first-seen
// dates, for the gate's aging conditions (lifecycle.Tracker in
// production; repo is "owner/name").
type AgingSource interface {
	OpenFindings(ctx context.Context, repo string) ([]policy.OpenFinding, error)
}

// ExceptionSource returns the exceptions recorded for a repository; the
// policy decides which apply. pullRequest is the evaluated pull request (0
// for a branch), which the source may note on the exceptions it returns
// (exceptions.Store in production).
type ExceptionSource interface {
	ForScan(ctx context.Context, repoID int64, pullRequest int) ([]policy.Exception, error)
}

// Recorder hears of every evaluation that completed its check run (not
// superseded, not interrupted), built-in or uploaded (recording.Recorder
// in production: gate history, coverage, lifecycle).
type Recorder interface {
	Record(ctx context.Context, e recording.Evaluation)
}
