package sarif

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// orderedRun renders a run with its members in the given order.
func orderedRun(t *testing.T, members map[string]string, order ...string) string {
	t.Helper()
	parts := make([]string, 0, len(order))
	for _, k := range order {
		parts = append(parts, `"`+k+`": `+members[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// TestMemberOrderDoesNotMatter imports the same run with its tool, bases
// and automation details before and after its results: the findings are
// the same (results read before the tool wait, compacted, for the run's
// end).
func TestMemberOrderDoesNotMatter(t *testing.T) {
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	members := map[string]string{
		"tool": enc(obj{"driver": obj{"name": "Demo", "rules": []obj{
			ruleOf("R0", obj{"properties": obj{"security-severity": "9.1", "tags": []string{"CWE-89"}}}),
			ruleOf("R1", obj{"defaultConfiguration": obj{"level": "note"}}),
		}}}),
		"originalUriBaseIds": enc(obj{"SRC": obj{"uri": "file:///ci/repo/"}, "%SRCROOT%": obj{"uri": "file:///ci/repo/"}, "LIB": obj{"uri": "lib/", "uriBaseId": "SRC"}}),
		"automationDetails":  enc(obj{"id": "nightly/"}),
		"results": enc([]obj{
			with(resultOf("", "", 0, obj{"ruleIndex": 0}), locatedAt("a.go", "LIB", obj{"startLine": 4, "snippet": obj{"text": "q(x)"}})),
			with(resultOf("R1", "", 0), locatedAt("file:///ci/repo/b.go", "", obj{"startLine": 2})),
			resultOf("R1", "c.go", 9),
		}),
	}
	orders := [][]string{
		{"tool", "originalUriBaseIds", "automationDetails", "results"},
		{"results", "tool", "originalUriBaseIds", "automationDetails"},
		{"results", "originalUriBaseIds", "automationDetails", "tool"},
		{"tool", "results", "automationDetails", "originalUriBaseIds"},
	}
	var first *Result
	for _, order := range orders {
		log := `{"version": "2.1.0", "runs": [` + orderedRun(t, members, order...) + `]}`
		res := mustImport(t, log, ImportOptions{})
		if len(res.Findings) != 3 {
			t.Fatalf("order %v: %d findings", order, len(res.Findings))
		}
		if first == nil {
			first = res
			f := res.Findings[2] // in order of path: b.go, c.go, lib/a.go
			if f.Path != "lib/a.go" || f.RuleID != "R0" || f.Severity.String() != "critical" || f.Category != "nightly/" || len(f.CWE) != 1 {
				t.Errorf("first finding %+v", f)
			}
			continue
		}
		if !reflect.DeepEqual(res, first) {
			t.Errorf("order %v gives\n%+v\nwant\n%+v", order, res.Findings, first.Findings)
		}
	}
}
