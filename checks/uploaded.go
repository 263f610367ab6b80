package checks

import (
	"context"
	"errors"
	"fmt"
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

// RunUploaded reports uploaded results through the same baseline, policy
// and check run path as the app's own scans: one check run per category on
// the uploaded commit. A pull request ref (refs/pull/N/...) is compared with
// the PR's base; a branch with the results last uploaded for its base
// commit when there are any.
func (r *Runner) RunUploaded(ctx context.Context, gh *github.Client, t Target, up Uploaded) error {
	pub := *r.Publisher
	pub.Name = r.Publisher.Name + " / " + up.Category
	rec, err := pub.Start(ctx, gh, t)
	if err != nil {
		return err
	}
	rep, err := r.uploadedReport(ctx, gh, t, up)
	out := Render(rep)
	if err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Uploaded results could not be evaluated; failing closed")
		out = RenderFailure(err.Error())
	}
	return pub.Complete(context.WithoutCancel(ctx), gh, rec, out)
}

func (r *Runner) uploadedReport(ctx context.Context, gh *github.Client, t Target, up Uploaded) (Report, error) {
	runs := uploadedRuns(up.Result)
	head := &CommitResults{Commit: uploadKey(t.HeadSHA, up.Category), Scanners: runs, Findings: up.Result.Findings, At: time.Now().UTC()}
	if err := saveResults(ctx, r.Store, t.RepoID, head); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not store uploaded results")
	}
	var files []ChangedFile
	if t.PullRequest != 0 {
		pr, _, err := gh.PullRequests.Get(ctx, t.Owner, t.Repo, t.PullRequest)
		if err != nil {
			return Report{}, fmt.Errorf("getting pull request #%d: %w", t.PullRequest, err)
		}
		t.BaseSHA, t.BaseRef = pr.GetBase().GetSHA(), pr.GetBase().GetRef()
		if files, err = prFiles(ctx, gh, t); err != nil {
			return Report{}, err
		}
	}
	var base []findings.Finding
	if t.BaseSHA != "" {
		stored, err := loadResults(ctx, r.Store, t.RepoID, uploadKey(t.BaseSHA, up.Category))
		switch {
		case err == nil:
			base = stored.Findings
		case !errors.Is(err, store.ErrNotFound):
			return Report{}, err
		}
	}
	rep := Report{Findings: ClassifyAgainst(up.Result.Findings, NewBaseline(base, renamedPaths(files))),
		Scanners: runs, PullRequest: t.PullRequest}
	return r.decide(ctx, gh, t, rep, files)
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
