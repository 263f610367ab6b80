package gosec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/securego/gosec/v2/issue"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// wantVulnApp is every finding in testdata/vulnapp.
var wantVulnApp = []string{
	"generated.go:9 G402", // a generated file is analysed
	"main.go:15 G101",     // hard-coded credential
	"main.go:22 G204",     // command from input
	"main.go:22 G702",     // ... and its taint analysis
	"main.go:30 G304",     // file path from input
	"main.go:30 G703",     // ... and its taint analysis
	"main.go:36 G401",     // MD5
	"main.go:39 G104",     // unchecked error
	"main.go:39 G703",     // path from input, again
	"main.go:46 G402",     // InsecureSkipVerify
	"main.go:6 G501",      // crypto/md5 imported
	"util/run.go:14 G204", // despite its #nosec comment
	"util/run.go:8 G204",  // command from a variable
}

func TestVulnAppFindings(t *testing.T) {
	res := scanTestdata(t, "vulnapp")
	want := slices.Clone(wantVulnApp)
	slices.Sort(want)
	if got := keys(res.Findings); !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}
	if res.FilesScanned != 3 || len(res.Skipped) != 0 {
		t.Errorf("FilesScanned %d (want 3), Skipped %q", res.FilesScanned, res.Skipped)
	}
	// gosec v2.30.0: 40 AST rules and 22 SSA analyzers.
	if res.Rules != 62 {
		t.Errorf("Rules = %d, want 62", res.Rules)
	}
}

func TestFindingFields(t *testing.T) {
	f := one(t, scanTestdata(t, "vulnapp").Findings, "main.go:46 G402")
	code := `return tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})`
	fp := findings.Fingerprint("gosec", "G402", "main.go", code)
	want := findings.Finding{
		ID:          findings.IDFromFingerprint(fp),
		Fingerprint: fp,
		Key:         findings.ContentKey("gosec", "G402", code),
		Scanner:     "gosec",
		RuleID:      "G402",
		Title:       "Look for bad TLS connection settings",
		Message:     "TLS InsecureSkipVerify set to true (gosec G402: severity HIGH, confidence HIGH).",
		Severity:    findings.SeverityHigh,
		Path:        "main.go",
		StartLine:   46,
		EndLine:     46,
		StartColumn: 63, // the "true"
		Tags:        []string{"security", "sast", "go"},
		CWE:         []string{"CWE-295"},
		HelpURI:     "https://github.com/securego/gosec/blob/v2.30.0/RULES.md#g4xx-crypto-and-protocol-security",
		Category:    "sast",
	}
	if !f.Equal(want) {
		t.Errorf("finding:\n got %+v\nwant %+v", f, want)
	}
	// Each rule's CWE, from gosec's mapping.
	for k, cwe := range map[string]string{
		"main.go:15 G101": "CWE-798", "main.go:22 G204": "CWE-78", "main.go:30 G304": "CWE-22",
		"main.go:36 G401": "CWE-328", "main.go:6 G501": "CWE-327", "main.go:39 G104": "CWE-703",
	} {
		if got := one(t, scanTestdata(t, "vulnapp").Findings, k).CWE; !slices.Equal(got, []string{cwe}) {
			t.Errorf("%s: CWE %q, want %s", k, got, cwe)
		}
	}
}

func TestSeverityMapping(t *testing.T) {
	H, M, L := issue.High, issue.Medium, issue.Low
	cases := []struct {
		sev, conf issue.Score
		want      findings.Severity
	}{
		{H, H, findings.SeverityHigh}, {H, M, findings.SeverityMedium}, {H, L, findings.SeverityLow},
		{M, H, findings.SeverityMedium}, {M, M, findings.SeverityMedium}, {M, L, findings.SeverityLow},
		{L, H, findings.SeverityLow}, {L, M, findings.SeverityLow}, {L, L, findings.SeverityLow},
	}
	for _, c := range cases {
		if got := severity(c.sev, c.conf); got != c.want {
			t.Errorf("severity(%s, %s) = %s, want %s", c.sev, c.conf, got, c.want)
		}
	}
	fs := scanTestdata(t, "vulnapp").Findings
	for k, want := range map[string]findings.Severity{
		"main.go:46 G402": findings.SeverityHigh,   // HIGH/HIGH
		"main.go:22 G204": findings.SeverityMedium, // MEDIUM/HIGH
		"main.go:15 G101": findings.SeverityLow,    // HIGH/LOW
		"main.go:39 G104": findings.SeverityLow,    // LOW/HIGH
	} {
		if got := one(t, fs, k).Severity; got != want {
			t.Errorf("%s: severity %s, want %s", k, got, want)
		}
	}
}

