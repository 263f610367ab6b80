package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/scanner"
	"github.com/conviso/conviso-github-app/internal/scanner/gitleaks"
)

const (
	oldToken = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
	newToken = "ghp_R7kQ2mV9xL4sT8wB1nC6zY3pJ5dF0hG2aK7e"
)

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/nonexistent")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkout is a git repository whose main has one secret (debt); the
// working tree renames that file and adds a new secret.
func checkout(t *testing.T, addNew bool) string {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "legacy/creds.go"), "package legacy\n\nconst token = \""+oldToken+"\"\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "debt")
	git(t, dir, "mv", "legacy/creds.go", "legacy/credentials.go")
	if addNew {
		write(t, filepath.Join(dir, "client.go"), "package main\n\nvar token = \""+newToken+"\"\n")
	}
	return dir
}

func gitleaksOnly(t *testing.T) []scanner.Scanner {
	gl, err := gitleaks.New(gitleaks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return []scanner.Scanner{gl}
}

func TestScanDiffReportsOnlyNewFindings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		addNew bool
		want   int
	}{{"new secret blocks", true, ExitBlock}, {"moved debt passes", false, ExitPass}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := checkout(t, tc.addNew)
			var out, sarifOut bytes.Buffer
			code, err := Scan(context.Background(), ScanOptions{Dir: dir, DiffBase: "main", Scanners: gitleaksOnly(t), Out: &out, SARIF: &sarifOut})
			if err != nil || code != tc.want {
				t.Fatalf("exit %d (%v), want %d\n%s", code, err, tc.want, out.String())
			}
			if strings.Contains(out.String(), oldToken) || strings.Contains(sarifOut.String(), newToken) {
				t.Fatal("a secret's value reached the output")
			}
			if tc.addNew && !strings.Contains(out.String(), "NEW") {
				t.Fatalf("the new finding must be marked NEW:\n%s", out.String())
			}
			var log map[string]any
			if err := json.Unmarshal(sarifOut.Bytes(), &log); err != nil || log["version"] != "2.1.0" {
				t.Fatalf("not SARIF 2.1.0: %v", err)
			}
		})
	}
}

func TestScanWithoutDiffBlocksOnAnyFinding(t *testing.T) {
	dir := checkout(t, false)
	var out bytes.Buffer
	code, err := Scan(context.Background(), ScanOptions{Dir: dir, Scanners: gitleaksOnly(t), Out: &out})
	if err != nil || code != ExitBlock {
		t.Fatalf("exit %d (%v): without --diff every finding is new\n%s", code, err, out.String())
	}
}

func TestScanBadRefIsAnError(t *testing.T) {
	dir := checkout(t, false)
	code, err := Scan(context.Background(), ScanOptions{Dir: dir, DiffBase: "no-such-ref", Scanners: gitleaksOnly(t), Out: &bytes.Buffer{}})
	if code != ExitError || err == nil {
		t.Fatalf("exit %d (%v), want 2 with an error", code, err)
	}
}

func TestParseRenames(t *testing.T) {
	got := parseRenames("M\x00a.go\x00R087\x00old/x.go\x00new/x.go\x00C100\x00c.go\x00d.go\x00A\x00e.go\x00")
	if len(got) != 1 || got["new/x.go"] != "old/x.go" {
		t.Fatalf("got %v", got)
	}
}
