// Package gosec runs gosec v2's Go security checks (SAST), as a library,
// over an extracted source tree.
//
// Every Go module in the tree (each go.mod, except under testdata, vendor,
// node_modules and folders starting with "." or "_", which the go command's
// "./..." leaves out too) is loaded with golang.org/x/tools/go/packages,
// and each package goes through gosec's AST rules (G1xx-G6xx) and its SSA
// analyzers (G115, G602, the G7xx taint analyses, ...). Go files outside
// any module are loaded folder by folder as packages of their own.
//
// Loading never downloads anything and never runs the repository's code:
// see workDirs.goEnv for the exact environment of the go command. With the
// default, empty module cache, a package importing anything outside the
// standard library does not type-check: gosec's AST rules still run on it
// (they need only its syntax and what type information there is), its
// type-based SSA analyzers do not, and Result.Skipped says so. A module the
// go command refuses outright (a go.mod asking for a newer Go, which must
// not be downloaded) is analysed the same way, folder by folder, and listed.
//
// As with the gitleaks scanner, the code under review cannot silence the
// review: #nosec and //gosec:disable comments are ignored, generated files
// are analysed, and no gosec configuration is read from the tree. Test
// files are not analysed unless Options.Tests is set (gosec's default).
package gosec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	gosecpkg "github.com/securego/gosec/v2"
	"github.com/securego/gosec/v2/analyzers"
	"github.com/securego/gosec/v2/rules"
	"golang.org/x/tools/go/packages"

	"github.com/conviso/conviso-github-app/internal/scanner"
)

// Name is the scanner's stable name.
const Name = "gosec"

// Category is the findings' category (static application security
// testing).
const Category = "sast"

// modulePath is the gosec module, whose version is the scanner's.
const modulePath = "github.com/securego/gosec/v2"

// fallbackVersion is reported when the build carries no module information
// (it must match go.mod).
const fallbackVersion = "v2.30.0"

// Options configures a Scanner. The zero value selects the defaults.
type Options struct {
	// ExcludeRules lists gosec rule ids not to run (e.g. "G104").
	ExcludeRules []string
	// Tests also analyses _test.go files.
	Tests bool
	// ModCache is a Go module cache (GOMODCACHE) to resolve dependencies
	// from: nothing is downloaded into it (the go command may still unpack
	// a module whose zip it already holds). Empty selects an empty private
	// folder, so only the standard library resolves.
	ModCache string
	// GoCache is the go command's build cache (GOCACHE). Type-checking
	// needs the export data of every imported package, which the go
	// command compiles into this cache: the first scan compiles the parts
	// of the standard library in use (about 30 s of CPU on two cores for
	// net/http and what it imports), later ones reuse them. The cache is
	// content-addressed, so scans of different repositories can share it.
	// Empty selects conviso-github-app/gosec-go-build in the user's cache
	// directory (os.UserCacheDir), or a private folder removed by Close
	// when that cannot be created.
	GoCache string
	// Concurrency is how many of gosec's analyzers run at once. 0 selects
	// runtime.GOMAXPROCS(0).
	Concurrency int
	// FingerprintKey, when set, keys the hash of each finding's code in its
	// fingerprint (HMAC-SHA256), as the gitleaks scanner does with
	// secrets: the code of a G101 finding holds a credential.
	FingerprintKey []byte
}

// Scanner finds security weaknesses in Go code with gosec. It is safe for
// concurrent use: each Scan has its own gosec analyzer.
type Scanner struct {
	opts    Options
	dirs    workDirs
	version string
}

var _ scanner.Scanner = (*Scanner)(nil)

// New builds a Scanner and its private folders for the go command.
func New(opts Options) (*Scanner, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return nil, fmt.Errorf("%w: %w", errGoMissing, err)
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = runtime.GOMAXPROCS(0)
	}
	opts.ExcludeRules = slices.Clone(opts.ExcludeRules)
	dirs, err := newWorkDirs(opts)
	if err != nil {
		return nil, err
	}
	return &Scanner{opts: opts, dirs: dirs, version: moduleVersion()}, nil
}

// Close removes the Scanner's private folders (not Options.ModCache nor
// Options.GoCache). The Scanner must not be used afterwards.
func (s *Scanner) Close() error {
	if err := os.RemoveAll(s.dirs.base); err != nil {
		return fmt.Errorf("gosec: removing %s: %w", s.dirs.base, err)
	}
	return nil
}

// moduleVersion is the linked gosec module's version.
func moduleVersion() string { return scanner.ModuleVersion(modulePath, fallbackVersion) }

// Name returns "gosec".
func (s *Scanner) Name() string { return Name }

// Version returns the gosec module version, e.g. "v2.30.0".
func (s *Scanner) Version() string { return s.version }

// newAnalyzer builds a gosec analyzer with every rule and analyzer but
// the excluded ones, ignoring #nosec, logging nowhere. It also returns how
// many rules and analyzers it loaded.
func (s *Scanner) newAnalyzer() (*gosecpkg.Analyzer, int) {
	conf := gosecpkg.NewConfig()
	conf.SetGlobal(gosecpkg.Nosec, "true")
	a := gosecpkg.NewAnalyzer(conf, s.opts.Tests, false, false, s.opts.Concurrency, log.New(io.Discard, "", 0))
	rl := rules.Generate(false, rules.NewRuleFilter(true, s.opts.ExcludeRules...))
	a.LoadRules(rl.RulesInfo())
	al := analyzers.Generate(false, analyzers.NewAnalyzerFilter(true, s.opts.ExcludeRules...))
	a.LoadAnalyzers(al.AnalyzersInfo())
	return a, len(rl.Rules) + len(al.Analyzers)
}