func TestMissingDependencyAnalysedPartially(t *testing.T) {
	res := scanTestdata(t, "missingdep")
	want := []string{"clean/clean.go:9 G304", "main.go:17 G204", "main.go:18 G401", "main.go:7 G501"}
	if got := keys(res.Findings); !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	if !hasSkipped(res.Skipped, ".: analysed partially, type-based checks (SSA analyzers) skipped",
		"could not import github.com/conviso-example/notfetched") || len(res.Skipped) != 1 {
		t.Errorf("Skipped = %q", res.Skipped)
	}
}

func TestNewerGoModuleAnalysedWithoutDownload(t *testing.T) {
	s := newScannerWith(t, Options{})
	res := scan(t, s, filepath.Join("testdata", "newgo"))
	if got := keys(res.Findings); !slices.Equal(got, []string{"main.go:9 G402"}) {
		t.Errorf("findings %q", got)
	}
	if !hasSkipped(res.Skipped, "go.mod: module not loaded", "requires go >= 1.99", "GOTOOLCHAIN=local") {
		t.Errorf("Skipped = %q", res.Skipped)
	}
	// Nothing was downloaded: no toolchain module, nothing at all.
	entries, err := os.ReadDir(s.dirs.modcache)
	if err != nil || len(entries) != 0 {
		t.Errorf("module cache holds %v (%v), want nothing", entries, err)
	}
}

func TestLooseFilesAnalysed(t *testing.T) {
	res := scanTestdata(t, "loose")
	if got := keys(res.Findings); !slices.Equal(got, []string{"loose.go:4 G505", "loose.go:7 G401"}) {
		t.Errorf("findings %q", got)
	}
}

func TestWholeTreeOfModules(t *testing.T) {
	// The four folders of testdata, scanned as one tree: three modules
	// and loose files, each path relative to the tree.
	res := scanTestdata(t, ".")
	got := keys(res.Findings)
	for _, k := range []string{"vulnapp/main.go:46 G402", "missingdep/clean/clean.go:9 G304", "newgo/main.go:9 G402", "loose/loose.go:7 G401"} {
		if !slices.Contains(got, k) {
			t.Errorf("findings %q lack %q", got, k)
		}
	}
	if len(got) != len(wantVulnApp)+4+1+2 {
		t.Errorf("%d findings, want %d: %q", len(got), len(wantVulnApp)+7, got)
	}
	if !hasSkipped(res.Skipped, "newgo/go.mod: module not loaded") || !hasSkipped(res.Skipped, "missingdep: analysed partially") {
		t.Errorf("Skipped = %q", res.Skipped)
	}
}

func TestNoGoCode(t *testing.T) {
	dir := t.TempDir()
	if err := writeFile(filepath.Join(dir, "README.md"), "# No Go here\n"); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(dir, "web", "app.js"), "console.log(1)\n"); err != nil {
		t.Fatal(err)
	}
	res := scan(t, newScanner(t), dir)
	if len(res.Findings) != 0 || len(res.Skipped) != 0 || res.FilesScanned != 0 {
		t.Errorf("result over a tree without Go: %+v", res)
	}
}

func TestTestFilesOnlyWhenAsked(t *testing.T) {
	res := scan(t, newScannerWith(t, Options{Tests: true}), filepath.Join("testdata", "vulnapp"))
	got := keys(res.Findings)
	for _, k := range []string{"util/run_test.go:12 G204", "util/run_test.go:12 G702"} {
		if !slices.Contains(got, k) {
			t.Errorf("with Tests: findings %q lack %q", got, k)
		}
	}
	if len(got) != len(wantVulnApp)+2 || res.FilesScanned != 4 {
		t.Errorf("with Tests: %d findings (want %d), %d files (want 4)", len(got), len(wantVulnApp)+2, res.FilesScanned)
	}
}

