package sarif

import (
	"math"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

func TestScoreSeverity(t *testing.T) {
	cases := []struct {
		score float64
		want  findings.Severity
	}{
		{10, findings.SeverityCritical},
		{9.0, findings.SeverityCritical},
		{8.99, findings.SeverityHigh},
		{7.0, findings.SeverityHigh},
		{6.9, findings.SeverityMedium},
		{4.0, findings.SeverityMedium},
		{3.9, findings.SeverityLow},
		{0.1, findings.SeverityLow},
		{0, findings.SeverityUnknown},
		{-1, findings.SeverityUnknown},
		{math.NaN(), findings.SeverityUnknown},
		{math.Inf(1), findings.SeverityUnknown},
	}
	for _, tc := range cases {
		if got := scoreSeverity(tc.score); got != tc.want {
			t.Errorf("scoreSeverity(%v) = %v, want %v", tc.score, got, tc.want)
		}
	}
}

// TestSeverityMapping runs the whole precedence through Import: the rule's
// security-severity, else the result's level, else the rule's default
// level, else warning.
func TestSeverityMapping(t *testing.T) {
	secsev := func(v any) obj { return obj{"properties": obj{"security-severity": v}} }
	level := func(l string) obj { return obj{"defaultConfiguration": obj{"level": l}} }
	cases := []struct {
		name   string
		rule   obj
		result obj
		want   findings.Severity
	}{
		{"score 9.8 critical", secsev("9.8"), nil, findings.SeverityCritical},
		{"score 9.0 critical", secsev("9.0"), nil, findings.SeverityCritical},
		{"score 8.8 high", secsev("8.8"), nil, findings.SeverityHigh},
		{"score 7.0 high", secsev("7.0"), nil, findings.SeverityHigh},
		{"score 5.5 medium", secsev("5.5"), nil, findings.SeverityMedium},
		{"score 4.0 medium", secsev("4.0"), nil, findings.SeverityMedium},
		{"score 2.0 low", secsev("2.0"), nil, findings.SeverityLow},
		{"score as a number", secsev(9.1), nil, findings.SeverityCritical},
		{"score beats result level", secsev("2.0"), obj{"level": "error"}, findings.SeverityLow},
		{"score 0 falls back to level", secsev("0"), obj{"level": "error"}, findings.SeverityHigh},
		{"unparsable score falls back", secsev("high"), obj{"level": "note"}, findings.SeverityLow},
		{"result level error", nil, obj{"level": "error"}, findings.SeverityHigh},
		{"result level warning", nil, obj{"level": "warning"}, findings.SeverityMedium},
		{"result level note", nil, obj{"level": "note"}, findings.SeverityLow},
		{"result level none", nil, obj{"level": "none"}, findings.SeverityLow},
		{"result level beats default", level("note"), obj{"level": "error"}, findings.SeverityHigh},
		{"default level error", level("error"), nil, findings.SeverityHigh},
		{"default level note", level("note"), nil, findings.SeverityLow},
		{"default level none", level("none"), nil, findings.SeverityLow},
		{"nothing: warning", nil, nil, findings.SeverityMedium},
		{"unknown level: warning", nil, obj{"level": "severe"}, findings.SeverityMedium},
		{"kind review: level none", level("error"), obj{"kind": "review"}, findings.SeverityLow},
		{"kind fail: default level", level("error"), obj{"kind": "fail"}, findings.SeverityHigh},
		{"result security-severity", level("note"), secsev("9.5"), findings.SeverityCritical},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rule := ruleOf("R1")
			if tc.rule != nil {
				rule = with(rule, tc.rule)
			}
			result := resultOf("R1", "a.go", 3)
			if tc.result != nil {
				result = with(result, tc.result)
			}
			f := only(t, mustImport(t, logJSON(t, runOf([]obj{rule}, result)), ImportOptions{}))
			if f.Severity != tc.want {
				t.Errorf("severity %v, want %v", f.Severity, tc.want)
			}
		})
	}
}

func TestSeverityRoundTripScores(t *testing.T) {
	for _, s := range []findings.Severity{findings.SeverityLow, findings.SeverityMedium, findings.SeverityHigh, findings.SeverityCritical} {
		got := parseSecuritySeverity([]byte(`"` + severityScore(s) + `"`))
		if got != s {
			t.Errorf("score %s of %v imports as %v", severityScore(s), s, got)
		}
	}
}
