package sarif

import (
	"slices"
	"testing"
)

func TestCWEFromTag(t *testing.T) {
	cases := map[string]string{
		"external/cwe/cwe-798":                   "CWE-798",
		"external/cwe/cwe-079":                   "CWE-79",
		"CWE-79":                                 "CWE-79",
		"cwe-22":                                 "CWE-22",
		"CWE:327":                                "CWE-327",
		"cwe_78":                                 "CWE-78",
		"CWE 89":                                 "CWE-89",
		"CWE798":                                 "CWE-798",
		"CWE-798: Use of Hard-coded Credentials": "CWE-798",
		"security":                               "",
		"OWASP-A03:2021 - Injection":             "",
		"cwe":                                    "",
		"CWE-":                                   "",
		"external/cwe/cwe-x":                     "",
		"notcwe-79":                              "",
	}
	for tag, want := range cases {
		got, ok := cweFromTag(tag)
		if ok != (want != "") || got != want {
			t.Errorf("cweFromTag(%q) = %q, %v; want %q", tag, got, ok, want)
		}
	}
}

func TestClassify(t *testing.T) {
	idx := 0
	taxa := []descriptorRefDecl{
		{ID: "798", ToolComponent: &toolComponentRefDecl{Name: "CWE"}},
		{ID: "CWE-22", ToolComponent: &toolComponentRefDecl{Name: "cwe"}},
		{ID: "CWE-327"},
		{ID: "A03", ToolComponent: &toolComponentRefDecl{Name: "OWASP", Index: &idx}},
		{ID: "not-a-number", ToolComponent: &toolComponentRefDecl{Name: "CWE"}},
	}
	tags := []string{"security", "external/cwe/cwe-798", "HIGH", "CWE-79: XSS", " ", "security"}
	other, cwe := classify(tags, taxa)
	if want := []string{"HIGH", "security"}; !slices.Equal(other, want) {
		t.Errorf("tags %q, want %q", other, want)
	}
	if want := []string{"CWE-22", "CWE-79", "CWE-327", "CWE-798"}; !slices.Equal(cwe, want) {
		t.Errorf("cwe %q, want %q", cwe, want)
	}
}

// TestCWEAndTagsImported checks CWE ids from rule tags, rule relationships
// (gosec's form), result tags and result taxa, and that other tags of the
// rule and the result are kept.
func TestCWEAndTagsImported(t *testing.T) {
	rule := ruleOf("R1", obj{
		"properties": obj{"tags": []string{"security", "external/cwe/cwe-089"}},
		"relationships": []obj{{
			"target": obj{"id": "943", "toolComponent": obj{"name": "CWE"}},
			"kinds":  []string{"superset"},
		}},
	})
	result := resultOf("R1", "a.go", 1, obj{
		"properties": obj{"tags": []string{"sql", "CWE-564"}},
		"taxa":       []obj{{"id": "20", "toolComponent": obj{"name": "CWE"}}},
	})
	f := only(t, mustImport(t, logJSON(t, runOf([]obj{rule}, result)), ImportOptions{}))
	if want := []string{"CWE-20", "CWE-89", "CWE-564", "CWE-943"}; !slices.Equal(f.CWE, want) {
		t.Errorf("CWE %q, want %q", f.CWE, want)
	}
	if want := []string{"security", "sql"}; !slices.Equal(f.Tags, want) {
		t.Errorf("tags %q, want %q", f.Tags, want)
	}
}
