package gitleaks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

func TestScanFindsSecrets(t *testing.T) {
	res := scanFiles(t, map[string]string{
		"config/prod.env": lines("# production", "REGION=eu-west-1", "    AWS_ACCESS_KEY_ID="+awsKey),
		"src/client.go":   lines("package client", "", `const token = "`+ghPAT+`"`),
		"deploy/id_rsa":   keyBlock,
		"README.md":       lines("# nothing to see"),
	})
	if res.FilesScanned != 4 {
		t.Errorf("FilesScanned = %d, want 4", res.FilesScanned)
	}
	aws := one(t, res.Findings, "aws-access-token")
	checkFinding(t, aws, "config/prod.env", 3, 3, 23, 42, findings.SeverityCritical)
	pat := one(t, res.Findings, "github-pat")
	checkFinding(t, pat, "src/client.go", 3, 3, 16, 55, findings.SeverityHigh)
	key := one(t, res.Findings, "private-key")
	checkFinding(t, key, "deploy/id_rsa", 1, 3, 1, 29, findings.SeverityCritical)
	if len(res.Findings) != 3 {
		t.Errorf("%d findings, want 3: %+v", len(res.Findings), res.Findings)
	}
}

// checkFinding checks a finding's location, severity and fixed fields.
func checkFinding(t *testing.T, f findings.Finding, path string, l1, l2, c1, c2 int, sev findings.Severity) {
	t.Helper()
	got := []int{f.StartLine, f.EndLine, f.StartColumn, f.EndColumn}
	if want := []int{l1, l2, c1, c2}; f.Path != path || !slices.Equal(got, want) {
		t.Errorf("%s at %s %v, want %s %v", f.RuleID, f.Path, got, path, want)
	}
	if f.Severity != sev {
		t.Errorf("%s severity %v, want %v", f.RuleID, f.Severity, sev)
	}
	if f.Scanner != Name || f.Title == "" || !strings.Contains(f.Message, "rotate") {
		t.Errorf("bad fields: %+v", f)
	}
	if !slices.Contains(f.Tags, "secret") || !slices.Contains(f.Tags, "CWE-798") {
		t.Errorf("tags %v", f.Tags)
	}
	if f.Fingerprint == "" || f.ID != findings.IDFromFingerprint(f.Fingerprint) {
		t.Errorf("fingerprint %q, id %q", f.Fingerprint, f.ID)
	}
}

// idOf scans files and returns the ID of the single finding of rule.
func idOf(t *testing.T, files map[string]string, rule string) (string, int) {
	t.Helper()
	f := one(t, scanFiles(t, files).Findings, rule)
	return f.ID, f.StartLine
}

func TestIDStableWhenSecretMoves(t *testing.T) {
	before := lines(append([]string{"package x"}, `var k = "`+awsKey+`"`)...)
	after := lines(append(append([]string{"package x"}, padding(10)...), `  var k = "`+awsKey+`" // moved`)...)
	id1, line1 := idOf(t, map[string]string{"x.go": before}, "aws-access-token")
	id2, line2 := idOf(t, map[string]string{"x.go": after}, "aws-access-token")
	if id1 != id2 || line1 == line2 {
		t.Errorf("moved secret: ids %s, %s at lines %d, %d; want equal ids, different lines", id1, id2, line1, line2)
	}
}

func TestIDChangesWithSecret(t *testing.T) {
	id1, _ := idOf(t, map[string]string{"x.go": `var k = "` + awsKey + `"`}, "aws-access-token")
	id2, _ := idOf(t, map[string]string{"x.go": `var k = "` + awsKey2 + `"`}, "aws-access-token")
	id3, _ := idOf(t, map[string]string{"y.go": `var k = "` + awsKey + `"`}, "aws-access-token")
	if id1 == id2 || id1 == id3 {
		t.Errorf("ids %s, %s, %s: want a different secret or file to change the id", id1, id2, id3)
	}
}

func TestIdenticalSecretsGetDistinctIDs(t *testing.T) {
	body := func(gap int) string {
		return lines(append(append([]string{"a = " + awsKey}, padding(gap)...), "b = "+awsKey)...)
	}
	ids := func(gap int) []string {
		var out []string
		for _, f := range byRule(scanFiles(t, map[string]string{"k.txt": body(gap)}).Findings, "aws-access-token") {
			out = append(out, f.ID)
		}
		return out
	}
	near, far := ids(1), ids(20)
	if len(near) != 2 || near[0] == near[1] {
		t.Fatalf("ids %v: want two distinct", near)
	}
	if !slices.Equal(near, far) {
		t.Errorf("ids changed when the secrets moved apart: %v, %v", near, far)
	}
}

func TestSymlinksNotFollowed(t *testing.T) {
	outside := writeTree(t, map[string]string{"leak.txt": "k = " + awsKey + "\n", "dir/leak.txt": "k = " + awsKey + "\n"})
	dir := writeTree(t, map[string]string{"ok.txt": "fine\n"})
	for name, target := range map[string]string{"file-link": "leak.txt", "dir-link": "dir"} {
		if err := os.Symlink(filepath.Join(outside, target), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	res := scan(t, newScanner(t), dir)
	if len(res.Findings) != 0 || res.FilesScanned != 1 {
		t.Errorf("findings %+v, files %d: symlinks were followed", res.Findings, res.FilesScanned)
	}
	want := []string{"dir-link: " + reasonSymlink, "file-link: " + reasonSymlink}
	if !slices.Equal(res.Skipped, want) {
		t.Errorf("skipped %q, want %q", res.Skipped, want)
	}
}

func TestSkipsArchivesLargeAndAllowlistedFiles(t *testing.T) {
	s, err := New(Options{MaxFileBytes: 200, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	leak := "k = " + awsKey + "\n"
	dir := writeTree(t, map[string]string{
		"bundle.zip":                leak,
		"big.txt":                   leak + strings.Repeat("x", 300),
		"node_modules/pkg/index.js": leak,
		"go.sum":                    leak,
		"empty.txt":                 "",
	})
	res := scan(t, s, dir)
	if len(res.Findings) != 0 || res.FilesScanned != 0 {
		t.Errorf("findings %+v, files %d", res.Findings, res.FilesScanned)
	}
	want := []string{"big.txt: larger than 200 bytes", "bundle.zip: " + reasonArchive}
	if !slices.Equal(res.Skipped, want) {
		t.Errorf("skipped %q, want %q", res.Skipped, want)
	}
}

func TestScanCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newScanner(t).Scan(ctx, writeTree(t, map[string]string{"a.txt": "k = " + awsKey}))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestScanMissingRoot(t *testing.T) {
	if _, err := newScanner(t).Scan(context.Background(), filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("want an error for a missing root")
	}
}

func TestNameAndVersion(t *testing.T) {
	s := newScanner(t)
	if s.Name() != "gitleaks" || s.Version() != "v8.30.1" {
		t.Errorf("name %q, version %q", s.Name(), s.Version())
	}
}

func TestCriticalRulesExist(t *testing.T) {
	rules := newScanner(t).det.Config.Rules
	for id := range criticalRules {
		if _, ok := rules[id]; !ok {
			t.Errorf("critical rule %q is not in gitleaks' default config", id)
		}
	}
}
