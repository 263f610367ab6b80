package external

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// fake is the path of the fake scanner built from testdata/fakescanner.
var fake string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fakescanner-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fake = filepath.Join(dir, "fakescanner")
	build := exec.Command("go", "build", "-buildvcs=false", "-o", fake, ".")
	build.Dir = filepath.Join("testdata", "fakescanner")
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the fake scanner: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tree makes a small repository checkout.
func tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"src/app.go":  "package app\n\nfunc q(db DB, id string) { db.Query(\"SELECT \" + id) }\n",
		"lib/util.go": "package lib\n",
	}
	for p, body := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// newFake configures the fake scanner with args (placeholders included).
func newFake(t *testing.T, mutate func(*Spec), args ...string) *Scanner {
	t.Helper()
	spec := Spec{Name: "semgrep", Command: append([]string{fake}, args...), Timeout: time.Minute, TempDir: t.TempDir()}
	if mutate != nil {
		mutate(&spec)
	}
	s, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ruleIDs(fs []findings.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.RuleID)
	}
	return ids
}

// TestScanFindings: the SARIF is imported with repo-relative paths, the
// spec's name and category, redacted messages; the scanner had neither the
// network (not even loopback) nor the app's environment.
func TestScanFindings(t *testing.T) {
	t.Setenv("CONVISO_TEST_CANARY", "must-not-leak")
	t.Setenv("GITHUB_TOKEN", "ghs_must_not_leak")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	root := tree(t)
	s := newFake(t, func(sp *Spec) { sp.VersionCommand = []string{fake, "-mode=version"} },
		"-mode=findings", "-out={{output}}", "-dir", "{{dir}}", "-dial", ln.Addr().String(), "-canary", "CONVISO_TEST_CANARY")
	if s.Name() != "semgrep" || s.Version() != "fakescanner 1.2.3" {
		t.Fatalf("name %q version %q", s.Name(), s.Version())
	}
	res, err := s.Scan(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	ids := ruleIDs(res.Findings)
	if !slices.Contains(ids, "net:blocked") {
		t.Errorf("the scanner reached 127.0.0.1 on the test's listener: rules %v", ids)
	}
	if !slices.Contains(ids, "env:clean") {
		t.Errorf("the scanner saw the app's environment: rules %v", ids)
	}
	if res.Rules < 1 {
		t.Errorf("rules = %d", res.Rules)
	}
	var sqli *findings.Finding
	for i, f := range res.Findings {
		if f.Scanner != "semgrep" || f.Category != Category {
			t.Errorf("finding %s: scanner %q category %q", f.RuleID, f.Scanner, f.Category)
		}
		if strings.Contains(f.Message, "secret-ish") {
			t.Errorf("message not redacted: %q", f.Message)
		}
		if f.RuleID == "sql-injection" {
			sqli = &res.Findings[i]
		} else if f.Path != "lib/util.go" {
			t.Errorf("finding %s path %q, want lib/util.go", f.RuleID, f.Path)
		}
	}
	if sqli == nil || sqli.Path != "src/app.go" || sqli.StartLine != 3 || sqli.Severity != findings.SeverityHigh {
		t.Fatalf("the absolute file:// finding was not mapped into the tree: %+v", sqli)
	}
}

// TestScanWithoutIsolationReachesListener shows the network probe is real:
// without the namespaces the same dial succeeds.
func TestScanWithoutIsolationReachesListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := newFake(t, nil, "-out={{output}}", "-dir={{dir}}", "-dial="+ln.Addr().String())
	s.isolation = func() isolation { return &syscall.SysProcAttr{Setpgid: true} }
	res, err := s.Scan(context.Background(), tree(t))
	if err != nil {
		t.Fatal(err)
	}
	if ids := ruleIDs(res.Findings); !slices.Contains(ids, "net:open") {
		t.Fatalf("control run could not reach the listener: %v", ids)
	}
}

// TestIsolationFailureDoesNotRun: when the namespaces cannot be set up the
// scan fails and the program never runs.
func TestIsolationFailureDoesNotRun(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	s := newFake(t, nil, "-out={{output}}", "-marker="+marker)
	s.isolation = func() isolation {
		a := defaultIsolation()
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 0}}
		return a
	}
	_, err := s.Scan(context.Background(), tree(t))
	if err == nil || !strings.Contains(err.Error(), "was not run") || !strings.Contains(err.Error(), "network namespaces") {
		t.Fatalf("err = %v", err)
	}
	if _, statErr := os.Stat(marker); statErr == nil {
		t.Fatal("the scanner ran although it could not be isolated")
	}
}

