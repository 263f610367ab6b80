package checks

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/sarif"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Uploaded is a SARIF log a CI pipeline uploaded, imported.
type Uploaded struct {
	// Category names the tool or job; each category gets its own check run
	// ("<check name> / <category>") and its own baseline.
	Category string
	Result   *sarif.Result
}

// RunUploaded reports uploaded results through the same pipeline as the
// app's own scans (lock, supersede, baseline, policy, exceptions, check
// run, recording), one check run per category on the uploaded commit. A
// pull request ref (refs/pull/N/...) is compared with the PR's base and
// judged by its policy; a branch by the default branch's policy.
func (r *Runner) RunUploaded(ctx context.Context, gh *github.Client, t Target, up Uploaded) error {
	t.Category = up.Category
	return r.run(ctx, gh, t, uploaded{r: r, up: up})
}

// uploaded is an uploaded category's evaluation: its results, stored for
// later comparisons, against those last uploaded for the base commit.
type uploaded struct {
	r  *Runner
	up Uploaded
}

func (u uploaded) findings(ctx context.Context, _ *github.Client, t Target, files []ChangedFile) (Report, error) {
	runs := uploadedRuns(u.up.Result)
	head := &CommitResults{Commit: uploadKey(t.HeadSHA, u.up.Category), Scanners: runs, Findings: u.up.Result.Findings, At: time.Now().UTC()}
	if err := saveResults(ctx, u.r.Store, t.RepoID, head); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not store uploaded results")
	}
	var base []findings.Finding
	if t.BaseSHA != "" {
		stored, err := loadResults(ctx, u.r.Store, t.RepoID, uploadKey(t.BaseSHA, u.up.Category))
		switch {
		case err == nil:
			base = stored.Findings
		case !errors.Is(err, store.ErrNotFound):
			return Report{Scanners: runs}, err
		}
	}
	return Report{Findings: ClassifyAgainst(u.up.Result.Findings, NewBaseline(base, renamedPaths(files))),
		Scanners: runs, PullRequest: t.PullRequest}, nil
}

// uploadedRuns describes the uploaded tools as scanner runs; truncated
// results count as a scanner failure for the policy.
func uploadedRuns(res *sarif.Result) []ScannerRun {
	runs := make([]ScannerRun, 0, len(res.Tools))
	for _, tool := range res.Tools {
		runs = append(runs, ScannerRun{Name: tool.Name, Version: tool.Version, Rules: max(tool.RulesCount, 1), Truncated: res.Truncated})
	}
	return runs
}

// uploadKey keeps uploaded results apart from the app's own, per category.
func uploadKey(sha, category string) string {
	return sha + "#upload:" + strings.ToLower(category)
}
