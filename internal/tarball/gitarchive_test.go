package tarball

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// gitRepo builds a small repository with a symlink, an executable, nested
// directories and an empty file, and returns its work tree and files.
func gitRepo(t *testing.T) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"README.md":                "# demo\n",
		"src/main.go":              "package main\n\nfunc main() {}\n",
		"scripts/build.sh":         "#!/bin/sh\necho build\n",
		"docs/nested/deep/note.md": "deep\n",
		"empty.txt":                "",
		"with space/ünïcode.txt":   "utf-8 name\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "scripts/build.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../etc/passwd", filepath.Join(dir, "docs/passwd")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "init")
	return dir, files
}

// git runs git in dir, failing the test on error.
func git(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func TestExtractGitArchive(t *testing.T) {
	repo, files := gitRepo(t)
	data := git(t, repo, "archive", "--format=tar.gz", "--prefix=owner-repo-abc1234/", "HEAD")
	dest, st, err := extractBytes(t, data, Limits{})
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if st.Prefix != "owner-repo-abc1234" || st.Files != len(files) {
		t.Errorf("stats = %+v, want prefix owner-repo-abc1234 and %d files", st, len(files))
	}
	wantSkipped := []Skipped{{Path: "docs/passwd", Reason: ReasonSymlink}}
	if !reflect.DeepEqual(st.Skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", st.Skipped, wantSkipped)
	}
	if got := readTree(t, dest); !reflect.DeepEqual(got, files) {
		t.Errorf("tree = %v, want %v", got, files)
	}
	assertExec(t, filepath.Join(dest, "scripts/build.sh"), true)
	assertExec(t, filepath.Join(dest, "src/main.go"), false)
}
