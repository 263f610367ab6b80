package checks

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/scanner"
)

// runScanners runs every scanner over dir. A scanner that fails is
// recorded with its error and the others still run: the policy decides what
// a failure means (never a silent pass). Only a cancelled or timed-out
// context fails the whole run.
func runScanners(ctx context.Context, scanners []scanner.Scanner, dir string) ([]findings.Finding, []ScannerRun, error) {
	var all []findings.Finding
	runs := make([]ScannerRun, 0, len(scanners))
	for _, s := range scanners {
		res, err := s.Scan(ctx, dir)
		run := ScannerRun{Name: s.Name(), Version: s.Version(), Files: res.FilesScanned, Rules: res.Rules, Skipped: res.Skipped}
		if err != nil {
			if ctx.Err() != nil {
				return nil, runs, fmt.Errorf("scanner %s: %w", s.Name(), ctx.Err())
			}
			run.Error = err.Error()
		} else {
			all = append(all, res.Findings...)
		}
		runs = append(runs, run)
	}
	return all, runs, nil
}

// statuses tells the policy how each scanner did.
func statuses(runs []ScannerRun) []policy.ScannerStatus {
	out := make([]policy.ScannerStatus, len(runs))
	for i, r := range runs {
		out[i] = policy.ScannerStatus{Name: r.Name, Ran: r.Error == "", Error: r.Error, RulesRun: r.Rules, Truncated: r.Truncated}
	}
	return out
}

// perPage is the largest page GitHub serves
// (https://docs.github.com/rest/pulls/pulls#list-pull-requests-files).
const perPage = 100

// prFiles lists the PR's files (all pages).
func prFiles(ctx context.Context, gh *github.Client, t Target) ([]ChangedFile, error) {
	var files []ChangedFile
	opts := &github.ListOptions{PerPage: perPage}
	for {
		page, resp, err := gh.PullRequests.ListFiles(ctx, t.Owner, t.Repo, t.PullRequest, opts)
		if err != nil {
			return nil, fmt.Errorf("listing files of pull request #%d: %w", t.PullRequest, err)
		}
		for _, f := range page {
			files = append(files, ChangedFile{Path: f.GetFilename(), Status: f.GetStatus(), Patch: f.GetPatch(),
				PreviousPath: f.GetPreviousFilename()})
		}
		if resp.NextPage == 0 {
			return files, nil
		}
		opts.Page = resp.NextPage
	}
}

// renamedPaths maps each renamed file's head path to its base path.
func renamedPaths(files []ChangedFile) map[string]string {
	renamed := map[string]string{}
	for _, f := range files {
		if f.PreviousPath != "" {
			renamed[findings.NormalisePath(f.Path)] = findings.NormalisePath(f.PreviousPath)
		}
	}
	return renamed
}
