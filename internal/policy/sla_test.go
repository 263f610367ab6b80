package policy

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// testMatrix is a typical server configuration.
var testMatrix = SLAMatrix{
	"critical": {"high": 7, "medium": 15, "low": 30},
	"high":     {"high": 30, "medium": 45, "low": 60},
}

func TestSLAMatrixValidate(t *testing.T) {
	if err := testMatrix.Validate(); err != nil {
		t.Fatalf("valid matrix: %v", err)
	}
	if err := (SLAMatrix{}).Validate(); err != nil {
		t.Fatalf("empty matrix: %v", err)
	}
	bad := SLAMatrix{
		"severe":   {"high": 1},
		"critical": {"huge": 7, "high": 0, "medium": -3, "low": MaxSLADays + 1},
		"Low":      {"low": 5},
	}
	err := bad.Validate()
	want := []string{
		`sla["Low"]: unknown severity (allowed: critical, high, medium, low)`,
		`sla["critical"]["high"]: 0 days to fix (allowed: a whole number of days from 1 to 3650)`,
		`sla["critical"]["huge"]: unknown business impact (allowed: high, medium, low)`,
		`sla["critical"]["low"]: 3651 days to fix`,
		`sla["critical"]["medium"]: -3 days to fix`,
		`sla["severe"]: unknown severity`,
	}
	if err == nil || !strings.HasPrefix(err.Error(), "invalid SLA matrix: ") {
		t.Fatalf("Validate() = %v", err)
	}
	lines := strings.Split(strings.TrimPrefix(err.Error(), "invalid SLA matrix: "), "\n")
	if len(lines) != len(want) {
		t.Fatalf("Validate() reported %d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d = %q, want it to start with %q", i, lines[i], w)
		}
	}
}

func TestSLAMatrixYAML(t *testing.T) {
	var cfg struct {
		SLA SLAMatrix `yaml:"sla"`
	}
	src := "sla:\n  critical: {high: 7, medium: 15}\n  high:\n    high: 30\n"
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.SLA.Validate(); err != nil {
		t.Fatal(err)
	}
	if d, ok := cfg.SLA.Days(findings.SeverityCritical, ImpactMedium); !ok || d != 15 {
		t.Errorf("critical × medium = %d, %v", d, ok)
	}
	if _, ok := cfg.SLA.Days(findings.SeverityCritical, ImpactLow); ok {
		t.Error("critical × low should be missing")
	}
	if _, ok := cfg.SLA.Days(findings.SeverityCritical, ImpactNone); ok {
		t.Error("no impact should have no cell")
	}
}

func TestParseImpact(t *testing.T) {
	for in, want := range map[string]Impact{"high": ImpactHigh, " Medium ": ImpactMedium, "LOW": ImpactLow, "": ImpactNone} {
		if got, err := ParseImpact(in); err != nil || got != want {
			t.Errorf("ParseImpact(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseImpact("critical"); err == nil || !strings.Contains(err.Error(), "allowed: high, medium, low") {
		t.Errorf("ParseImpact(critical) error = %v", err)
	}
}
