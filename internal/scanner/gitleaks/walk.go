package gitleaks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"sync"

	"github.com/mholt/archives"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/conviso/conviso-github-app/internal/scanner"
)

// Reasons recorded in Result.Skipped, after the path and ": ".
const (
	reasonSymlink = "symbolic link, not followed"
	reasonSpecial = "not a regular file"
	reasonArchive = "archive, not opened"
	reasonTooBig  = "larger than %d bytes"
)

// run is one Scan of one tree.
type run struct {
	ctx  context.Context
	s    *Scanner
	root *os.Root

	mu      sync.Mutex
	found   []pending
	skipped []string
	files   int
}

// newRun opens root for a scan.
func newRun(ctx context.Context, s *Scanner, root string) (*run, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("gitleaks: opening %s: %w", root, err)
	}
	return &run{ctx: ctx, s: s, root: r}, nil
}

// close releases the tree.
func (r *run) close() { r.root.Close() }

// walk walks the tree and scans its files with Options.Concurrency
// workers. It returns ctx's error if ctx ends first.
func (r *run) walk() error {
	paths := make(chan string)
	var wg sync.WaitGroup
	for range r.s.opts.Concurrency {
		wg.Go(func() {
			for p := range paths {
				r.scanFile(p)
			}
		})
	}
	err := fs.WalkDir(r.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		return r.visit(p, d, err, paths)
	})
	close(paths)
	wg.Wait()
	if cerr := r.ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// visit decides what to do with one walked path, and sends the files to
// scan to paths.
func (r *run) visit(p string, d fs.DirEntry, err error, paths chan<- string) error {
	if cerr := r.ctx.Err(); cerr != nil {
		return cerr
	}
	if err != nil {
		if p == "." {
			return err
		}
		r.skip(p, err.Error())
		return nil
	}
	if p != "." && r.allowlisted(p) {
		if d.IsDir() {
			return fs.SkipDir
		}
		return nil
	}
	if d.IsDir() {
		return nil
	}
	if reason := r.unscannable(p, d); reason != "" {
		r.skip(p, reason)
		return nil
	}
	select {
	case paths <- p:
		return nil
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
}

// unscannable returns why the non-directory p is not scanned, or "" to
// scan it.
func (r *run) unscannable(p string, d fs.DirEntry) string {
	switch {
	case d.Type()&fs.ModeSymlink != 0:
		return reasonSymlink
	case !d.Type().IsRegular():
		return reasonSpecial
	}
	info, err := d.Info()
	if err != nil {
		return err.Error()
	}
	if limit := r.s.opts.MaxFileBytes; limit > 0 && info.Size() > limit {
		return fmt.Sprintf(reasonTooBig, limit)
	}
	// gitleaks skips archives by name when MaxArchiveDepth is 0; the same
	// test, made here, lets the skip be reported.
	if f, _, err := archives.Identify(r.ctx, p, nil); err == nil && f != nil {
		return reasonArchive
	}
	return ""
}

// allowlisted reports whether gitleaks' global allowlists exclude p, as
// its own file walker does.
func (r *run) allowlisted(p string) bool {
	for _, a := range r.s.det.Config.Allowlists {
		if a.PathAllowed(p) {
			return true
		}
	}
	return false
}

// scanFile runs the detector over the file p, fragment by fragment.
func (r *run) scanFile(p string) {
	f, err := r.root.Open(p)
	if err != nil {
		r.skip(p, err.Error())
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		r.skip(p, err.Error())
		return
	}
	if info.Size() == 0 {
		return
	}
	r.mu.Lock()
	r.files++
	r.mu.Unlock()
	src := &sources.File{Content: f, Path: p, Config: &r.s.det.Config, MaxArchiveDepth: 0}
	err = src.Fragments(r.ctx, func(frag sources.Fragment, err error) error {
		if err != nil {
			r.skip(p, err.Error())
			return nil
		}
		r.detect(frag)
		return nil
	})
	if err != nil && !errors.Is(err, r.ctx.Err()) {
		r.skip(p, err.Error())
	}
}

// detect runs the detector over one fragment and keeps its findings,
// their secrets replaced by hashes.
func (r *run) detect(frag sources.Fragment) {
	//lint:ignore SA1019 gitleaks v8 has no DetectContext over sources.Fragment yet (v9 will)
	got := r.s.det.DetectContext(r.ctx, detect.Fragment(frag))
	pend := make([]pending, 0, len(got))
	for i := range got {
		pend = append(pend, convert(&got[i], frag.StartLine, r.s.opts.FingerprintKey))
		got[i] = zeroFinding // Drop what convert did not need, at once.
	}
	if len(pend) == 0 {
		return
	}
	r.mu.Lock()
	r.found = append(r.found, pend...)
	r.mu.Unlock()
}

// skip records that p was not (fully) scanned, and why.
func (r *run) skip(p, reason string) {
	r.mu.Lock()
	r.skipped = append(r.skipped, p+": "+reason)
	r.mu.Unlock()
}

// result assembles the scan's result, in a deterministic order.
func (r *run) result() scanner.Result {
	sort.Strings(r.skipped)
	return scanner.Result{
		Findings:     identify(r.found),
		FilesScanned: r.files,
		Rules:        len(r.s.det.Config.Rules),
		Skipped:      r.skipped,
	}
}