// run is one Scan of one tree.
type run struct {
	ctx  context.Context
	s    *Scanner
	root string // absolute, symbolic links resolved
	a    *gosecpkg.Analyzer

	skipped []string
}

// Scan analyses the Go code under root. Findings carry repository-relative
// paths, fingerprints and IDs. What could not be analysed, or only in part,
// is listed in Result.Skipped; FilesScanned counts the Go files analysed,
// and Rules the gosec rules and analyzers applied.
func (s *Scanner) Scan(ctx context.Context, root string) (scanner.Result, error) {
	abs, err := filepath.Abs(root)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return scanner.Result{}, fmt.Errorf("gosec: resolving %s: %w", root, err)
	}
	lay, err := findGo(ctx, abs)
	if err != nil {
		return scanner.Result{}, fmt.Errorf("gosec: walking %s: %w", root, err)
	}
	a, nrules := s.newAnalyzer()
	r := &run{ctx: ctx, s: s, root: abs, a: a}
	for _, mod := range lay.modules {
		pkgs, err := r.loadModule(mod)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return scanner.Result{}, fmt.Errorf("gosec: scanning %s: %w", root, cerr)
			}
			r.skip(filepath.ToSlash(filepath.Join(mod, "go.mod")), fmt.Sprintf(
				"module not loaded (%s); its folders are analysed without module information", r.rel(err.Error())))
			for _, dir := range lay.dirsOf(mod) {
				r.analyseLoose(dir, lay.dirs[dir])
			}
			continue
		}
		r.analyse(pkgs)
	}
	for _, dir := range lay.dirsOf("") {
		r.analyseLoose(dir, lay.dirs[dir])
	}
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, fmt.Errorf("gosec: scanning %s: %w", root, err)
	}
	issues, metrics, _ := r.a.Report()
	slices.Sort(r.skipped)
	return scanner.Result{
		Findings:     r.identify(issues),
		FilesScanned: metrics.NumFiles,
		Rules:        nrules,
		Skipped:      slices.Compact(r.skipped),
	}, nil
}

// analyseLoose loads and analyses one folder of Go files without module
// information.
func (r *run) analyseLoose(dir string, names []string) {
	pkgs, err := r.loadLoose(dir, names)
	if err != nil {
		if r.ctx.Err() == nil {
			r.skip(dir, "not loaded: "+r.rel(err.Error()))
		}
		return
	}
	r.analyse(pkgs)
}

// analyse runs gosec over loaded packages, recording in Skipped the ones
// loaded with errors and what was therefore not done. With Options.Tests,
// go/packages also returns each package's test variant, which holds all
// its files: the variant is analysed instead of the package, and the
// generated test main package is left out.
func (r *run) analyse(pkgs []*packages.Package) {
	ids := make(map[string]bool, len(pkgs))
	for _, pkg := range pkgs {
		ids[pkg.ID] = true
	}
	for _, pkg := range pkgs {
		if r.ctx.Err() != nil || ids[pkg.ID+" ["+pkg.ID+".test]"] ||
			(strings.HasSuffix(pkg.ID, ".test") && pkg.Name == "main") {
			continue
		}
		if len(pkg.Syntax) == 0 {
			if len(pkg.Errors) > 0 {
				r.skip(r.pkgDir(pkg), "not analysed: "+r.rel(pkg.Errors[0].Error()))
			}
			continue
		}
		if err := r.check(pkg); err != nil {
			r.skip(r.pkgDir(pkg), "analysis stopped: "+r.rel(err.Error()))
		}
	}
}

// check runs the AST rules over pkg, and the SSA analyzers when pkg
// type-checked. A panic in a rule is returned as an error.
func (r *run) check(pkg *packages.Package) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("gosec panicked: %v", p)
		}
	}()
	r.a.CheckRules(pkg)
	if pkg.IllTyped || pkg.Types == nil || pkg.TypesInfo == nil {
		msg := "a package it imports could not be loaded"
		if len(pkg.Errors) > 0 {
			msg = pkg.Errors[0].Error()
			if n := len(pkg.Errors) - 1; n > 0 {
				msg += fmt.Sprintf(" (and %d more)", n)
			}
		}
		r.skip(r.pkgDir(pkg), "analysed partially, type-based checks (SSA analyzers) skipped: "+r.rel(msg))
		return nil
	}
	r.a.CheckAnalyzers(pkg)
	return nil
}

// pkgDir returns pkg's folder relative to the root, or its id.
func (r *run) pkgDir(pkg *packages.Package) string {
	files := slices.Concat(pkg.CompiledGoFiles, pkg.GoFiles)
	if len(files) == 0 {
		return pkg.ID
	}
	return r.relPath(filepath.Dir(files[0]))
}

// skip records that p was not (fully) analysed, and why.
func (r *run) skip(p, reason string) {
	r.skipped = append(r.skipped, p+": "+reason)
}

// errGoMissing is returned by New when no go command is found.
var errGoMissing = errors.New("gosec: the go command is not on PATH (go/packages runs it to load packages)")
