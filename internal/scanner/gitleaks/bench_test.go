package gitleaks

import (
	"context"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// moduleDir returns a module's directory in the module cache.
func moduleDir(b *testing.B, module string) string {
	b.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		b.Fatalf("locating %s: %v (is it downloaded? go mod download %s)", module, err, module)
	}
	return dir
}

// treeBytes sums the sizes of the regular files under dir.
func treeBytes(b *testing.B, dir string) int64 {
	b.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// benchmarkScan scans a module's source tree b.N times. Compare with
//
//	gitleaks dir --no-banner --max-decode-depth 5 "$(go list -m -f '{{.Dir}}' MODULE)"
func benchmarkScan(b *testing.B, module string) {
	dir := moduleDir(b, module)
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(treeBytes(b, dir))
	b.ReportAllocs()
	var files, found int
	for b.Loop() {
		res, err := s.Scan(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		files, found = res.FilesScanned, len(res.Findings)
	}
	b.ReportMetric(float64(files), "files/op")
	b.ReportMetric(float64(found), "findings/op")
}

// BenchmarkScanGitleaksModule scans gitleaks' own source (~3 MB, 450
// files, with many test secrets).
func BenchmarkScanGitleaksModule(b *testing.B) {
	benchmarkScan(b, "github.com/zricethezav/gitleaks/v8")
}

// BenchmarkScanXTextModule scans golang.org/x/text (~40 MB, large tables).
func BenchmarkScanXTextModule(b *testing.B) {
	benchmarkScan(b, "golang.org/x/text")
}

// BenchmarkNew measures building a Scanner (compiling the default rules).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
