package osv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// wantRepo is every finding over testdata/repo, as "path rule pkg@version".
// What is absent matters as much: npm-v2 pins only fixed versions, and
// fixed boundaries (x/image 0.18.0, grpc 1.58.3, jackson-databind is
// affected below 2.9.7 only, avro 1.11.3, protobuf-java 3.15.0) give none.
var wantRepo = []string{
	"go-legacy/go.mod GO-2022-1144 stdlib@1.16",
	"go-legacy/go.mod GO-2024-2887 stdlib@1.16",
	"go-legacy/go.mod GO-2024-2937 golang.org/x/image@0.17.0",
	"go-legacy/go.sum GHSA-qppj-fm5r-hxr3 golang.org/x/net@0.3.0",
	"go-legacy/go.sum GO-2022-1144 golang.org/x/net@0.3.0",
	"go/go.mod GO-2022-1144 stdlib@1.19",
	"go/go.mod GO-2024-2887 stdlib@1.19",
	"go/go.mod GO-2021-0053 github.com/gogo/protobuf@1.3.1",
	"go/go.mod GHSA-qppj-fm5r-hxr3 golang.org/x/net@0.3.0",
	"go/go.mod GO-2022-1144 golang.org/x/net@0.3.0",
	"maven/pom.xml GHSA-2qrg-x229-3v8q log4j:log4j@1.2.17",
	"maven/pom.xml GHSA-4gq5-ch57-c2mg com.fasterxml.jackson.core:jackson-databind@2.9.6",
	"npm-v1/package-lock.json GHSA-35jh-r3h4-6jhm lodash@4.17.15",
	"npm-v1/package-lock.json GHSA-p6mc-m468-83gw lodash@4.17.15",
	"npm-v1/package-lock.json GHSA-vh95-rmgr-6w4m minimist@0.0.8",
	"npm-v1/package-lock.json GHSA-xvch-5gv4-984h minimist@0.0.8",
	"npm-v3/package-lock.json GHSA-6c3j-c64m-qhgq jquery@3.3.1",
	"npm-v3/package-lock.json GHSA-35jh-r3h4-6jhm lodash@4.17.20",
	"npm-v3/package-lock.json GHSA-xvch-5gv4-984h minimist@1.2.5",
	"python/requirements.txt GHSA-6c3j-c64m-qhgq Django@2.2.1",
	"python/requirements.txt GHSA-77rm-9x9h-xj3g protobuf@3.14.0",
}

func TestScanMatchesEveryEcosystem(t *testing.T) {
	res := scanRepo(t)
	got := keys(res.Findings)
	want := slices.Clone(wantRepo)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}
	// go.mod ×2, package-lock.json ×4 (one broken), requirements.txt,
	// pom.xml, Cargo.lock.
	if res.FilesScanned != 9 {
		t.Errorf("FilesScanned = %d, want 9", res.FilesScanned)
	}
	if res.Rules != 14 {
		t.Errorf("Rules = %d, want the 14 records", res.Rules)
	}
}

func TestFindingFields(t *testing.T) {
	f := findingFor(t, scanRepo(t).Findings, "npm-v3/package-lock.json", "GHSA-35jh-r3h4-6jhm", "lodash@4.17.20")
	wantFP := findings.Fingerprint("osv", "GHSA-35jh-r3h4-6jhm", "npm-v3/package-lock.json", "npm/lodash@4.17.20")
	want := findings.Finding{
		ID:          findings.IDFromFingerprint(wantFP),
		Fingerprint: wantFP,
		Key:         findings.ContentKey("osv", "GHSA-35jh-r3h4-6jhm", "npm/lodash@4.17.20"),
		Scanner:     "osv",
		RuleID:      "GHSA-35jh-r3h4-6jhm",
		Title:       "Command Injection in lodash",
		Message:     "lodash@4.17.20 is affected by GHSA-35jh-r3h4-6jhm: Command Injection in lodash. Fixed in 4.17.21 — upgrade.",
		Severity:    findings.SeverityHigh,
		Path:        "npm-v3/package-lock.json",
		StartLine:   21, // "node_modules/lodash": {
		EndLine:     21,
		CWE:         []string{"CWE-77", "CWE-94"},
		HelpURI:     "https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm",
		Category:    "sca",
	}
	tags := f.Tags
	f.Tags = nil
	if !f.Equal(want) {
		t.Errorf("finding:\n got %+v\nwant %+v", f, want)
	}
	for _, tag := range []string{"dependency", "vulnerability", "CVE-2021-23337", "SNYK-JS-LODASH-1040724"} {
		if !slices.Contains(tags, tag) {
			t.Errorf("tags %q lack %q", tags, tag)
		}
	}
}

