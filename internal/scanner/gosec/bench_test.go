package gosec

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goOutput runs the go command with args and returns its trimmed output.
func goOutput(b *testing.B, args ...string) string {
	b.Helper()
	out, err := exec.Command("go", args...).Output()
	s := strings.TrimSpace(string(out))
	if err != nil || s == "" {
		b.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return s
}

// benchmarkScan scans a module's source tree from the module cache b.N
// times. Run with -benchtime=3x: one scan takes seconds.
func benchmarkScan(b *testing.B, module string, opts Options) {
	dir := goOutput(b, "list", "-m", "-f", "{{.Dir}}", module)
	s := newScannerWith(b, opts)
	b.ReportAllocs()
	var files, found, skipped int
	for b.Loop() {
		res, err := s.Scan(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		files, found, skipped = res.FilesScanned, len(res.Findings), len(res.Skipped)
	}
	b.ReportMetric(float64(files), "files/op")
	b.ReportMetric(float64(found), "findings/op")
	b.ReportMetric(float64(skipped), "skipped/op")
}

// BenchmarkScanGitleaksModule scans gitleaks' source (214 Go files in 23
// packages) as a repository is scanned by default: with an empty module
// cache, so the packages importing a dependency are analysed partially.
func BenchmarkScanGitleaksModule(b *testing.B) {
	benchmarkScan(b, "github.com/zricethezav/gitleaks/v8", Options{})
}

// BenchmarkScanGitleaksModuleWithDeps scans the same tree with this
// machine's module cache (read-only), where its dependencies are: every
// package type-checks and the SSA analyzers run too.
func BenchmarkScanGitleaksModuleWithDeps(b *testing.B) {
	benchmarkScan(b, "github.com/zricethezav/gitleaks/v8", Options{ModCache: goOutput(b, "env", "GOMODCACHE")})
}

// BenchmarkScanTestdata scans testdata: three small modules and loose
// files.
func BenchmarkScanTestdata(b *testing.B) {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		b.Fatal(err)
	}
	s := newScannerWith(b, Options{})
	for b.Loop() {
		if _, err := s.Scan(context.Background(), dir); err != nil {
			b.Fatal(err)
		}
	}
}
