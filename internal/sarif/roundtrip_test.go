package sarif

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// importAll imports every testdata log and returns the tools and findings.
func importAll(t *testing.T) ([]ToolInfo, []findings.Finding) {
	t.Helper()
	var tools []ToolInfo
	var fs []findings.Finding
	for _, name := range testdataLogs(t) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		res := mustImport(t, string(data), testdataOptions(name))
		tools = append(tools, res.Tools...)
		fs = append(fs, res.Findings...)
	}
	return tools, fs
}

// handMadeFindings exercise what the testdata logs do not: severities that
// differ within a rule, odd paths, columns, no fingerprint, categories.
func handMadeFindings() []findings.Finding {
	base := findings.Finding{Scanner: "conviso-sca", RuleID: "CVE-2024-0001", Title: "Vulnerable package", HelpURI: "https://example.com/cve", Tags: []string{"dependency"}, CWE: []string{"CWE-79"}}
	a, b, c, d := base, base, base, base
	a.Path, a.StartLine, a.EndLine, a.Severity, a.Message = "go.sum", 10, 10, findings.SeverityCritical, "critical here"
	b.Path, b.StartLine, b.EndLine, b.Severity, b.StartColumn, b.EndColumn = "web/package lock#1.json", 3, 5, findings.SeverityLow, 2, 7
	c.Path, c.StartLine, c.EndLine, c.Severity, c.Category = "a:b/c?.txt", 1, 1, findings.SeverityMedium, "nightly"
	d.RuleID, d.Path, d.StartLine, d.EndLine, d.Severity, d.Tags, d.CWE = "CVE-2024-0002", "x.go", 2, 2, findings.SeverityHigh, nil, nil
	out := []findings.Finding{a, b, c, d}
	for i := range out {
		out[i].Fingerprint = findings.Fingerprint(out[i].Scanner, out[i].RuleID, out[i].Path, out[i].Message)
		out[i].Key = findings.ContentKey(out[i].Scanner, out[i].RuleID, out[i].Message)
		out[i].ID = findings.IDFromFingerprint(out[i].Fingerprint)
	}
	return out
}

// identity is what a round trip must keep.
type identity struct {
	ID, Fingerprint, Key, Scanner, RuleID, Path string
	Severity                                    findings.Severity
	StartLine, EndLine                          int
	StartColumn, EndColumn                      int
	Category                                    string
}

func identityOfFinding(f findings.Finding) identity {
	return identity{f.ID, f.Fingerprint, f.Key, f.Scanner, f.RuleID, f.Path, f.Severity, f.StartLine, f.EndLine, f.StartColumn, f.EndColumn, f.Category}
}

// TestRoundTrip writes findings and imports them back: same IDs,
// severities, paths and lines.
func TestRoundTrip(t *testing.T) {
	tools, fs := importAll(t)
	fs = append(fs, handMadeFindings()...)
	var buf bytes.Buffer
	if err := Write(&buf, tools, fs); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, buf.String(), ImportOptions{})
	want := map[string]identity{}
	for _, f := range fs {
		want[f.ID] = identityOfFinding(f)
	}
	got := map[string]identity{}
	for _, f := range res.Findings {
		got[f.ID] = identityOfFinding(f)
	}
	if len(got) != len(want) || len(res.Findings) != len(fs) {
		t.Fatalf("%d findings (%d ids) back, want %d (%d ids)", len(res.Findings), len(got), len(fs), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %+v\nwant %+v", id, got[id], w)
		}
	}
	for _, f := range res.Findings {
		if f.Title == "" || f.Message == "" {
			t.Errorf("%s lost its title or message: %+v", f.ID, f)
		}
	}
	if len(res.Tools) < len(tools) {
		t.Errorf("tools %+v, want at least %+v", res.Tools, tools)
	}
}

func TestWriteEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, nil, nil); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, buf.String(), ImportOptions{})
	if res.RunCount != 0 || len(res.Findings) != 0 {
		t.Errorf("%+v", res)
	}
	buf.Reset()
	if err := Write(&buf, []ToolInfo{{Name: "gosec", Version: "2.30.0"}}, nil); err != nil {
		t.Fatal(err)
	}
	res = mustImport(t, buf.String(), ImportOptions{})
	if res.RunCount != 1 || res.Tools[0].Name != "gosec" || res.Tools[0].Version != "2.30.0" {
		t.Errorf("a tool without findings: %+v", res)
	}
}

// sarifSchema compiles the SARIF 2.1.0 JSON schema shipped in testdata.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWriteValidatesAgainstSchema validates Write's output, and the
// testdata logs, against the SARIF 2.1.0 schema.
func TestWriteValidatesAgainstSchema(t *testing.T) {
	schema := sarifSchema(t)
	tools, fs := importAll(t)
	var buf bytes.Buffer
	if err := Write(&buf, tools, append(fs, handMadeFindings()...)); err != nil {
		t.Fatal(err)
	}
	logs := map[string][]byte{"Write output": buf.Bytes()}
	for _, name := range testdataLogs(t) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		logs[name] = data
	}
	for name, data := range logs {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := schema.Validate(doc); err != nil {
			t.Errorf("%s is not valid SARIF 2.1.0: %v", name, err)
		}
	}
	for _, want := range []string{`"$schema": "` + SchemaURI + `"`, `"uriBaseId": "%SRCROOT%"`, `"` + PFPFingerprint + `"`, `"security-severity"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %s", want)
		}
	}
}

// TestImportFuncStreamsRuns checks that ImportFunc hands each run's
// findings over when the run ends, before reading the next run.
func TestImportFuncStreamsRuns(t *testing.T) {
	log := logJSON(t, runOf(nil, resultOf("R1", "a.go", 1)), obj{"results": []obj{}, "tool": "not an object"})
	got := 0
	_, err := ImportFunc(context.Background(), strings.NewReader(log), ImportOptions{}, func(findings.Finding) error {
		got++
		return nil
	})
	if err == nil || got != 1 {
		t.Errorf("error %v after %d findings; want an error after the first run's finding", err, got)
	}
}
