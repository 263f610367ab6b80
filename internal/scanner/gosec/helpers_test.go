package gosec

import (
	"context"
	"fmt"
	"github.com/conviso/conviso-github-app/internal/testutil/tree"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/scanner"
)

// sharedScanner is the default scanner, built once and closed by TestMain.
var sharedScanner = sync.OnceValues(func() (*Scanner, error) { return New(Options{}) })

// TestMain closes the shared scanner after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if s, err := sharedScanner(); err == nil {
		if err := s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}

// newScanner returns the shared default scanner.
func newScanner(t testing.TB) *Scanner {
	t.Helper()
	s, err := sharedScanner()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// newScannerWith builds a scanner that the test closes.
func newScannerWith(t testing.TB, opts Options) *Scanner {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// results caches the shared scanner's result per testdata folder.
var results sync.Map // string → scanner.Result

// scanTestdata scans testdata/dir with the shared scanner, once.
func scanTestdata(t testing.TB, dir string) scanner.Result {
	t.Helper()
	if res, ok := results.Load(dir); ok {
		return res.(scanner.Result)
	}
	res := scan(t, newScanner(t), filepath.Join("testdata", dir))
	results.Store(dir, res)
	return res
}

// scan scans dir with s, failing the test on error.
func scan(t testing.TB, s *Scanner, dir string) scanner.Result {
	t.Helper()
	res, err := s.Scan(context.Background(), dir)
	if err != nil {
		t.Fatalf("Scan(%s): %v", dir, err)
	}
	return res
}

// copyTree and writeFile are the shared test tree helpers.
var (
	copyTree   = tree.Copy
	writeFile  = tree.WriteFile
	hasSkipped = tree.HasSkipped
)

// key names a finding: "path:line rule".
func key(f findings.Finding) string { return fmt.Sprintf("%s:%d %s", f.Path, f.StartLine, f.RuleID) }

// keys returns the sorted keys of fs.
func keys(fs []findings.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = key(f)
	}
	slices.Sort(out)
	return out
}

// one returns the finding with key k, failing if there is none.
func one(t *testing.T, fs []findings.Finding, k string) findings.Finding {
	t.Helper()
	for _, f := range fs {
		if key(f) == k {
			return f
		}
	}
	t.Fatalf("no finding %q among %q", k, keys(fs))
	return findings.Finding{}
}
