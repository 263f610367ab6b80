package gosec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// workDirs are the Scanner's private folders for the go command.
type workDirs struct {
	// base holds the others; Close removes it when New created it.
	base string
	// home is HOME: the go command must not read the user's go env file
	// (GOENV=off too) or telemetry settings.
	home string
	// gopath is GOPATH: an empty folder.
	gopath string
	// modcache is GOMODCACHE: Options.ModCache, or an empty folder.
	modcache string
	// gocache is GOCACHE (see Options.GoCache).
	gocache string
	// neutral is an empty folder, outside any module, from which loose Go
	// files are loaded.
	neutral string
}

// newWorkDirs creates the private folders.
func newWorkDirs(opts Options) (workDirs, error) {
	base, err := os.MkdirTemp("", "conviso-gosec-")
	if err != nil {
		return workDirs{}, fmt.Errorf("gosec: creating work folder: %w", err)
	}
	w := workDirs{
		base:     base,
		home:     filepath.Join(base, "home"),
		gopath:   filepath.Join(base, "gopath"),
		modcache: filepath.Join(base, "modcache"),
		gocache:  filepath.Join(base, "gocache"),
		neutral:  filepath.Join(base, "neutral"),
	}
	if opts.ModCache != "" {
		w.modcache = opts.ModCache
	}
	switch {
	case opts.GoCache != "":
		w.gocache = opts.GoCache
	case defaultGoCache() != "":
		w.gocache = defaultGoCache()
	}
	for _, d := range []string{w.home, w.gopath, w.modcache, w.gocache, w.neutral} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			os.RemoveAll(base)
			return workDirs{}, fmt.Errorf("gosec: creating work folder: %w", err)
		}
	}
	return w, nil
}

// defaultGoCache is GOCACHE when Options.GoCache is empty: a folder in the
// user's cache directory, kept across scans and restarts, or "" when it
// cannot be created (a private folder is used instead).
func defaultGoCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir = filepath.Join(dir, "conviso-github-app", "gosec-go-build")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return dir
}

// goEnv is the complete environment of every go command that go/packages
// runs for a scan. Nothing is inherited but PATH and TMPDIR, so neither
// the host's settings nor the scanned repository can change it:
//
//   - GOPROXY=off, GOSUMDB=off, GOVCS=*:off: no module, checksum or
//     version-control download, ever; a dependency missing from GOMODCACHE
//     stays missing and its importers are analysed partially.
//   - GOTOOLCHAIN=local: a go or toolchain line asking for a newer Go does
//     not download one (the module then fails to load and its files are
//     analysed without module information, see load.go).
//   - GOFLAGS=-mod=readonly (or -mod=vendor when the module vendors its
//     dependencies) -buildvcs=false, replacing the host's GOFLAGS: go.mod
//     and go.sum are never rewritten, no -toolexec, -overlay or -modfile
//     can come in, and no git command runs to stamp versions (git runs
//     hooks and helpers a repository's configuration can name).
//   - CGO_ENABLED=0: files importing "C" are left out instead of being
//     handed to cgo, which runs the C compiler with flags from #cgo lines.
//   - GOWORK=off, GO111MODULE=on, GOENV=off, a private HOME, GOPATH and
//     GOCACHE, and GOMODCACHE as configured (empty by default).
//   - GOPACKAGESDRIVER=off: go/packages would otherwise run any program
//     named gopackagesdriver found on PATH instead of the go command.
//
// go/packages passes a Config.Env as the whole environment (it inherits
// nothing from this process when Env is set), so GOFLAGS=-toolexec=...,
// GOEXPERIMENT, CC and the like in the host's environment do not reach
// the go command either.
//
// What go/packages runs is `go list -e -json -compiled -export ...`: it
// reads go.mod and the sources, and compiles packages (compile and asm
// from GOROOT only, in the private GOCACHE) to produce type information.
// It never runs code of the repository: no //go:generate, no tests, no
// build of a command that runs; and with the settings above no cgo, no
// toolexec and no network.
func (w workDirs) goEnv(mod string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"TMPDIR=" + os.TempDir(),
		"HOME=" + w.home,
		"GOPATH=" + w.gopath,
		"GOMODCACHE=" + w.modcache,
		"GOCACHE=" + w.gocache,
		"GOENV=off",
		"GO111MODULE=on",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOPROXY=off",
		"GOSUMDB=off",
		"GONOSUMDB=",
		"GONOPROXY=",
		"GOPRIVATE=",
		"GOINSECURE=",
		"GOVCS=*:off",
		"GOFLAGS=" + goFlags(mod),
		"CGO_ENABLED=0",
		"GOPACKAGESDRIVER=off",
	}
	return env
}

// goFlags returns GOFLAGS for a module: mod is "vendor" or "readonly"
// ("" for loose files, which have no go.mod to protect).
func goFlags(mod string) string {
	flags := []string{"-buildvcs=false"}
	if mod != "" {
		flags = append([]string{"-mod=" + mod}, flags...)
	}
	return strings.Join(flags, " ")
}

// modFlag picks -mod for the module in dir: "vendor" when it vendors its
// dependencies (vendor/modules.txt), as the go command itself would for a
// go 1.14+ module, else "readonly".
func modFlag(dir string) string {
	if info, err := os.Stat(filepath.Join(dir, "vendor", "modules.txt")); err == nil && info.Mode().IsRegular() {
		return "vendor"
	}
	return "readonly"
}