func TestFindingLinesAndSeverities(t *testing.T) {
	fs := scanRepo(t).Findings
	cases := []struct {
		path, rule, pkg string
		line            int
		sev             findings.Severity
		fixed           string
	}{
		// Go: the require line; stdlib on the go directive; the Go
		// vulnerability database rates nothing.
		{"go/go.mod", "GO-2021-0053", "github.com/gogo/protobuf@1.3.1", 6, findings.SeverityUnknown, "Fixed in 1.3.2"},
		{"go/go.mod", "GO-2022-1144", "stdlib@1.19", 3, findings.SeverityUnknown, "Fixed in 1.19.4"},
		{"go-legacy/go.sum", "GO-2022-1144", "golang.org/x/net@0.3.0", 3, findings.SeverityUnknown, "Fixed in 0.4.0"},
		// GHSA's MODERATE is medium.
		{"go/go.mod", "GHSA-qppj-fm5r-hxr3", "golang.org/x/net@0.3.0", 8, findings.SeverityMedium, "Fixed in 0.17.0"},
		{"npm-v1/package-lock.json", "GHSA-xvch-5gv4-984h", "minimist@0.0.8", 11, findings.SeverityCritical, "Fixed in 0.2.4"},
		{"python/requirements.txt", "GHSA-6c3j-c64m-qhgq", "Django@2.2.1", 2, findings.SeverityMedium, "Fixed in 2.2.2"},
		{"python/requirements.txt", "GHSA-77rm-9x9h-xj3g", "protobuf@3.14.0", 4, findings.SeverityHigh, "Fixed in 3.15.0"},
		// Maven: the <dependency> element; a version from a property.
		{"maven/pom.xml", "GHSA-2qrg-x229-3v8q", "log4j:log4j@1.2.17", 16, findings.SeverityCritical, "No fixed version is known"},
		{"maven/pom.xml", "GHSA-4gq5-ch57-c2mg", "com.fasterxml.jackson.core:jackson-databind@2.9.6", 21, findings.SeverityCritical, "Fixed in 2.9.7"},
	}
	for _, c := range cases {
		f := findingFor(t, fs, c.path, c.rule, c.pkg)
		if f.StartLine != c.line || f.Severity != c.sev || !strings.Contains(f.Message, c.fixed) {
			t.Errorf("%s %s: line %d severity %s message %q; want line %d severity %s, %q",
				c.path, c.rule, f.StartLine, f.Severity, f.Message, c.line, c.sev, c.fixed)
		}
	}
}

func TestSkippedSaysWhatWasNotChecked(t *testing.T) {
	sk := scanRepo(t).Skipped
	for _, want := range []struct{ prefix, part string }{
		// A malformed lockfile: the parse error, not a crash nor a pass.
		{"broken/package-lock.json: not parsed (javascript/packagelockjson)", "unexpected end of JSON input"},
		// An ecosystem the database has no record of.
		{"rust/Cargo.lock: 2 package(s) not checked", "the OSV database has no crates.io records"},
		// A requirement without one version.
		{"python/requirements.txt: 1 package(s) without one pinned version", "requests"},
	} {
		if !hasSkipped(sk, want.prefix, want.part) {
			t.Errorf("Skipped lacks %q…%q: %q", want.prefix, want.part, sk)
		}
	}
	if len(sk) != 3 {
		t.Errorf("Skipped = %q, want 3 entries", sk)
	}
}

func TestVersionDescribesSnapshot(t *testing.T) {
	v := newScanner(t).Version()
	for _, want := range []string{"osv-scalibr v0.5.3", "14 records", "Go, Maven, npm", "newest modified 2024-08-07T20:01:43Z"} {
		if !strings.Contains(v, want) {
			t.Errorf("Version() = %q, lacks %q", v, want)
		}
	}
	if got := newScanner(t).Name(); got != "osv" {
		t.Errorf("Name() = %q", got)
	}
}

