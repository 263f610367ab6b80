package osv

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/pomxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/pnpmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/yarnlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/php/composerlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/poetrylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/language/ruby/gemfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargolock"
	scalibrfs "github.com/google/osv-scalibr/fs"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Reasons recorded in Result.Skipped, after the path and ": ".
const (
	reasonSymlink = "symbolic link, not followed"
	reasonSpecial = "not a regular file"
	reasonTooBig  = "larger than %d bytes, not parsed"
	reasonParse   = "not parsed (%s): %v"
)

// skippedDirs are folders never descended into: git metadata, and
// installed npm packages (the lockfile beside node_modules lists them).
var skippedDirs = map[string]bool{".git": true, "node_modules": true}

// constructors are the osv-scalibr extractors used, one per manifest kind.
// Each parses its file and nothing else: none resolves dependencies over
// the network or runs a package manager (pom.xml parents are read only
// from the tree, and versions left unresolved stay unresolved).
var constructors = []func(*cpb.PluginConfig) (filesystem.Extractor, error){
	gomod.New,           // go.mod (and go.sum below go 1.17)
	packagelockjson.New, // package-lock.json v1, v2, v3, npm-shrinkwrap.json
	yarnlock.New,        // yarn.lock v1 and berry
	pnpmlock.New,        // pnpm-lock.yaml
	requirements.New,    // requirements*.txt, following -r includes in the tree
	poetrylock.New,      // poetry.lock
	pomxml.New,          // pom.xml, properties and local parents merged
	cargolock.New,       // Cargo.lock
	gemfilelock.New,     // Gemfile.lock, gems.locked
	composerlock.New,    // composer.lock
}

// newExtractors builds the extractors with their default configuration.
func newExtractors() ([]filesystem.Extractor, error) {
	out := make([]filesystem.Extractor, 0, len(constructors))
	for _, c := range constructors {
		e, err := c(&cpb.PluginConfig{})
		if err != nil {
			return nil, fmt.Errorf("osv: building extractor: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

// occurrence is one package version declared in one manifest.
type occurrence struct {
	path    string // the manifest, repository-relative, slash-separated
	line    int    // 1-based
	eco     string // OSV ecosystem
	name    string // as declared
	version string
}

// run is one Scan of one tree.
type run struct {
	ctx     context.Context
	s       *Scanner
	rootDir string
	root    *os.Root
	fsys    scalibrfs.FS

	files    int
	skipped  []string
	pkgs     []occurrence
	unpinned map[string][]string // manifest → packages without one pinned version
}

// newRun opens root for a scan.
func newRun(ctx context.Context, s *Scanner, root string) (*run, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("osv: opening %s: %w", root, err)
	}
	fsys, ok := r.FS().(scalibrfs.FS)
	if !ok {
		r.Close()
		return nil, fmt.Errorf("osv: %T lacks ReadDir or Stat", r.FS())
	}
	return &run{ctx: ctx, s: s, rootDir: root, root: r, fsys: fsys, unpinned: make(map[string][]string)}, nil
}

// close releases the tree.
func (r *run) close() { r.root.Close() }

// walk finds the manifests under the root and extracts their packages.
func (r *run) walk() error {
	return fs.WalkDir(r.fsys, ".", func(p string, d fs.DirEntry, err error) error {
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
		if d.IsDir() {
			if p != "." && skippedDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		r.visit(p, d)
		return nil
	})
}

// fileAPI gives an extractor's FileRequired the path and (lstat) info of
// a walked file.
type fileAPI struct {
	path string
	d    fs.DirEntry
}

// Path returns the slash-separated path relative to the root.
func (f fileAPI) Path() string { return f.path }

// Stat returns the file's information, without following links.
func (f fileAPI) Stat() (fs.FileInfo, error) { return f.d.Info() }

// visit extracts the packages of p if an extractor wants it.
func (r *run) visit(p string, d fs.DirEntry) {
	api := fileAPI{path: p, d: d}
	for _, ex := range r.s.extractors {
		if !ex.FileRequired(api) {
			continue
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			r.skip(p, reasonSymlink)
		case !d.Type().IsRegular():
			r.skip(p, reasonSpecial)
		default:
			r.extract(p, ex)
		}
		return
	}
}

// extract runs ex over the manifest p.
func (r *run) extract(p string, ex filesystem.Extractor) {
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
	if limit := r.s.opts.MaxFileBytes; limit > 0 && info.Size() > limit {
		r.skip(p, fmt.Sprintf(reasonTooBig, limit))
		return
	}
	r.files++
	inv, err := ex.Extract(r.ctx, &filesystem.ScanInput{FS: r.fsys, Path: p, Root: r.rootDir, Info: info, Reader: f})
	if err != nil {
		r.skip(p, fmt.Sprintf(reasonParse, ex.Name(), err))
		return
	}
	for _, pkg := range inv.Packages {
		r.add(p, pkg)
	}
}

// add records one extracted package.
func (r *run) add(manifest string, pkg *extractor.Package) {
	path, line := location(manifest, pkg)
	if pkg.Version == "" || !pinned(pkg) {
		r.unpinned[path] = append(r.unpinned[path], pkg.Name)
		return
	}
	r.pkgs = append(r.pkgs, occurrence{
		path:    path,
		line:    line,
		eco:     string(pkg.Ecosystem().Ecosystem),
		name:    pkg.Name,
		version: pkg.Version,
	})
}

// location returns the file and line declaring pkg: the extractor's
// descriptor, except for a package of a requirements file reached through
// "-r", which osv-scalibr attributes to the including line while keeping
// the declaring file first among the related locations.
func location(manifest string, pkg *extractor.Package) (string, int) {
	loc := pkg.Location.Descriptor
	if _, ok := pkg.Metadata.(*requirements.Metadata); ok && len(pkg.Location.Related) > 0 {
		loc = &pkg.Location.Related[0]
	}
	if loc == nil || loc.File == nil || loc.File.Path == "" {
		return findings.NormalisePath(manifest), 1
	}
	return findings.NormalisePath(loc.File.Path), max(loc.File.LineNumber, 1)
}

// pinned reports whether a package names one version. Lockfiles always
// do; a requirements line does only with "==" or "===" and no wildcard
// (osv-scalibr reports the lower bound of ">=" or "~=" as the version,
// which would report vulnerabilities of a version that may not be used).
func pinned(pkg *extractor.Package) bool {
	md, ok := pkg.Metadata.(*requirements.Metadata)
	if !ok {
		return true
	}
	return (md.VersionComparator == "==" || md.VersionComparator == "===") && !strings.Contains(pkg.Version, "*")
}

// skip records that p was not (fully) scanned, and why.
func (r *run) skip(p, reason string) {
	r.skipped = append(r.skipped, findings.NormalisePath(p)+": "+reason)
}

// noteUnpinned lists, per manifest, the packages that were not checked
// because they do not name one version.
func (r *run) noteUnpinned() {
	for path, names := range r.unpinned {
		slices.Sort(names)
		names = slices.Compact(names)
		shown := names
		more := ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(names)-5)
		}
		r.skip(path, fmt.Sprintf("%d package(s) without one pinned version, not checked: %s%s",
			len(names), strings.Join(shown, ", "), more))
	}
}
