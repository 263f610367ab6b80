//go:build unix

package gitleaks

import (
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

func TestSkipsSpecialFiles(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok.txt": "fine\n"})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := scan(t, newScanner(t), dir)
	want := []string{"pipe: " + reasonSpecial}
	if !slices.Equal(res.Skipped, want) || res.FilesScanned != 1 {
		t.Errorf("skipped %q, files %d; want %q, 1", res.Skipped, res.FilesScanned, want)
	}
}
