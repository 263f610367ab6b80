package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/scanner"
)

// maxDiffScopedFiles bounds the pull requests scanned file by file: each
// changed file costs one contents request, so larger diffs download the
// tarball instead.
const maxDiffScopedFiles = 100

// errNotDiffScoped says a pull request must be scanned whole.
var errNotDiffScoped = errors.New("not diff-scoped")

// scanHead returns the head's results: diff-scoped when it can be (only
// file-local scanners, a small diff, the base's complete results stored),
// else a full scan of the tree.
func (r *Runner) scanHead(ctx context.Context, gh *github.Client, t Target, files []ChangedFile) (*CommitResults, error) {
	res, err := r.diffScoped(ctx, gh, t, files)
	if err == nil {
		zerolog.Ctx(ctx).Debug().Int("files", len(files)).Msg("Diff-scoped scan")
		return res, nil
	}
	if !errors.Is(err, errNotDiffScoped) {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Diff-scoped scan failed; scanning the whole tree")
	}
	return r.scanCommit(ctx, gh, t, t.HeadSHA)
}

// diffScoped scans only the files a pull request changed and merges the
// findings with the base's stored results for every other file, so its cost
// follows the size of the diff, not of the repository.
func (r *Runner) diffScoped(ctx context.Context, gh *github.Client, t Target, files []ChangedFile) (*CommitResults, error) {
	if r.FullScansOnly || t.PullRequest == 0 || t.BaseSHA == "" || len(files) == 0 || len(files) > maxDiffScopedFiles || !allFileLocal(r.Scanners) {
		return nil, errNotDiffScoped
	}
	base, err := loadResults(ctx, r.Store, t.RepoID, t.BaseSHA)
	if err != nil || !base.covers(r.scannerNames()) {
		return nil, errNotDiffScoped
	}
	dir, err := os.MkdirTemp(r.WorkDir, "diff-")
	if err != nil {
		return nil, fmt.Errorf("creating work folder: %w", err)
	}
	defer os.RemoveAll(dir)
	touched, err := fetchChanged(ctx, gh, t, files, dir)
	if err != nil {
		return nil, err
	}
	found, runs, err := runScanners(ctx, r.Scanners, dir)
	if err != nil {
		return nil, err
	}
	for _, f := range base.Findings {
		if !touched[findings.NormalisePath(f.Path)] {
			found = append(found, f)
		}
	}
	res := &CommitResults{Commit: t.HeadSHA, Scanners: runs, Findings: found, At: time.Now().UTC()}
	if err := saveResults(ctx, r.Store, t.RepoID, res); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not store scan results")
	}
	return res, nil
}

// fetchChanged writes the head version of every changed file into dir and
// returns the paths whose base findings no longer hold (changed, removed,
// or renamed away).
func fetchChanged(ctx context.Context, gh *github.Client, t Target, files []ChangedFile, dir string) (map[string]bool, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening work folder: %w", err)
	}
	defer root.Close()
	touched := map[string]bool{}
	for _, f := range files {
		path := findings.NormalisePath(f.Path)
		touched[path] = true
		if f.PreviousPath != "" {
			touched[findings.NormalisePath(f.PreviousPath)] = true
		}
		if f.Status == "removed" {
			continue
		}
		content, err := fileAt(ctx, gh, t, path)
		if err != nil {
			return nil, err
		}
		if err := writeInRoot(root, path, content); err != nil {
			return nil, err
		}
	}
	return touched, nil
}

// fileAt reads one file of the head through the contents API; a file the
// API does not return inline (over 1 MB, or not a file) sends the scan back
// to the tarball.
func fileAt(ctx context.Context, gh *github.Client, t Target, path string) ([]byte, error) {
	fc, _, _, err := gh.Repositories.GetContents(ctx, t.Owner, t.Repo, path, &github.RepositoryContentGetOptions{Ref: t.HeadSHA})
	if err != nil {
		return nil, fmt.Errorf("reading %s at the head: %w", path, err)
	}
	if fc == nil || fc.GetType() != "file" || fc.GetEncoding() != "base64" {
		return nil, errNotDiffScoped
	}
	content, err := fc.GetContent()
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	return []byte(content), nil
}

// writeInRoot writes a repository-relative file under root; os.Root makes
// escaping the folder impossible whatever the path says.
func writeInRoot(root *os.Root, path string, content []byte) error {
	if dir := filepath.Dir(filepath.FromSlash(path)); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	if err := root.WriteFile(filepath.FromSlash(path), content, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func allFileLocal(scanners []scanner.Scanner) bool {
	for _, s := range scanners {
		fl, ok := s.(scanner.FileLocal)
		if !ok || !fl.FileLocal() {
			return false
		}
	}
	return len(scanners) > 0
}
