package checks

import (
	"time"

	"github.com/conviso/conviso-github-app/internal/recording"
)

// evaluation is what the Recorder keeps of a completed evaluation.
func evaluation(t Target, rep Report, scanErr error) recording.Evaluation {
	e := recording.Evaluation{
		Repo: t.FullName(), RepoID: t.RepoID, Commit: t.HeadSHA, Ref: t.Ref, PullRequest: t.PullRequest,
		DefaultBranch: t.onDefaultBranch(), Category: t.Category, ScanID: t.JobKey, At: time.Now().UTC(),
		Broken: rep.Broken, FailOpen: rep.FailOpen, Decision: rep.Decision, Source: rep.Source,
		Findings: rep.Findings,
	}
	if scanErr != nil {
		e.Err = scanErr.Error()
	}
	for _, s := range rep.Scanners {
		if s.Error == "" {
			e.Scanners = append(e.Scanners, s.Name)
		}
	}
	return e
}
