package sarif

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// obj is a JSON object under construction.
type obj = map[string]any

// with returns a copy of o with the members of more added.
func with(o obj, more ...obj) obj {
	out := maps.Clone(o)
	for _, m := range more {
		maps.Copy(out, m)
	}
	return out
}

// logJSON renders a SARIF 2.1.0 log with these runs.
func logJSON(t testing.TB, runs ...obj) string {
	t.Helper()
	if runs == nil {
		runs = []obj{}
	}
	b, err := json.Marshal(obj{"version": "2.1.0", "runs": runs})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runOf builds a run of tool "demo" with these rules and results.
func runOf(rules []obj, results ...obj) obj {
	if rules == nil {
		rules = []obj{}
	}
	if results == nil {
		results = []obj{}
	}
	return obj{
		"tool":    obj{"driver": obj{"name": "Demo", "version": "1.0", "rules": rules}},
		"results": results,
	}
}

// ruleOf builds a rule; props become its property bag.
func ruleOf(id string, more ...obj) obj {
	return with(obj{"id": id, "shortDescription": obj{"text": "Rule " + id}}, more...)
}

// resultOf builds a result of rule at uri, line.
func resultOf(rule, uri string, line int, more ...obj) obj {
	loc := obj{"physicalLocation": obj{
		"artifactLocation": obj{"uri": uri},
		"region":           obj{"startLine": line},
	}}
	return with(obj{"ruleId": rule, "message": obj{"text": "problem in " + uri}, "locations": []obj{loc}}, more...)
}

// locatedAt builds the locations member of a result.
func locatedAt(uri, base string, region obj) obj {
	al := obj{"uri": uri}
	if base != "" {
		al["uriBaseId"] = base
	}
	pl := obj{"artifactLocation": al}
	if region != nil {
		pl["region"] = region
	}
	return obj{"locations": []obj{{"physicalLocation": pl}}}
}

// importString imports a log held in a string.
func importString(t testing.TB, log string, opts ImportOptions) (*Result, error) {
	t.Helper()
	return Import(context.Background(), strings.NewReader(log), opts)
}

// mustImport imports a log and fails the test on error.
func mustImport(t testing.TB, log string, opts ImportOptions) *Result {
	t.Helper()
	res, err := importString(t, log, opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

// only returns the single finding of res.
func only(t testing.TB, res *Result) findings.Finding {
	t.Helper()
	if len(res.Findings) != 1 {
		t.Fatalf("%d findings, want 1: %+v (skipped %+v)", len(res.Findings), res.Findings, res.Skipped)
	}
	return res.Findings[0]
}

// writeFiles creates files (path: content) under a new temporary
// directory and returns it.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// testdataLogs lists the SARIF files in testdata.
func testdataLogs(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.sarif"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no testdata logs: %v", err)
	}
	return names
}

// testdataOptions are the import options each testdata log is read with.
func testdataOptions(name string) ImportOptions {
	switch filepath.Base(name) {
	case "gitleaks.sarif", "gitleaks-published.sarif":
		return ImportOptions{RedactMessages: true}
	}
	return ImportOptions{}
}
