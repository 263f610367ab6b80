package app

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/lifecycle"
	"github.com/conviso/conviso-github-app/internal/onboard"
)

// observer records what each completed scan means: the gate's evaluation
// in the gate history (pull requests and pushes), then, for a branch,
// coverage (the inventory's last scan) and the findings' lifecycle on the
// default branch. Pull request scans change neither.
func observer(inv *onboard.Inventory, tracker *lifecycle.Tracker) func(context.Context, checks.Target, checks.Report, error) {
	history := &gatehistory.Store{KV: tracker.KV}
	return func(ctx context.Context, t checks.Target, rep checks.Report, scanErr error) {
		log := zerolog.Ctx(ctx)
		if _, err := history.Record(ctx, historyEntry(t, rep, scanErr)); err != nil {
			log.Warn().Err(err).Msg("Could not record the gate evaluation in the gate history")
		}
		if t.PullRequest != 0 {
			return
		}
		last := onboard.LastScan{At: time.Now().UTC(), Commit: t.HeadSHA, OK: scanErr == nil}
		if scanErr != nil {
			last.Error = scanErr.Error()
		}
		if err := inv.RecordScan(ctx, t.RepoID, last); err != nil {
			log.Warn().Err(err).Msg("Could not record the scan for coverage")
		}
		if scanErr != nil {
			return
		}
		var ran []string
		for _, s := range rep.Scanners {
			if s.Error == "" {
				ran = append(ran, s.Name)
			}
		}
		if _, err := tracker.Record(ctx, lifecycle.Scan{
			RepoID: t.FullName(), Commit: t.HeadSHA, Ref: t.Ref, IsDefaultBranch: true, ScanID: t.JobKey,
			At: time.Now().UTC(), Scanners: ran, Findings: rep.Findings,
		}); err != nil {
			log.Warn().Err(err).Msg("Could not record the findings' lifecycle")
		}
	}
}

// historyEntry is the gate history's record of one completed scan: the
// decision, or why there was none (the scan or the policy failed, and the
// check failed closed, or warned for a fail-open broken policy).
func historyEntry(t checks.Target, rep checks.Report, scanErr error) gatehistory.Entry {
	e := gatehistory.Entry{At: time.Now().UTC(), Repo: t.FullName(), Commit: t.HeadSHA, Ref: t.Ref,
		PullRequest: t.PullRequest, ScanID: t.JobKey}
	switch {
	case scanErr != nil:
		e.Status, e.Conclusion, e.Error = gatehistory.StatusFailed, "failure", scanErr.Error()
	case len(rep.Broken) > 0:
		e.Status, e.Conclusion, e.Error = gatehistory.StatusFailed, "failure", "the policy is invalid"
		if rep.FailOpen {
			e.Status, e.Conclusion = gatehistory.StatusWarning, "neutral"
		}
		e.Reasons, e.Policy = rep.Broken, rep.Source.String()
	default:
		e = gatehistory.FromDecision(e, rep.Decision, rep.Source)
		e = gatehistory.WithFindings(e, t.RepoID, rep.Findings)
	}
	return e
}
