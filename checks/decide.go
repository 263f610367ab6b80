package checks

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/policy"
)

// decide loads the policy and evaluates the report's findings.
func (r *Runner) decide(ctx context.Context, gh *github.Client, t Target, rep Report, files []ChangedFile) (Report, error) {
	loaded, err := r.policies().Load(ctx, gh, t)
	if err != nil {
		return rep, fmt.Errorf("loading the policy: %w", err)
	}
	rep.Broken, rep.FailOpen, rep.Source = loaded.Errors, loaded.FailOpen, loaded.Source
	if len(loaded.Errors) > 0 {
		return rep, nil
	}
	in := policy.Input{Findings: rep.Findings, Scanners: statuses(rep.Scanners), Now: time.Now()}
	if err := r.addOpenFindings(ctx, t, loaded.Gate, &in); err != nil {
		return rep, err
	}
	if r.Exceptions != nil {
		if in.Exceptions, err = r.Exceptions.ForScan(ctx, t.RepoID, t.PullRequest); err != nil {
			return rep, fmt.Errorf("loading exceptions: %w", err)
		}
	}
	rep.Gate = loaded.Gate
	rep.Decision = policy.Evaluate(loaded.Gate, in)
	rep.Annotate = annotateFilter(loaded.Gate.Annotate, files, t.PullRequest != 0)
	return rep, nil
}