func TestExcludeRules(t *testing.T) {
	res := scan(t, newScannerWith(t, Options{ExcludeRules: []string{"G104", "G702"}}), filepath.Join("testdata", "vulnapp"))
	for _, f := range res.Findings {
		if f.RuleID == "G104" || f.RuleID == "G702" {
			t.Errorf("excluded rule reported: %s", key(f))
		}
	}
	if len(res.Findings) != len(wantVulnApp)-2 {
		t.Errorf("%d findings, want %d", len(res.Findings), len(wantVulnApp)-2)
	}
	if res.Rules != 60 {
		t.Errorf("Rules = %d, want 60", res.Rules)
	}
}

func TestFingerprintSurvivesLineMoves(t *testing.T) {
	s := newScanner(t)
	dir := copyTree(t, filepath.Join("testdata", "vulnapp"))
	before := scan(t, s, dir).Findings

	p := filepath.Join(dir, "main.go")
	body, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Lines inserted above everything, and the neighbours of the G402
	// line changed: no fingerprint may change.
	moved := strings.Replace(string(body), "package main\n", "package main\n\n// One.\n// Two.\n// Three.\n", 1)
	moved = strings.Replace(moved, "func dialInsecure(addr string) (*tls.Conn, error) {\n", "func dialInsecure(addr string) (*tls.Conn, error) {\n\t_ = 0\n", 1)
	if err := writeFile(p, moved); err != nil {
		t.Fatal(err)
	}
	after := scan(t, s, dir).Findings
	if len(after) != len(before) {
		t.Fatalf("%d findings after the move, %d before", len(after), len(before))
	}
	for i := range before {
		b, a := before[i], after[i]
		if a.RuleID != b.RuleID || a.Fingerprint != b.Fingerprint || a.ID != b.ID || a.Key != b.Key {
			t.Errorf("%s became %s with another fingerprint", key(b), key(a))
		}
		if a.Path == "main.go" && a.StartLine == b.StartLine {
			t.Errorf("%s did not move", key(b))
		}
	}
}

func TestIdenticalIssuesTellApart(t *testing.T) {
	dir := t.TempDir()
	src := "package main\n\nimport \"crypto/md5\"\n\nfunc main() {\n\t_ = md5.Sum(nil)\n\t_ = md5.Sum(nil)\n}\n"
	if err := writeFile(filepath.Join(dir, "go.mod"), "module example.com/twice\n\ngo 1.22\n"); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(dir, "main.go"), src); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range scan(t, newScanner(t), dir).Findings {
		if f.RuleID == "G401" {
			ids = append(ids, f.ID)
		}
	}
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Errorf("two identical G401 lines gave ids %q", ids)
	}
}

func TestFingerprintKey(t *testing.T) {
	keyed := scan(t, newScannerWith(t, Options{FingerprintKey: []byte("deployment key")}), filepath.Join("testdata", "vulnapp")).Findings
	plain := scanTestdata(t, "vulnapp").Findings
	if len(keyed) != len(plain) {
		t.Fatalf("%d keyed findings, %d plain", len(keyed), len(plain))
	}
	for i := range keyed {
		if keyed[i].Fingerprint == plain[i].Fingerprint {
			t.Errorf("%s: the key did not change the fingerprint", key(keyed[i]))
		}
	}
}

func TestScanErrors(t *testing.T) {
	s := newScanner(t)
	if _, err := s.Scan(context.Background(), filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("Scan of a missing root succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Scan(ctx, filepath.Join("testdata", "vulnapp")); !errors.Is(err, context.Canceled) {
		t.Errorf("Scan with a cancelled context: %v", err)
	}
}

func TestNameVersion(t *testing.T) {
	s := newScanner(t)
	if s.Name() != "gosec" || s.Version() != "v2.30.0" {
		t.Errorf("Name %q Version %q", s.Name(), s.Version())
	}
}

func TestConcurrentScans(t *testing.T) {
	s := newScanner(t)
	want := keys(scanTestdata(t, "vulnapp").Findings)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			res, err := s.Scan(context.Background(), filepath.Join("testdata", "vulnapp"))
			if err != nil {
				t.Error(err)
				return
			}
			if got := keys(res.Findings); !slices.Equal(got, want) {
				t.Errorf("concurrent scan: %q, want %q", got, want)
			}
		})
	}
	wg.Wait()
}
