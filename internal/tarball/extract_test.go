package tarball

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExtractGood(t *testing.T) {
	data := tarball(t,
		entry{name: "pax_global_header", typ: tar.TypeXGlobalHeader, body: "abc"},
		entry{name: "o-r-abc/", typ: tar.TypeDir, mode: 0o775},
		entry{name: "o-r-abc/README.md", body: "hello\n"},
		entry{name: "o-r-abc/bin/run.sh", body: "#!/bin/sh\n", mode: 0o4777},
		entry{name: "o-r-abc/empty", body: ""},
		entry{name: "o-r-abc/docs/", typ: tar.TypeDir},
		entry{name: "o-r-abc/docs/a//b/./c.txt", body: "c"},
		entry{name: "o-r-abc/link", typ: tar.TypeSymlink, link: "../../../etc/passwd"},
	)
	dest, st, err := extractBytes(t, data, Limits{})
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	want := Stats{
		Prefix: "o-r-abc", Files: 4, Dirs: 1, Bytes: 6 + 10 + 1,
		Skipped: []Skipped{{Path: "link", Reason: ReasonSymlink}},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	wantFiles := map[string]string{
		"README.md": "hello\n", "bin/run.sh": "#!/bin/sh\n", "empty": "", "docs/a/b/c.txt": "c",
	}
	if got := readTree(t, dest); !reflect.DeepEqual(got, wantFiles) {
		t.Errorf("tree = %v, want %v", got, wantFiles)
	}
	assertExec(t, filepath.Join(dest, "bin/run.sh"), true)
	assertExec(t, filepath.Join(dest, "README.md"), false)
	if _, err := os.Lstat(filepath.Join(dest, "link")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("symlink entry was created (Lstat err %v)", err)
	}
}

// assertExec checks whether the file at p has any execute bit.
func assertExec(t *testing.T, p string, want bool) {
	t.Helper()
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm()&0o111 != 0; got != want {
		t.Errorf("%s: executable = %v, want %v (mode %v)", p, got, want, info.Mode())
	}
}

func TestExtractOnlyTopDir(t *testing.T) {
	_, st, err := extractBytes(t, tarball(t, entry{name: "o-r-abc/", typ: tar.TypeDir}), Limits{})
	if err != nil || st.Prefix != "o-r-abc" || st.Files != 0 || st.Dirs != 0 {
		t.Errorf("got %+v, %v", st, err)
	}
}

func TestExtractSymlinkDoesNotRedirectLaterEntries(t *testing.T) {
	// The symlink is not created, so the later entry lands in a real
	// directory inside dest instead of following it.
	data := tarball(t,
		entry{name: "r/escape", typ: tar.TypeSymlink, link: "../../.."},
		entry{name: "r/escape/pwned", body: "x"},
	)
	dest, st, err := extractBytes(t, data, Limits{})
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if got := readTree(t, dest); !reflect.DeepEqual(got, map[string]string{"escape/pwned": "x"}) {
		t.Errorf("tree = %v", got)
	}
	if len(st.Skipped) != 1 || st.Skipped[0].Path != "escape" {
		t.Errorf("skipped = %v", st.Skipped)
	}
}

// hostileCase is an archive that Extract must reject with want.
type hostileCase struct {
	name    string
	entries []entry
	lim     Limits
	want    error
}

// hostileCases covers every rejection rule. The fuzz test seeds from it.
func hostileCases() []hostileCase {
	file := func(name string) entry { return entry{name: name, body: "data"} }
	return []hostileCase{
		{name: "absolute", entries: []entry{file("/etc/cron.d/x")}, want: ErrAbsolutePath},
		{name: "absolute after prefix dir", entries: []entry{{name: "r/", typ: tar.TypeDir}, file("/r/x")}, want: ErrAbsolutePath},
		{name: "dotdot first", entries: []entry{file("../x")}, want: ErrParentRef},
		{name: "dotdot escaping", entries: []entry{file("r/../../../x")}, want: ErrParentRef},
		{name: "dotdot staying inside", entries: []entry{file("r/a/../b")}, want: ErrParentRef},
		{name: "dotdot dir", entries: []entry{{name: "r/../", typ: tar.TypeDir}}, want: ErrParentRef},
		{name: "dotdot symlink name", entries: []entry{{name: "r/../l", typ: tar.TypeSymlink, link: "/"}}, want: ErrParentRef},
		{name: "dot only", entries: []entry{{name: "./", typ: tar.TypeDir}}, want: ErrUnsafePath},
		{name: "hard link", entries: []entry{file("r/a"), {name: "r/b", typ: tar.TypeLink, link: "r/a"}}, want: ErrHardLink},
		{name: "hard link outside", entries: []entry{{name: "r/b", typ: tar.TypeLink, link: "/etc/shadow"}}, want: ErrHardLink},
		{name: "char device", entries: []entry{{name: "r/tty", typ: tar.TypeChar}}, want: ErrSpecialFile},
		{name: "block device", entries: []entry{{name: "r/sda", typ: tar.TypeBlock}}, want: ErrSpecialFile},
		{name: "fifo", entries: []entry{{name: "r/pipe", typ: tar.TypeFifo}}, want: ErrSpecialFile},
		{name: "contiguous file type", entries: []entry{{name: "r/c", typ: tar.TypeCont}}, want: ErrUnsupportedType},
		{name: "duplicate file", entries: []entry{file("r/a"), file("r/a")}, want: ErrDuplicate},
		{name: "duplicate after cleaning", entries: []entry{file("r/a/b"), file("r/a//./b")}, want: ErrDuplicate},
		{name: "duplicate dir", entries: []entry{{name: "r/d/", typ: tar.TypeDir}, {name: "r/d", typ: tar.TypeDir}}, want: ErrDuplicate},
		{name: "duplicate symlink", entries: []entry{{name: "r/l", typ: tar.TypeSymlink, link: "x"}, {name: "r/l", typ: tar.TypeSymlink, link: "y"}}, want: ErrDuplicate},
		{name: "file then dir of same name", entries: []entry{file("r/a"), {name: "r/a/", typ: tar.TypeDir}}, want: ErrDuplicate},
		{name: "file below a file", entries: []entry{file("r/a"), file("r/a/b")}, want: ErrPathConflict},
		{name: "file over implicit dir", entries: []entry{file("r/a/b"), file("r/a")}, want: ErrPathConflict},
		{name: "second top-level dir", entries: []entry{file("r/a"), file("s/b")}, want: ErrPrefixMismatch},
		{name: "top-level file", entries: []entry{file("README")}, want: ErrPrefixMismatch},
		{name: "top-level symlink", entries: []entry{{name: "r", typ: tar.TypeSymlink, link: "/"}}, want: ErrPrefixMismatch},
		{name: "too many entries", entries: []entry{file("r/a"), file("r/b"), file("r/c"), file("r/d")}, lim: Limits{MaxEntries: 3}, want: ErrTooManyEntries},
		{name: "too many dirs", entries: []entry{{name: "r/a/", typ: tar.TypeDir}, {name: "r/b/", typ: tar.TypeDir}}, lim: Limits{MaxEntries: 1}, want: ErrTooManyEntries},
		{name: "file too large", entries: []entry{{name: "r/big", body: strings.Repeat("x", 11)}}, lim: Limits{MaxFileBytes: 10}, want: ErrFileTooLarge},
		{name: "total too large", entries: []entry{file("r/a"), file("r/b"), file("r/c")}, lim: Limits{MaxTotalBytes: 10}, want: ErrTotalTooLarge},
		{name: "path too long", entries: []entry{file("r/" + strings.Repeat("a", 100))}, lim: Limits{MaxPathLength: 64}, want: ErrPathTooLong},
		{name: "path too deep", entries: []entry{file("r/" + strings.Repeat("d/", 5) + "f")}, lim: Limits{MaxPathDepth: 5}, want: ErrPathTooDeep},
	}
}

func TestExtractHostile(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := extractBytes(t, tarball(t, tc.entries...), tc.lim)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var ee *EntryError
			if !errors.As(err, &ee) || ee.Name == "" {
				t.Errorf("err %v is not an *EntryError naming the entry", err)
			}
			if !strings.HasPrefix(err.Error(), "extract: ") {
				t.Errorf("err %q lacks package context", err)
			}
		})
	}
}

