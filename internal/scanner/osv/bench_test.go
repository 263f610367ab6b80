package osv

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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

// benchmarkScan scans dir b.N times with the testdata database.
func benchmarkScan(b *testing.B, dir string) {
	s, err := New(Options{DBPath: testDB})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var files, found, skipped int
	for b.Loop() {
		res, err := s.Scan(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		files, found, skipped = res.FilesScanned, len(res.Findings), len(res.Skipped)
	}
	b.ReportMetric(float64(files), "manifests/op")
	b.ReportMetric(float64(found), "findings/op")
	b.ReportMetric(float64(skipped), "skipped/op")
}

// BenchmarkScanTestRepo scans testdata/repo (9 manifests, 4 ecosystems).
func BenchmarkScanTestRepo(b *testing.B) { benchmarkScan(b, testRepo) }

// BenchmarkScanScalibrModule scans osv-scalibr's own source tree (~5,000
// files, with a few hundred lockfiles and manifests of every kind in its
// test data, many deliberately malformed).
func BenchmarkScanScalibrModule(b *testing.B) {
	benchmarkScan(b, moduleDir(b, modulePath))
}

// BenchmarkNew measures loading the testdata database (14 records).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{DBPath: testDB}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewLarge measures loading 20,000 records (copies of the
// testdata records under new ids and package names), a size between the
// Go (~5,000 records) and PyPI (~20,000) osv.dev exports.
func BenchmarkNewLarge(b *testing.B) {
	const copies = 1430 // × 14 records
	db := b.TempDir()
	files, err := filepath.Glob(filepath.Join(testDB, "*", "*.json"))
	if err != nil {
		b.Fatal(err)
	}
	seen := make(map[string]bool)
	n := 0
	for _, p := range files {
		if seen[filepath.Base(p)] {
			continue
		}
		seen[filepath.Base(p)] = true
		body, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		for i := range copies {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				b.Fatal(err)
			}
			m["id"] = fmt.Sprintf("%s-%d", m["id"], i)
			for _, a := range m["affected"].([]any) {
				pkg := a.(map[string]any)["package"].(map[string]any)
				pkg["name"] = fmt.Sprintf("%s-%d", pkg["name"], i)
			}
			out, err := json.Marshal(m)
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(db, fmt.Sprintf("%d.json", n)), out, 0o644); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := New(Options{DBPath: db})
		if err != nil {
			b.Fatal(err)
		}
		if s.db.records != n {
			b.Fatalf("%d records, want %d", s.db.records, n)
		}
	}
	b.ReportMetric(float64(n), "records/op")
}