func TestExitStatus(t *testing.T) {
	s := newFake(t, nil, "-out={{output}}", "-dir={{dir}}", "-exit=1")
	_, err := s.Scan(context.Background(), tree(t))
	if err == nil || !strings.Contains(err.Error(), "exited with status 1 (allowed: 0)") ||
		!strings.Contains(err.Error(), "fakescanner: done") {
		t.Fatalf("err = %v", err)
	}
	s = newFake(t, func(sp *Spec) { sp.OKExitCodes = []int{0, 1} }, "-out={{output}}", "-dir={{dir}}", "-exit=1")
	res, err := s.Scan(context.Background(), tree(t))
	if err != nil || len(res.Findings) == 0 {
		t.Fatalf("with ok_exit_codes [0, 1]: %d findings, err %v", len(res.Findings), err)
	}
}

func TestInvalidSARIF(t *testing.T) {
	s := newFake(t, nil, "-mode=invalid", "-out={{output}}")
	_, err := s.Scan(context.Background(), tree(t))
	if err == nil || !strings.Contains(err.Error(), "invalid SARIF") || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v", err)
	}
}

func TestNoSARIF(t *testing.T) {
	s := newFake(t, nil, "-mode=none", "-out={{output}}")
	_, err := s.Scan(context.Background(), tree(t))
	if err == nil || !strings.Contains(err.Error(), "wrote no SARIF") || !strings.Contains(err.Error(), "nothing to say") {
		t.Fatalf("err = %v", err)
	}
}

// TestTimeoutKillsProcessGroup: on timeout the scanner and the child it
// spawned are killed.
func TestTimeoutKillsProcessGroup(t *testing.T) {
	root := tree(t)
	s := newFake(t, func(sp *Spec) { sp.Timeout = 3 * time.Second }, "-mode=sleep", "-out={{output}}", "-dir={{dir}}")
	_, err := s.Scan(context.Background(), root)
	if err == nil || !strings.Contains(err.Error(), "timed out after 3s") {
		t.Fatalf("err = %v", err)
	}
	assertKilled(t, root)
}

// TestCancelKillsProcessGroup: cancelling the scan kills the scanner and
// its child, and the error carries the context's.
func TestCancelKillsProcessGroup(t *testing.T) {
	root := tree(t)
	s := newFake(t, nil, "-mode=sleep", "-out={{output}}", "-dir={{dir}}")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for !exists(filepath.Join(root, "parent.pid")) || !exists(filepath.Join(root, "child.pid")) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
	}()
	_, err := s.Scan(ctx, root)
	if err == nil || ctx.Err() == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err = %v", err)
	}
	assertKilled(t, root)
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// assertKilled waits for the pids the fake recorded to be gone (or
// zombies waiting for their reaper).
func assertKilled(t *testing.T, root string) {
	t.Helper()
	for _, name := range []string{"parent.pid", "child.pid"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatalf("the fake did not record %s: %v", name, err)
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("%s %d still running", name, pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func TestNewErrors(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
		want string
	}{
		{"no name", Spec{Command: []string{fake, "{{output}}"}}, "name is empty"},
		{"empty", Spec{Name: "x"}, "is empty"},
		{"relative", Spec{Name: "x", Command: []string{"./bin/scan", "{{output}}"}}, "relative path"},
		{"missing", Spec{Name: "x", Command: []string{"no-such-scanner-xyz", "{{output}}"}}, "not an executable"},
		{"no output", Spec{Name: "x", Command: []string{fake, "{{dir}}"}}, "no {{output}}"},
		{"unknown placeholder", Spec{Name: "x", Command: []string{fake, "{{output}}", "--token={{token}}"}}, "unknown placeholder {{token}}"},
		{"version placeholder", Spec{Name: "x", Command: []string{fake, "{{output}}"}, VersionCommand: []string{fake, "{{dir}}"}}, "version command"},
		{"negative timeout", Spec{Name: "x", Command: []string{fake, "{{output}}"}, Timeout: -time.Second}, "negative timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestVersionUnknown(t *testing.T) {
	s := newFake(t, nil, "-out={{output}}")
	if s.Version() != "unknown" {
		t.Errorf("no version command: %q", s.Version())
	}
	s = newFake(t, func(sp *Spec) { sp.VersionCommand = []string{fake, "-mode=none", "-exit=2"} }, "-out={{output}}")
	if s.Version() != "unknown" {
		t.Errorf("failing version command: %q", s.Version())
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 8}
	for _, s := range []string{"abc", "defgh", "ijk"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatal(n, err)
		}
	}
	if got := string(b.bytes()); got != "defghijk" {
		t.Fatalf("tail %q", got)
	}
	_, _ = b.Write([]byte("0123456789"))
	if got := string(b.bytes()); got != "23456789" {
		t.Fatalf("tail %q", got)
	}
}
