package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/sarif"
	"github.com/conviso/conviso-github-app/internal/scanner"
	"github.com/conviso/conviso-github-app/internal/scanner/gitleaks"
	"github.com/conviso/conviso-github-app/internal/scanner/gosec"
	"github.com/conviso/conviso-github-app/internal/scanner/osv"
)

// ScanArgs are conviso scan's command-line inputs.
type ScanArgs struct {
	Dir       string
	DiffBase  string
	SARIFPath string
	// OSVDatabase, when set, adds dependency scanning against it.
	OSVDatabase string
	Out         io.Writer
}

// RunScan builds the app's scanners (gitleaks and gosec, plus osv with a
// database) and runs Scan, writing SARIF to a file when asked.
func RunScan(ctx context.Context, a ScanArgs) (int, error) {
	scanners, closeAll, err := localScanners(a.OSVDatabase)
	if err != nil {
		return ExitError, err
	}
	defer closeAll()
	o := ScanOptions{Dir: a.Dir, DiffBase: a.DiffBase, Scanners: scanners, Out: a.Out}
	if a.SARIFPath == "" {
		return Scan(ctx, o)
	}
	f, err := os.Create(a.SARIFPath)
	if err != nil {
		return ExitError, fmt.Errorf("creating %s: %w", a.SARIFPath, err)
	}
	o.SARIF = f
	code, err := Scan(ctx, o)
	if cerr := f.Close(); cerr != nil && err == nil {
		return ExitError, fmt.Errorf("writing %s: %w", a.SARIFPath, cerr)
	}
	return code, err
}

func localScanners(osvDB string) ([]scanner.Scanner, func(), error) {
	gl, err := gitleaks.New(gitleaks.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("starting gitleaks: %w", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	gs, err := gosec.New(gosec.Options{GoCache: filepath.Join(cache, "conviso", "gosec-go-build")})
	if err != nil {
		return nil, nil, fmt.Errorf("starting gosec: %w", err)
	}
	scanners := []scanner.Scanner{gl, gs}
	if osvDB != "" {
		o, err := osv.New(osv.Options{DBPath: osvDB})
		if err != nil {
			_ = gs.Close()
			return nil, nil, fmt.Errorf("starting osv: %w", err)
		}
		scanners = append(scanners, o)
	}
	return scanners, func() { _ = gs.Close() }, nil
}

// writeSARIF writes the findings as SARIF 2.1.0, one run per scanner.
func writeSARIF(w io.Writer, runs []checks.ScannerRun, fs []findings.Finding) error {
	tools := make([]sarif.ToolInfo, len(runs))
	for i, r := range runs {
		tools[i] = sarif.ToolInfo{Name: r.Name, Version: r.Version, RulesCount: r.Rules}
	}
	if err := sarif.Write(w, tools, fs); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	return nil
}
