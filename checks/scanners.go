package checks

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/findings"
	"github.com/conviso/conviso-github-app/scanner"
)

// runScanners runs every scanner over dir. A scanner that fails fails the
// scan: a scanner error is never a silent pass.
func runScanners(ctx context.Context, scanners []scanner.Scanner, dir string) ([]findings.Finding, []ScannerRun, error) {
	var all []findings.Finding
	runs := make([]ScannerRun, 0, len(scanners))
	for _, s := range scanners {
		res, err := s.Scan(ctx, dir)
		run := ScannerRun{Name: s.Name(), Version: s.Version(), Files: res.FilesScanned, Rules: res.Rules, Skipped: res.Skipped}
		if err != nil {
			run.Error = err.Error()
			runs = append(runs, run)
			return nil, runs, fmt.Errorf("scanner %s failed: %w", s.Name(), err)
		}
		runs = append(runs, run)
		all = append(all, res.Findings...)
	}
	return all, runs, nil
}

// perPage is the largest page GitHub serves
// (https://docs.github.com/rest/pulls/pulls#list-pull-requests-files).
const perPage = 100

// renames lists the PR's files (all pages) and returns the renamed ones,
// head path → base path.
func renames(ctx context.Context, gh *github.Client, t Target) (map[string]string, error) {
	renamed := map[string]string{}
	opts := &github.ListOptions{PerPage: perPage}
	for {
		page, resp, err := gh.PullRequests.ListFiles(ctx, t.Owner, t.Repo, t.PullRequest, opts)
		if err != nil {
			return nil, fmt.Errorf("listing files of pull request #%d: %w", t.PullRequest, err)
		}
		for _, f := range page {
			if f.GetPreviousFilename() != "" {
				renamed[findings.NormalisePath(f.GetFilename())] = findings.NormalisePath(f.GetPreviousFilename())
			}
		}
		if resp.NextPage == 0 {
			return renamed, nil
		}
		opts.Page = resp.NextPage
	}
}
