package app

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/lifecycle"
	"github.com/conviso/conviso-github-app/onboard"
)

// observer records what each completed scan of a branch means: coverage
// (the inventory's last scan) and the findings' lifecycle on the default
// branch. Pull request scans change neither.
func observer(inv *onboard.Inventory, tracker *lifecycle.Tracker) func(context.Context, checks.Target, checks.Report, error) {
	return func(ctx context.Context, t checks.Target, rep checks.Report, scanErr error) {
		if t.PullRequest != 0 {
			return
		}
		log := zerolog.Ctx(ctx)
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
