package gosec

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	gosecpkg "github.com/securego/gosec/v2"
	"golang.org/x/tools/go/packages"
)

// layout is what a tree holds of Go code: its modules, and the folders of
// Go files outside any module.
type layout struct {
	// modules are the folders holding a go.mod, slash-separated, relative
	// to the root ("." for the root).
	modules []string
	// dirs maps each folder holding .go files to their names.
	dirs map[string][]string
}

// ignoredDir reports whether the go command's "./..." leaves a folder out
// (testdata, vendor, and names starting with "." or "_"); node_modules is
// left out too. Loose files are looked for with the same rule.
func ignoredDir(name string) bool {
	return name == "testdata" || name == "vendor" || name == "node_modules" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// findGo walks the tree for go.mod files and Go files. Symbolic links are
// not followed.
func findGo(ctx context.Context, root string) (layout, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return layout{}, err
	}
	defer r.Close()
	var lay layout
	files := make(map[string][]string)
	err = fs.WalkDir(r.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if p != "." && ignoredDir(d.Name()) {
				return fs.SkipDir
			}
		case !d.Type().IsRegular():
		case d.Name() == "go.mod":
			lay.modules = append(lay.modules, path.Dir(p))
		case strings.HasSuffix(d.Name(), ".go"):
			files[path.Dir(p)] = append(files[path.Dir(p)], d.Name())
		}
		return nil
	})
	if err != nil {
		return layout{}, err
	}
	slices.Sort(lay.modules)
	lay.dirs = files
	return lay, nil
}

// enclosingModule returns the module folder that holds dir, or "".
func enclosingModule(modules []string, dir string) string {
	best := ""
	for _, m := range modules {
		if (m == "." || dir == m || strings.HasPrefix(dir, m+"/")) && len(m) >= len(best) {
			best = m
		}
	}
	return best
}

// loadModule loads every package of the module in dir ("./..."). When the
// go command cannot load the module at all (a go.mod asking for a newer
// Go, a broken go.mod or vendor folder), it returns the error, and the
// caller falls back to loadLoose for the module's folders.
func (r *run) loadModule(dir string) ([]*packages.Package, error) {
	abs := filepath.Join(r.root, filepath.FromSlash(dir))
	cfg := r.config(abs, modFlag(abs))
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	// A module the go command rejects as a whole comes back as a single
	// package without files and with the go command's error.
	if len(pkgs) == 1 && len(pkgs[0].GoFiles) == 0 && len(pkgs[0].CompiledGoFiles) == 0 && len(pkgs[0].Errors) > 0 {
		return nil, fmt.Errorf("%s", pkgs[0].Errors[0].Msg)
	}
	return pkgs, nil
}

// loadLoose loads the Go files of one folder as a package of their own
// ("command-line-arguments"), from a folder outside any module: their
// imports resolve only to the standard library (and GOMODCACHE).
func (r *run) loadLoose(dir string, names []string) ([]*packages.Package, error) {
	abs := filepath.Join(r.root, filepath.FromSlash(dir))
	var files []string
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") && !r.s.opts.Tests {
			continue
		}
		files = append(files, filepath.Join(abs, n))
	}
	if len(files) == 0 {
		return nil, nil
	}
	slices.Sort(files)
	cfg := r.config(r.s.dirs.neutral, "")
	cfg.Tests = false // test files were chosen above
	return packages.Load(cfg, files...)
}

// config is the go/packages configuration for loading from dir.
func (r *run) config(dir, mod string) *packages.Config {
	return &packages.Config{
		Context: r.ctx,
		Mode:    gosecpkg.LoadMode,
		Dir:     dir,
		Env:     r.s.dirs.goEnv(mod),
		Tests:   r.s.opts.Tests,
	}
}

// dirsOf returns, sorted, the folders with Go files whose enclosing module
// is mod ("" for the folders outside any module).
func (lay layout) dirsOf(mod string) []string {
	var out []string
	for d := range lay.dirs {
		if enclosingModule(lay.modules, d) == mod {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}
