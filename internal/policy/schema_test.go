package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const schemaPath = "../../docs/policy.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc := readSchema(t)
	c := jsonschema.NewCompiler()
	if err := c.AddResource("policy.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("policy.schema.json")
	if err != nil {
		t.Fatalf("compiling %s: %v", schemaPath, err)
	}
	return s
}

func readSchema(t *testing.T) any {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	return doc
}

// yamlToJSON converts a YAML document to the JSON value an editor's schema
// validator sees.
func yamlToJSON(t *testing.T, src string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// examples returns every example policy: testdata/policies/*.yml, each
// ```yaml block of docs/policy.md, and the server default.
func examples(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"DefaultYAML": DefaultYAML}
	files, _ := filepath.Glob("testdata/policies/*.yml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(data)
	}
	doc, err := os.ReadFile("../../docs/policy.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := yamlBlock.FindAllStringSubmatch(string(doc), -1)
	for i, m := range blocks {
		out["docs/policy.md block "+string(rune('A'+i%26))+strings.Repeat("'", i/26)] = m[1]
	}
	if len(files) < 5 || len(blocks) < 10 {
		t.Fatalf("found %d testdata files and %d docs blocks; expected more", len(files), len(blocks))
	}
	return out
}

// TestExamplesValid: every example is accepted by Parse and by the schema.
func TestExamplesValid(t *testing.T) {
	s := compileSchema(t)
	for label, src := range examples(t) {
		if _, err := Parse(name, []byte(src)); err != nil {
			t.Errorf("%s: Parse: %v\n%s", label, err, src)
		}
		if err := s.Validate(yamlToJSON(t, src)); err != nil {
			t.Errorf("%s: schema: %v\n%s", label, err, src)
		}
	}
}

// TestInvalidRejectedByBoth: files the parser rejects that the schema can
// describe are rejected by the schema too.
func TestInvalidRejectedByBoth(t *testing.T) {
	s := compileSchema(t)
	for _, src := range []string{
		"mode: block\n", "modes: warn\n", "version: 2\n", "gate:\n  max: {critcal: 0}\n",
		"gate:\n  max: {high: -1}\n", "gate:\n  max: {high: ten}\n", "gate:\n  block_at: severe\n",
		"gate:\n  scope: both\n", "gate:\n  always_block: {cwe: [cwe-79]}\n", "gate:\n  never_block: {rule: [x]}\n",
		"gate:\n  required_scanners: gitleaks\n", "gate:\n  required_scanners: [\"a b\"]\n",
		"branches:\n  - mode: warn\n", "branches:\n  - match: main\n", "branches:\n  - match: refs/heads/main\n    mode: warn\n",
		"branches:\n  - match: main\n    ignore: []\n", "ignore:\n  - paths: [a]\n", "ignore:\n  - reason: x\n",
		"ignore:\n  - paths: []\n    reason: x\n", "ignore:\n  - paths: [a]\n    reason: \" \"\n",
		"ignore:\n  - paths: [/a]\n    reason: x\n", "on_scanner_failure: ignore\n", "annotate: nofilter\n",
		"comment: true\n", "exceptions:\n  kinds: []\n", "exceptions:\n  kinds: [later]\n",
		"exceptions:\n  max_duration: 3 months\n", "exceptions:\n  approvers: [\"@acme/\"]\n",
		"exceptions:\n  paths:\n    - match: a\n", "exceptions:\n  paths:\n    - approvers: [a]\n",
		"lock: [annotate]\n", "mode:\n", "- a\n",
	} {
		if _, err := Parse(name, []byte(src)); err == nil {
			t.Errorf("Parse accepted %q", src)
		}
		if err := s.Validate(yamlToJSON(t, src)); err == nil {
			t.Errorf("schema accepted %q", src)
		}
	}
}

// TestSchemaMatchesParser: the schema lists exactly the parser's keys and
// allowed values, mapping by mapping.
func TestSchemaMatchesParser(t *testing.T) {
	doc := readSchema(t).(map[string]any)
	defs := doc["$defs"].(map[string]any)
	obj := func(path ...string) map[string]any {
		var cur any = doc
		for _, p := range path {
			cur = deref(defs, cur.(map[string]any)[p])
		}
		return deref(defs, cur).(map[string]any)
	}
	keysOf := func(m map[string]any) []string {
		var ks []string
		for k := range m["properties"].(map[string]any) {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	props := func(path ...string) map[string]any {
		return obj(append([]string{"properties"}, path...)...)
	}
	for label, pair := range map[string][2][]string{
		"file":            {keysOf(doc), fileKeys},
		"gate":            {keysOf(props("gate")), gateKeys},
		"max":             {keysOf(obj("$defs", "max")), severityKeys},
		"matchers":        {keysOf(obj("$defs", "always_block")), matcherKeys},
		"never_block":     {keysOf(obj("$defs", "never_block")), matcherKeys},
		"branch":          {keysOf(obj("$defs", "branch")), branchKeys},
		"ignore":          {keysOf(obj("$defs", "ignore")), ignoreKeys},
		"exceptions":      {keysOf(obj("$defs", "exceptions")), exceptionKeys},
		"path approvers":  {keysOf(obj("$defs", "path_approvers")), pathRuleKeys},
		"mode":            {enumOf(obj("$defs", "mode")), modeValues},
		"scope":           {enumOf(obj("$defs", "scope")), scopeValues},
		"block_at":        {enumOf(obj("$defs", "block_at")), blockAtValues},
		"on_scanner_fail": {enumOf(props("on_scanner_failure")), failureValues},
		"annotate":        {enumOf(props("annotate")), annotateValues},
		"comment":         {enumOf(props("comment")), commentValues},
		"kinds":           {enumOf(obj("$defs", "exceptions", "properties", "kinds", "items")), kindValues},
		"lock":            {enumOf(props("lock", "items")), lockableKeys},
	} {
		if got, want := pair[0], sorted(pair[1]); !slices.Equal(got, want) {
			t.Errorf("%s: schema has %v, parser has %v", label, got, want)
		}
	}
}

func deref(defs map[string]any, v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if ref, ok := m["$ref"].(string); ok {
		return deref(defs, defs[strings.TrimPrefix(ref, "#/$defs/")])
	}
	return m
}

func enumOf(m map[string]any) []string {
	var out []string
	for _, v := range m["enum"].([]any) {
		out = append(out, v.(string))
	}
	slices.Sort(out)
	return out
}

// TestDocsShowDefault: docs/policy.md quotes the server default verbatim.
func TestDocsShowDefault(t *testing.T) {
	doc, err := os.ReadFile("../../docs/policy.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```yaml\n"+DefaultYAML+"```") {
		t.Error("docs/policy.md does not show DefaultYAML as it is")
	}
}
