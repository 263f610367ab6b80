package osv

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// readRecord reads a testdata record as a generic JSON object, to derive
// variants of it.
func readRecord(t *testing.T, rel string) map[string]any {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(testDB, rel))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// writeRecord writes m as JSON to dir/name.
func writeRecord(t *testing.T, dir, name string, m map[string]any) {
	t.Helper()
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(dir, name), string(body)); err != nil {
		t.Fatal(err)
	}
}

// scanWith builds a scanner over db and scans the testdata/repo folder sub.
func scanWith(t *testing.T, db, sub string) []findings.Finding {
	t.Helper()
	s, err := New(Options{DBPath: db})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return scan(t, s, filepath.Join(testRepo, sub)).Findings
}

func TestWithdrawnRecordsIgnored(t *testing.T) {
	db := t.TempDir()
	lodash := readRecord(t, "npm/GHSA-35jh-r3h4-6jhm.json")
	lodash["withdrawn"] = "2024-05-01T00:00:00Z"
	writeRecord(t, db, "GHSA-35jh-r3h4-6jhm.json", lodash)
	writeRecord(t, db, "GHSA-xvch-5gv4-984h.json", readRecord(t, "npm/GHSA-xvch-5gv4-984h.json"))

	s, err := New(Options{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	got := keys(scan(t, s, filepath.Join(testRepo, "npm-v3")).Findings)
	want := []string{"package-lock.json GHSA-xvch-5gv4-984h minimist@1.2.5"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q (the withdrawn lodash record must not match)", got, want)
	}
	if s.db.records != 1 || s.db.withdrawn != 1 {
		t.Errorf("records %d withdrawn %d, want 1 and 1", s.db.records, s.db.withdrawn)
	}
	if !strings.Contains(s.Version(), "1 records") {
		t.Errorf("Version() = %q", s.Version())
	}
}

func TestZipExportsLoaded(t *testing.T) {
	// The osv.dev exports: one all.zip of JSON records per ecosystem.
	db := t.TempDir()
	for _, eco := range []string{"npm", "PyPI"} {
		if err := os.MkdirAll(filepath.Join(db, eco), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(db, eco, "all.zip"))
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		files, err := filepath.Glob(filepath.Join(testDB, eco, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("glob: %v %v", files, err)
		}
		for _, p := range files {
			body, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			w, err := zw.Create(filepath.Base(p))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(body); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	fromZip := keys(scanWith(t, db, "npm-v1"))
	fromFolder := keys(scan(t, newScanner(t), filepath.Join(testRepo, "npm-v1")).Findings)
	if len(fromZip) != 4 || !slices.Equal(fromZip, fromFolder) {
		t.Errorf("from zip %q, from folder %q", fromZip, fromFolder)
	}
}

func TestNewestCopyOfARecordWins(t *testing.T) {
	db := t.TempDir()
	old := readRecord(t, "npm/GHSA-35jh-r3h4-6jhm.json")
	old["modified"] = "2020-01-01T00:00:00Z"
	old["summary"] = "stale copy"
	writeRecord(t, db, "a/GHSA-35jh-r3h4-6jhm.json", old)
	writeRecord(t, db, "b/GHSA-35jh-r3h4-6jhm.json", readRecord(t, "npm/GHSA-35jh-r3h4-6jhm.json"))
	writeRecord(t, db, "c/GHSA-35jh-r3h4-6jhm.json", old)
	fs := scanWith(t, db, "npm-v3")
	if len(fs) != 1 || fs[0].Title != "Command Injection in lodash" {
		t.Errorf("findings %+v, want one from the newest copy", fs)
	}
}

func TestUnreadableRecordsReported(t *testing.T) {
	db := t.TempDir()
	writeRecord(t, db, "npm/GHSA-35jh-r3h4-6jhm.json", readRecord(t, "npm/GHSA-35jh-r3h4-6jhm.json"))
	if err := writeFile(filepath.Join(db, "npm", "broken.json"), `{"id": "GHSA-x", "modified": `); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(db, "npm", "noid.json"), `{"modified": "2024-01-01T00:00:00Z"}`); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(db, "README.md"), "not a record, not read\n"); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	res := scan(t, s, filepath.Join(testRepo, "npm-v3"))
	if len(res.Findings) != 1 {
		t.Errorf("findings %q", keys(res.Findings))
	}
	if !hasSkipped(res.Skipped, "OSV database npm/broken.json: decoding OSV record") ||
		!hasSkipped(res.Skipped, "OSV database npm/noid.json: not an OSV record") {
		t.Errorf("Skipped = %q", res.Skipped)
	}
}

func TestAliasesMergeIntoOneFinding(t *testing.T) {
	// The Go vulnerability database's GO-2022-1144 is GitHub's
	// GHSA-xrjj-mj9h-534m: a GHSA copy (derived here from the GO record,
	// rated HIGH) must give one finding, under the GHSA id.
	db := t.TempDir()
	goRec := readRecord(t, "Go/GO-2022-1144.json")
	writeRecord(t, db, "GO-2022-1144.json", goRec)
	ghsa := readRecord(t, "Go/GO-2022-1144.json")
	ghsa["id"] = "GHSA-xrjj-mj9h-534m"
	ghsa["aliases"] = []any{"CVE-2022-41717"}
	ghsa["database_specific"] = map[string]any{"severity": "HIGH", "cwe_ids": []any{"CWE-770"}}
	writeRecord(t, db, "GHSA-xrjj-mj9h-534m.json", ghsa)

	fs := scanWith(t, db, "go")
	got := keys(fs)
	want := []string{
		"go.mod GHSA-xrjj-mj9h-534m stdlib@1.19",
		"go.mod GHSA-xrjj-mj9h-534m golang.org/x/net@0.3.0",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("findings %q, want %q", got, want)
	}
	f := fs[1]
	if f.Severity != findings.SeverityHigh || !slices.Equal(f.CWE, []string{"CWE-770"}) ||
		!slices.Contains(f.Tags, "GO-2022-1144") || !slices.Contains(f.Tags, "CVE-2022-41717") {
		t.Errorf("merged finding %+v", f)
	}
}
