// Package tree builds source trees on disk for scanner tests.
package tree

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteFile writes body to p, creating its folder.
func WriteFile(p, body string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(body), 0o644)
}

// Copy copies the regular files under src (a testdata folder) to a new
// temporary folder and returns it.
func Copy(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return WriteFile(filepath.Join(dst, rel), string(body))
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// HasSkipped reports whether a scanner's Skipped entry starts with prefix
// and contains every one of parts.
func HasSkipped(skipped []string, prefix string, parts ...string) bool {
next:
	for _, s := range skipped {
		if !strings.HasPrefix(s, prefix) {
			continue
		}
		for _, p := range parts {
			if !strings.Contains(s, p) {
				continue next
			}
		}
		return true
	}
	return false
}
