// Package cli implements the conviso command-line tool: each verb is a
// function from parsed options to an exit code, so cmd/conviso only parses
// flags.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/scanner"
	"github.com/conviso/conviso-github-app/internal/tarball"
)

// Exit codes of conviso scan.
const (
	ExitPass  = 0
	ExitBlock = 1
	ExitError = 2
)

// ScanOptions are conviso scan's inputs.
type ScanOptions struct {
	// Dir is the folder or git checkout to scan.
	Dir string
	// DiffBase, when set, is a git ref: only findings not present there are new.
	DiffBase string
	// Scanners run over the tree.
	Scanners []scanner.Scanner
	// SARIF, when set, receives the findings as SARIF 2.1.0.
	SARIF io.Writer
	// Out receives the human-readable report.
	Out io.Writer
}

// Scan runs the scanners and the default gate over a local folder and
// returns the exit code: 1 when the gate would block, 0 otherwise, 2 on error.
func Scan(ctx context.Context, o ScanOptions) (int, error) {
	all, runs, err := scanDir(ctx, o.Scanners, o.Dir)
	if err != nil {
		return ExitError, err
	}
	base := checks.NewBaseline(nil, nil)
	if o.DiffBase != "" {
		if base, err = gitBaseline(ctx, o.Scanners, o.Dir, o.DiffBase); err != nil {
			return ExitError, err
		}
	}
	classified := checks.ClassifyAgainst(all, base)
	p, _, _ := policy.Merge(nil, nil, nil)
	d := policy.Evaluate(policy.Effective(p, ""), policy.Input{Findings: classified, Scanners: statuses(runs), Now: time.Now()})
	writeTable(o.Out, classified, runs, d)
	if o.SARIF != nil {
		if err := writeSARIF(o.SARIF, runs, classified); err != nil {
			return ExitError, err
		}
	}
	if d.Outcome == policy.OutcomeBlock {
		return ExitBlock, nil
	}
	return ExitPass, nil
}

// statuses tells the policy how each scanner did.
func statuses(runs []checks.ScannerRun) []policy.ScannerStatus {
	out := make([]policy.ScannerStatus, len(runs))
	for i, r := range runs {
		out[i] = policy.ScannerStatus{Name: r.Name, Ran: r.Error == "", Error: r.Error, RulesRun: r.Rules, Truncated: r.Truncated}
	}
	return out
}

func scanDir(ctx context.Context, scanners []scanner.Scanner, dir string) ([]findings.Finding, []checks.ScannerRun, error) {
	var all []findings.Finding
	var runs []checks.ScannerRun
	for _, s := range scanners {
		res, err := s.Scan(ctx, dir)
		if err != nil {
			return nil, nil, fmt.Errorf("scanner %s failed: %w", s.Name(), err)
		}
		runs = append(runs, checks.ScannerRun{Name: s.Name(), Version: s.Version(), Files: res.FilesScanned, Rules: res.Rules, Skipped: res.Skipped})
		all = append(all, res.Findings...)
	}
	return all, runs, nil
}

// gitBaseline scans the tree at ref (git archive, never a checkout of the
// working copy) and returns it as the baseline, with git's renames.
func gitBaseline(ctx context.Context, scanners []scanner.Scanner, dir, ref string) (*checks.Baseline, error) {
	tmp, err := os.MkdirTemp("", "conviso-base-")
	if err != nil {
		return nil, fmt.Errorf("creating a folder for %s: %w", ref, err)
	}
	defer os.RemoveAll(tmp)
	archive := exec.CommandContext(ctx, "git", "-C", dir, "archive", "--format=tar.gz", "--prefix=base/", ref)
	out, err := archive.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("git archive %s: %w", ref, err)
	}
	var stderr strings.Builder
	archive.Stderr = &stderr
	if err := archive.Start(); err != nil {
		return nil, fmt.Errorf("git archive %s: %w", ref, err)
	}
	_, xerr := tarball.Extract(ctx, out, tmp, tarball.Limits{})
	if werr := archive.Wait(); werr != nil {
		return nil, fmt.Errorf("git archive %s: %v: %s", ref, werr, strings.TrimSpace(stderr.String()))
	}
	if xerr != nil {
		return nil, fmt.Errorf("extracting %s: %w", ref, xerr)
	}
	base, _, err := scanDir(ctx, scanners, tmp)
	if err != nil {
		return nil, fmt.Errorf("scanning %s: %w", ref, err)
	}
	renamed, err := gitRenames(ctx, dir, ref)
	if err != nil {
		return nil, err
	}
	return checks.NewBaseline(base, renamed), nil
}

// gitRenames maps the working tree's renamed paths to their paths at ref.
func gitRenames(ctx context.Context, dir, ref string) (map[string]string, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "diff", "--name-status", "-M", "-z", ref).Output()
	if err != nil {
		return nil, fmt.Errorf("git diff %s: %w", ref, err)
	}
	return parseRenames(string(out)), nil
}

// parseRenames reads `git diff --name-status -z`: "R<score>\0old\0new\0"
// for a rename or copy, "<status>\0path\0" otherwise.
func parseRenames(out string) map[string]string {
	renamed := map[string]string{}
	fields := strings.Split(out, "\x00")
	for i := 0; i+1 < len(fields); {
		status := fields[i]
		if (strings.HasPrefix(status, "R") || strings.HasPrefix(status, "C")) && i+2 < len(fields) {
			if status[0] == 'R' {
				renamed[filepath.ToSlash(fields[i+2])] = filepath.ToSlash(fields[i+1])
			}
			i += 3
			continue
		}
		i += 2
	}
	return renamed
}
