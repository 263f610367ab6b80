package sarif

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// fuzzSeeds are small logs that reach the path and identity logic.
var fuzzSeeds = []string{
	`{"version":"2.1.0","runs":[]}`,
	`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"R","properties":{"security-severity":"9.1","tags":["external/cwe/cwe-79"]}}]}},"results":[{"ruleId":"R","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a/../b.go"},"region":{"startLine":3,"snippet":{"text":"x"}}}}]}]}]}`,
	`{"version":"2.1.0","runs":[{"originalUriBaseIds":{"%SRCROOT%":{"uri":"file:///r/"},"A":{"uri":"a%2F..%2F../","uriBaseId":"%SRCROOT%"}},"results":[{"ruleIndex":0,"message":{"id":"m","arguments":["1"]},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"x.go","uriBaseId":"A"}}}],"partialFingerprints":{"primaryLocationLineHash":"h:1"}}],"tool":{"driver":{"name":"t","rules":[{"id":"R","messageStrings":{"m":{"text":"{0}"}}}]}}}]}`,
	`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"file:///r/./x/%2e%2e/y.go"}}}]},{"kind":"pass","message":{"text":"m"}}]}]}`,
}

// FuzzImport checks that no input panics the importer and that every
// finding it returns has a clean repository path and a consistent id.
func FuzzImport(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, name := range testdataLogs(f) {
		f.Add(compactSeed(f, name))
	}
	lenient := ImportOptions{SkipBadPaths: true, Truncate: true, Limits: Limits{MaxRuns: 3, MaxResultsPerRun: 50, MaxRulesPerRun: 50}}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := ImportOptions{}
		if len(data)%2 == 1 { // one import per input keeps minimising cheap
			opts = lenient
		}
		res, err := Import(context.Background(), bytes.NewReader(data), opts)
		if err != nil {
			return
		}
		for _, fd := range res.Findings {
			checkFinding(t, fd)
		}
	})
}

// FuzzResolve fuzzes the path rules alone: a uri, relative to a base whose
// own uri is relative to %SRCROOT% (file:///ci/repo/), must resolve to a
// clean repository path or be refused.
func FuzzResolve(f *testing.F) {
	for _, s := range [][3]string{
		{"a/b.go", "src/", "%SRCROOT%"},
		{"../x", "a/", "%SRCROOT%"},
		{"file:///ci/repo/a.go", "", ""},
		{"%2e%2e/%2E%2e/etc", "x%2F", "B"},
		{`..\..\win`, "/abs/", ""},
		{"http://h/a", "file:///ci/repo/sub/", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, uri, baseURI, baseBase string) {
		bases := map[string]baseDecl{
			"%SRCROOT%": {URI: "file:///ci/repo/"},
			"B":         {URI: baseURI, URIBaseID: baseBase},
		}
		r := newResolver(ImportOptions{}, bases)
		for _, base := range []string{"", "B", "%SRCROOT%"} {
			p, err := r.resolve(uri, base)
			if err != nil {
				continue
			}
			checkFinding(t, findings.Finding{Path: p, StartLine: 1, EndLine: 1, Scanner: "x", Fingerprint: "ab", ID: findings.IDFromFingerprint("ab")})
		}
	})
}

// seedItems is how many rules and results of each run a seed keeps. Seeds
// are kept small because the fuzzer minimises every new input it finds, in
// time quadratic in its size: inputs grown from a whole log (gitleaks'
// has 222 rules; TestGolden covers the whole logs) would take most of a
// short fuzzing run.
const seedItems = 2

// compactSeed returns a testdata log with at most seedItems rules (of each
// tool component) and results per run, without white space.
func compactSeed(f *testing.F, name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(data, &log); err != nil {
		f.Fatalf("%s: %v", name, err)
	}
	runs, _ := log["runs"].([]any)
	for _, r := range runs {
		run, _ := r.(map[string]any)
		truncateList(run, "results")
		tool, _ := run["tool"].(map[string]any)
		driver, _ := tool["driver"].(map[string]any)
		truncateList(driver, "rules")
		exts, _ := tool["extensions"].([]any)
		for _, e := range exts {
			ext, _ := e.(map[string]any)
			truncateList(ext, "rules")
		}
	}
	seed, err := json.Marshal(log)
	if err != nil {
		f.Fatal(err)
	}
	return seed
}

// truncateList keeps the first seedItems elements of the array m[key].
func truncateList(m map[string]any, key string) {
	if list, ok := m[key].([]any); ok && len(list) > seedItems {
		m[key] = list[:seedItems]
	}
}

// checkFinding fails unless f has a clean relative path, sane lines and
// an id derived from its fingerprint.
func checkFinding(t *testing.T, f findings.Finding) {
	t.Helper()
	segments := strings.Split(f.Path, "/")
	switch {
	case f.Path == "" || strings.HasPrefix(f.Path, "/") || strings.Contains(f.Path, `\`):
		t.Errorf("bad path %q", f.Path)
	case slices.Contains(segments, "..") || slices.Contains(segments, ".") || slices.Contains(segments, ""):
		t.Errorf("path %q has a '..', '.' or empty segment", f.Path)
	case strings.IndexFunc(f.Path, isControl) >= 0:
		t.Errorf("path %q has a control character", f.Path)
	case f.Path != findings.NormalisePath(f.Path):
		t.Errorf("path %q is not normalised", f.Path)
	}
	if f.StartLine < 1 || f.EndLine < f.StartLine {
		t.Errorf("lines %d-%d", f.StartLine, f.EndLine)
	}
	if f.Fingerprint == "" || f.ID != findings.IDFromFingerprint(f.Fingerprint) || f.Scanner == "" {
		t.Errorf("identity: %+v", f)
	}
}
