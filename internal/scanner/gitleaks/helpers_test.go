package gitleaks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/scanner"
)

// Fake credentials, built by concatenation so that no literal secret sits
// in this repository for a scanner (this one included) to flag. The AWS
// key is gitleaks' own sample: the AWS documentation's example key ends in
// EXAMPLE, which the rule allowlists.
var (
	awsKey   = "AKIA" + "LALEMEL33243OLIB"
	awsKey2  = "AKIA" + "ZQ4NRW7TXYV2M3K5"
	ghPAT    = "ghp_" + "Kx9bT3mQ7vR2wL5nP8sD1fG4hJ6kZ0cY2aB4"
	keyBody  = "MIIEowIBAAKCAQEA7Vn3mDq9uJ6s0X2t8Y5pQ4wZ1rB3cF6gH9jK2lM5nO8qR1sT4uV7wX0yZ3aB6cD9eF2gH5iJ8kL1mN4oP7qR0s"
	keyBlock = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + keyBody + "\n-----END RSA PRIVATE KEY-----\n"
	secrets  = []string{awsKey, awsKey2, ghPAT, keyBody}
)

// sharedScanner is built once: compiling gitleaks' rules takes a while.
var sharedScanner = sync.OnceValues(func() (*Scanner, error) { return New(Options{}) })

// newScanner returns the shared default scanner.
func newScanner(t testing.TB) *Scanner {
	t.Helper()
	s, err := sharedScanner()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// writeTree writes files (slash-separated relative path to content) under
// a new temporary directory and returns it.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// scan scans dir with s, failing the test on error.
func scan(t testing.TB, s *Scanner, dir string) scanner.Result {
	t.Helper()
	res, err := s.Scan(context.Background(), dir)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return res
}

// scanFiles writes files to a tree and scans it with the default scanner.
func scanFiles(t testing.TB, files map[string]string) scanner.Result {
	t.Helper()
	return scan(t, newScanner(t), writeTree(t, files))
}

// byRule returns the findings of rule.
func byRule(fs []findings.Finding, rule string) []findings.Finding {
	var out []findings.Finding
	for _, f := range fs {
		if f.RuleID == rule {
			out = append(out, f)
		}
	}
	return out
}

// one returns the single finding of rule, failing otherwise.
func one(t *testing.T, fs []findings.Finding, rule string) findings.Finding {
	t.Helper()
	got := byRule(fs, rule)
	if len(got) != 1 {
		t.Fatalf("%d %s findings, want 1: %+v", len(got), rule, fs)
	}
	return got[0]
}

// lines joins lines with newlines, with a final newline.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// padding returns n filler lines.
func padding(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "// filler"
	}
	return out
}
