package checks

import (
	"testing"

	"github.com/conviso/conviso-github-app/findings"
)

func TestEvaluateDefault(t *testing.T) {
	cases := []struct {
		name     string
		findings []findings.Finding
		want     Decision
		blocking int
	}{
		{"nothing", nil, Pass, 0},
		{"new medium", []findings.Finding{finding("f-1", "r", "a", 1, findings.SeverityMedium, true)}, Pass, 0},
		{"new high", []findings.Finding{finding("f-1", "r", "a", 1, findings.SeverityHigh, true)}, Block, 1},
		{"new critical", []findings.Finding{finding("f-1", "r", "a", 1, findings.SeverityCritical, true)}, Block, 1},
		{"old critical", []findings.Finding{finding("f-1", "r", "a", 1, findings.SeverityCritical, false)}, Pass, 0},
		{"mixed", []findings.Finding{
			finding("f-1", "r", "a", 1, findings.SeverityCritical, false),
			finding("f-2", "r", "a", 2, findings.SeverityHigh, true),
			finding("f-3", "r", "a", 3, findings.SeverityLow, true),
		}, Block, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := EvaluateDefault(tc.findings)
			if v.Decision != tc.want || len(v.Blocking) != tc.blocking || len(v.Reasons) == 0 {
				t.Fatalf("got %+v, want %s with %d blocking", v, tc.want, tc.blocking)
			}
		})
	}
}
