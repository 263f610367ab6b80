// Package recording keeps what each completed gate evaluation means, for
// built-in scans and uploaded SARIF categories alike: the evaluation in
// the gate history (pull requests and branches), and, for the default
// branch, the repository's coverage (its last scan) and the findings'
// lifecycle. Pull request evaluations change neither coverage nor the
// lifecycle.
package recording

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/lifecycle"
	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// Evaluation is one completed gate evaluation (not superseded, not
// interrupted), as the scan pipeline reports it.
type Evaluation struct {
	// Repo is "owner/name"; RepoID its GitHub id.
	Repo   string
	RepoID int64
	// Commit is the evaluated commit; Ref the branch ref ("" for a pull
	// request); PullRequest the pull request number (0 for a branch).
	Commit      string
	Ref         string
	PullRequest int
	// DefaultBranch is true when Ref is the repository's default branch:
	// only such evaluations record coverage and fix findings.
	DefaultBranch bool
	// Category names an uploaded SARIF category ("" for the app's scan).
	Category string
	// ScanID identifies the evaluation (the job's key); it is applied to
	// the lifecycle once.
	ScanID string
	// At is when the evaluation completed.
	At time.Time
	// Err is why the scan failed ("" when it did not).
	Err string
	// Broken lists the problems of a policy that does not parse or
	// validate; FailOpen says the check ended neutral for it.
	Broken   []string
	FailOpen bool
	// Decision and Source are the gate's decision and its policy file.
	Decision policy.Decision
	Source   policy.Source
	// Findings are every finding, classified new or not.
	Findings []findings.Finding
	// Scanners are the scanners (or uploaded tools) that ran successfully:
	// only they can fix findings.
	Scanners []string
}

// Recorder writes evaluations to the gate history, the inventory's
// coverage and the findings' lifecycle. Its failures are logged: the
// check run already says what happened.
type Recorder struct {
	History   *gatehistory.Store
	Inventory *onboard.Inventory
	Lifecycle *lifecycle.Tracker
}

// Record keeps e.
func (r *Recorder) Record(ctx context.Context, e Evaluation) {
	log := zerolog.Ctx(ctx)
	if _, err := r.History.Record(ctx, HistoryEntry(e)); err != nil {
		log.Warn().Err(err).Msg("Could not record the gate evaluation in the gate history")
	}
	if e.PullRequest != 0 || !e.DefaultBranch {
		return
	}
	last := onboard.LastScan{At: e.At, Commit: e.Commit, OK: e.Err == "", Error: e.Err}
	if err := r.Inventory.RecordScan(ctx, e.RepoID, last); err != nil {
		log.Warn().Err(err).Msg("Could not record the scan for coverage")
	}
	if e.Err != "" {
		return
	}
	if _, err := r.Lifecycle.Record(ctx, lifecycle.Scan{
		RepoID: e.Repo, Commit: e.Commit, Ref: e.Ref, IsDefaultBranch: true, ScanID: e.ScanID,
		At: e.At, Scanners: e.Scanners, Findings: e.Findings,
	}); err != nil {
		log.Warn().Err(err).Msg("Could not record the findings' lifecycle")
	}
}

// HistoryEntry is the gate history's record of one evaluation: the
// decision, or why there was none (the scan or the policy failed, and the
// check failed closed, or warned for a fail-open broken policy).
func HistoryEntry(e Evaluation) gatehistory.Entry {
	h := gatehistory.Entry{At: e.At, Repo: e.Repo, Commit: e.Commit, Ref: e.Ref,
		PullRequest: e.PullRequest, ScanID: e.ScanID, Category: e.Category}
	switch {
	case e.Err != "":
		h.Status, h.Conclusion, h.Error = gatehistory.StatusFailed, "failure", e.Err
	case len(e.Broken) > 0:
		h.Status, h.Conclusion, h.Error = gatehistory.StatusFailed, "failure", "the policy is invalid"
		if e.FailOpen {
			h.Status, h.Conclusion = gatehistory.StatusWarning, "neutral"
		}
		h.Reasons, h.Policy = e.Broken, e.Source.String()
	default:
		h = gatehistory.FromDecision(h, e.Decision, e.Source)
		h = gatehistory.WithFindings(h, e.RepoID, e.Findings)
	}
	return h
}
