package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/store"
)

// evaluate produces src's findings for t and decides the gate, within
// the scan timeout.
func (r *Runner) evaluate(ctx context.Context, gh *github.Client, t Target, src source) (Report, error) {
	timeout := r.ScanTimeout
	if timeout <= 0 {
		timeout = DefaultScanTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errScanTimeout)
	defer cancel()
	var files []ChangedFile
	var err error
	if t.PullRequest != 0 {
		if files, err = prFiles(ctx, gh, t); err != nil {
			return Report{}, withCause(ctx, err)
		}
	}
	rep, err := src.findings(ctx, gh, t, files)
	if err != nil {
		return rep, withCause(ctx, err)
	}
	rep, err = r.decide(ctx, gh, t, rep, files)
	return rep, withCause(ctx, err)
}

// builtin is the app's own scan: the scanners over the head, compared with
// the base's stored results or a scan of the base.
type builtin struct{ r *Runner }

func (b builtin) findings(ctx context.Context, gh *github.Client, t Target, files []ChangedFile) (Report, error) {
	head, err := b.r.scanHead(ctx, gh, t, files)
	if err != nil {
		return Report{Scanners: head.Scanners}, err
	}
	base, err := b.r.baseline(ctx, gh, t, b.r.scannerNames(), renamedPaths(files))
	if err != nil {
		return Report{Scanners: head.Scanners}, err
	}
	return Report{Findings: ClassifyAgainst(head.Findings, base), Scanners: head.Scanners, PullRequest: t.PullRequest}, nil
}

// policies is the runner's policy source (the built-in default when none).
func (r *Runner) policies() PolicySource {
	if r.Policies == nil {
		return defaultPolicy{}
	}
	return r.Policies
}

// defaultPolicy is the server default with no repository or org file.
type defaultPolicy struct{}

func (defaultPolicy) Load(_ context.Context, _ *github.Client, t Target) (Loaded, error) {
	p, _, _ := policy.Merge(nil, nil, nil)
	return Loaded{Gate: policy.Effective(p, t.branch()), Source: p.Source()}, nil
}

// scanCommit downloads sha, runs every scanner over it and stores the
// results for later comparisons.
func (r *Runner) scanCommit(ctx context.Context, gh *github.Client, t Target, sha string) (*CommitResults, error) {
	res := &CommitResults{Commit: sha, At: time.Now().UTC()}
	dir, err := os.MkdirTemp(r.WorkDir, "scan-")
	if err != nil {
		return res, fmt.Errorf("creating work folder: %w", err)
	}
	defer os.RemoveAll(dir)
	if _, err := fetchTree(ctx, gh, r.HTTPClient, t, sha, dir, r.Limits); err != nil {
		return res, err
	}
	res.Findings, res.Scanners, err = runScanners(ctx, r.Scanners, dir)
	if err != nil {
		return res, err
	}
	if err := saveResults(ctx, r.Store, t.RepoID, res); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not store scan results; the next comparison rescans this commit")
	}
	return res, nil
}

// baseline returns what the base had: its stored results when they cover
// every scanner, else a scan of the base. Without a base (a first push)
// the baseline is empty and every finding is new.
func (r *Runner) baseline(ctx context.Context, gh *github.Client, t Target, names []string, renamed map[string]string) (*Baseline, error) {
	if t.BaseSHA == "" {
		return NewBaseline(nil, nil), nil
	}
	stored, err := loadResults(ctx, r.Store, t.RepoID, t.BaseSHA)
	switch {
	case err == nil && stored.covers(names):
		return NewBaseline(stored.Findings, renamed), nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Stored base results unreadable; scanning the base")
	}
	if t.PullRequest == 0 {
		// A push whose previous commit was never scanned: report everything.
		return NewBaseline(nil, nil), nil
	}
	base, err := r.scanCommit(ctx, gh, t, t.BaseSHA)
	if err != nil {
		return nil, fmt.Errorf("scanning the base %s: %w", shortSHA(t.BaseSHA), err)
	}
	return NewBaseline(base.Findings, renamed), nil
}

func (r *Runner) scannerNames() []string {
	names := make([]string, len(r.Scanners))
	for i, s := range r.Scanners {
		names[i] = s.Name()
	}
	return names
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
