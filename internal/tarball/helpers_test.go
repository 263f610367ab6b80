package tarball

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entry describes one tar entry for the test archive builders.
type entry struct {
	name string
	typ  byte // tar.TypeReg when zero
	body string
	mode int64 // 0644 when zero
	link string
}

// rawTar builds an uncompressed tar of entries.
func rawTar(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			hdr = &tar.Header{Name: e.name, Typeflag: e.typ, PAXRecords: map[string]string{"comment": e.body}}
		}
		if hdr.Typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if hdr.Mode == 0 && hdr.Typeflag != tar.TypeXGlobalHeader {
			hdr.Mode = 0o644
		}
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("writing header %q: %v", e.name, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatalf("writing body %q: %v", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("closing tar: %v", err)
	}
	return buf.Bytes()
}

// gz compresses data.
func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return buf.Bytes()
}

// tarball builds a gzip'd tar of entries.
func tarball(t testing.TB, entries ...entry) []byte {
	t.Helper()
	return gz(t, rawTar(t, entries...))
}

// sandbox makes base/a/b/dest and returns base and dest, so that escapes
// by a few ".." would land inside base, where containment checks look.
func sandbox(t testing.TB) (base, dest string) {
	t.Helper()
	base = t.TempDir()
	dest = filepath.Join(base, "a", "b", "dest")
	if err := os.MkdirAll(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	return base, dest
}

// extractBytes extracts the gzip'd tar data into a fresh sandbox.
func extractBytes(t testing.TB, data []byte, lim Limits) (string, Stats, error) {
	t.Helper()
	base, dest := sandbox(t)
	st, err := Extract(context.Background(), bytes.NewReader(data), dest, lim)
	assertContained(t, base, dest)
	return dest, st, err
}

// assertContained checks that base holds nothing but the path to dest, and
// that dest holds only plain directories and files with safe modes.
func assertContained(t testing.TB, base, dest string) {
	t.Helper()
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		inDest := p == dest || strings.HasPrefix(p, dest+string(filepath.Separator))
		onPath := strings.HasPrefix(dest, p)
		if !inDest && !onPath {
			t.Errorf("written outside dest: %s", p)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		checkMode(t, p, info.Mode())
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", base, err)
	}
}

// checkMode fails unless mode is a directory or regular file with no
// permission bits beyond 0755 and no special bits.
func checkMode(t testing.TB, p string, mode fs.FileMode) {
	t.Helper()
	if mode&fs.ModeSymlink != 0 || !(mode.IsDir() || mode.IsRegular()) {
		t.Errorf("%s: unexpected file type %v", p, mode)
	}
	if mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0 || mode.Perm()&^0o755 != 0 {
		t.Errorf("%s: unsafe mode %v", p, mode)
	}
}

// readTree returns the regular files under dir, by slash-separated
// relative path.
func readTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatalf("reading tree: %v", err)
	}
	return files
}
