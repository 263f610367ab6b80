package osv

import (
	"context"
	"github.com/conviso/conviso-github-app/internal/testutil/tree"
	"strings"
	"sync"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/scanner"
)

// Test data: testdata/db holds real OSV records and testdata/repo real
// manifests (see testdata/README.md).
const (
	testDB   = "testdata/db"
	testRepo = "testdata/repo"
)

// sharedScanner is the scanner over testdata/db, built once.
var sharedScanner = sync.OnceValues(func() (*Scanner, error) { return New(Options{DBPath: testDB}) })

// newScanner returns the shared scanner.
func newScanner(t testing.TB) *Scanner {
	t.Helper()
	s, err := sharedScanner()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// repoResult is the shared scanner's result over testdata/repo, computed
// once.
var repoResult = sync.OnceValues(func() (scanner.Result, error) {
	s, err := sharedScanner()
	if err != nil {
		return scanner.Result{}, err
	}
	return s.Scan(context.Background(), testRepo)
})

// scanRepo returns the result over testdata/repo.
func scanRepo(t testing.TB) scanner.Result {
	t.Helper()
	res, err := repoResult()
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
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

// key names a finding for comparisons: "path rule package@version".
func key(f findings.Finding) string {
	pkg, _, _ := strings.Cut(f.Message, " is affected by ")
	return f.Path + " " + f.RuleID + " " + pkg
}

// keys returns the keys of fs.
func keys(fs []findings.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = key(f)
	}
	return out
}

// findingFor returns the finding of rule for pkg ("name@version") in path,
// failing if there is none.
func findingFor(t *testing.T, fs []findings.Finding, path, rule, pkg string) findings.Finding {
	t.Helper()
	want := path + " " + rule + " " + pkg
	for _, f := range fs {
		if key(f) == want {
			return f
		}
	}
	t.Fatalf("no finding %q among %q", want, keys(fs))
	return findings.Finding{}
}