func TestSplitNameRejectsNUL(t *testing.T) {
	if _, _, err := splitName("r/a\x00b", Limits{}.withDefaults()); !errors.Is(err, ErrUnsafePath) {
		t.Errorf("err = %v, want ErrUnsafePath", err)
	}
	if _, _, err := splitName("", Limits{}.withDefaults()); !errors.Is(err, ErrUnsafePath) {
		t.Errorf("err = %v, want ErrUnsafePath", err)
	}
}

func TestLimitsAtBoundaryPass(t *testing.T) {
	lim := Limits{MaxTotalBytes: 8, MaxFileBytes: 4, MaxEntries: 3, MaxPathLength: 5, MaxPathDepth: 2}
	data := tarball(t, entry{name: "r/a/b", body: "1234"}, entry{name: "r/c", body: "5678"}, entry{name: "r/d", body: ""})
	_, st, err := extractBytes(t, data, lim)
	if err != nil || st.Bytes != 8 || st.Files != 3 {
		t.Errorf("got %+v, %v", st, err)
	}
}

func TestExtractDestMissing(t *testing.T) {
	_, err := Extract(t.Context(), strings.NewReader(""), filepath.Join(t.TempDir(), "nope"), Limits{})
	if err == nil || errors.Is(err, ErrCorrupt) {
		t.Errorf("err = %v, want a destination error", err)
	}
}
