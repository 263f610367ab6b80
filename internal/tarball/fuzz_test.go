package tarball

import (
	"archive/tar"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// FuzzExtract feeds arbitrary tar streams (gzip'd by the harness, so the
// fuzzer works on the tar layer) and checks that nothing is ever written
// outside dest, that only plain files and directories with safe modes are
// written, and that Stats agree with the tree on success.
func FuzzExtract(f *testing.F) {
	for _, tc := range hostileCases() {
		f.Add(rawTar(f, tc.entries...))
	}
	f.Add(rawTar(f,
		entry{name: "pax_global_header", typ: tar.TypeXGlobalHeader, body: "abc"},
		entry{name: "r/", typ: tar.TypeDir},
		entry{name: "r/a/b", body: "x", mode: 0o6777},
		entry{name: "r/l", typ: tar.TypeSymlink, link: "/"},
	))
	f.Add([]byte{})
	lim := Limits{MaxTotalBytes: 1 << 20, MaxEntries: 64, MaxPathDepth: 8}
	f.Fuzz(func(t *testing.T, raw []byte) {
		base, dest := sandbox(t)
		st, err := Extract(context.Background(), bytes.NewReader(gz(t, raw)), dest, lim)
		assertContained(t, base, dest)
		if err == nil {
			checkStats(t, dest, st)
		}
	})
}

// checkStats compares st with the files under dest.
func checkStats(t *testing.T, dest string, st Stats) {
	t.Helper()
	var files int
	var size int64
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := os.Stat(p)
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != st.Files || size != st.Bytes {
		t.Errorf("tree has %d files, %d bytes; stats say %+v", files, size, st)
	}
}