func TestFingerprintSurvivesLineMoves(t *testing.T) {
	s := newScanner(t)
	dir := copyTree(t, filepath.Join(testRepo, "python"))
	before := findingFor(t, scan(t, s, dir).Findings, "requirements.txt", "GHSA-77rm-9x9h-xj3g", "protobuf@3.14.0")

	p := filepath.Join(dir, "requirements.txt")
	body, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	moved := "# Added above.\nflask==2.3.3\n\n" + strings.Replace(string(body), "protobuf==3.14.0\n", "", 1) + "protobuf==3.14.0\n"
	if err := writeFile(p, moved); err != nil {
		t.Fatal(err)
	}
	after := findingFor(t, scan(t, s, dir).Findings, "requirements.txt", "GHSA-77rm-9x9h-xj3g", "protobuf@3.14.0")
	if after.StartLine == before.StartLine {
		t.Fatalf("line did not move (%d)", after.StartLine)
	}
	if after.Fingerprint != before.Fingerprint || after.ID != before.ID || after.Key != before.Key {
		t.Errorf("fingerprint changed with the line: %s/%s → %s/%s", before.ID, before.Fingerprint, after.ID, after.Fingerprint)
	}
}

func TestFingerprintDependsOnVersionAndPath(t *testing.T) {
	fs := scanRepo(t).Findings
	a := findingFor(t, fs, "npm-v1/package-lock.json", "GHSA-35jh-r3h4-6jhm", "lodash@4.17.15")
	b := findingFor(t, fs, "npm-v3/package-lock.json", "GHSA-35jh-r3h4-6jhm", "lodash@4.17.20")
	if a.Fingerprint == b.Fingerprint {
		t.Error("different versions and manifests share a fingerprint")
	}
	seen := make(map[string]string)
	for _, f := range fs {
		if other, dup := seen[f.ID]; dup {
			t.Errorf("ID %s on %q and %q", f.ID, key(f), other)
		}
		seen[f.ID] = key(f)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New without DBPath succeeded")
	}
	if _, err := New(Options{DBPath: filepath.Join(t.TempDir(), "absent")}); err == nil {
		t.Error("New with a missing folder succeeded")
	}
	if _, err := New(Options{DBPath: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no usable OSV records") {
		t.Errorf("New over an empty folder: %v", err)
	}
}

func TestScanErrors(t *testing.T) {
	s := newScanner(t)
	if _, err := s.Scan(context.Background(), filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("Scan of a missing root succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Scan(ctx, testRepo); !errors.Is(err, context.Canceled) {
		t.Errorf("Scan with a cancelled context: %v", err)
	}
}

func TestNoManifestsNoFindings(t *testing.T) {
	dir := t.TempDir()
	if err := writeFile(filepath.Join(dir, "main.go"), "package main\n"); err != nil {
		t.Fatal(err)
	}
	res := scan(t, newScanner(t), dir)
	if len(res.Findings) != 0 || len(res.Skipped) != 0 || res.FilesScanned != 0 {
		t.Errorf("result over a tree without manifests: %+v", res)
	}
}

func TestSymlinkedManifestNotFollowed(t *testing.T) {
	dir := copyTree(t, filepath.Join(testRepo, "npm-v3"))
	if err := os.MkdirAll(filepath.Join(dir, "link"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../package-lock.json", filepath.Join(dir, "link", "package-lock.json")); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	res := scan(t, newScanner(t), dir)
	if !hasSkipped(res.Skipped, "link/package-lock.json: symbolic link") {
		t.Errorf("Skipped = %q", res.Skipped)
	}
	for _, f := range res.Findings {
		if f.Path != "package-lock.json" {
			t.Errorf("finding through the link: %s", key(f))
		}
	}
}

func TestConcurrentScans(t *testing.T) {
	s := newScanner(t)
	want := keys(scanRepo(t).Findings)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			res, err := s.Scan(context.Background(), testRepo)
			if err != nil {
				t.Error(err)
				return
			}
			if got := keys(res.Findings); !slices.Equal(got, want) {
				t.Errorf("concurrent scan: %q, want %q", got, want)
			}
		})
	}
	wg.Wait()
}
