package sarif

import (
	"math"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// severityOf applies GitHub code scanning's rules: the rule's
// security-severity score, else the result's level, else the rule's
// default level, else "warning". A result's own security-severity (which
// Write emits when a rule's findings differ in severity) comes first.
func severityOf(rule *ruleInfo, c *compactResult) findings.Severity {
	if c.secSev != findings.SeverityUnknown {
		return c.secSev
	}
	if rule != nil && rule.secSev != findings.SeverityUnknown {
		return rule.secSev
	}
	return levelSeverity(effectiveLevel(rule, c))
}

// effectiveLevel is the result's level with SARIF's defaults (§3.27.10):
// a result whose kind is not "fail" has level "none"; otherwise the rule's
// default configuration, else "warning".
func effectiveLevel(rule *ruleInfo, c *compactResult) string {
	switch {
	case c.level != "":
		return c.level
	case c.kind != "" && c.kind != "fail":
		return "none"
	case rule != nil && rule.defaultLevel != "":
		return rule.defaultLevel
	}
	return "warning"
}

// levelSeverity maps a SARIF level: error is high, warning medium, note
// and none low. Unknown levels count as warning.
func levelSeverity(level string) findings.Severity {
	switch level {
	case "error":
		return findings.SeverityHigh
	case "note", "none":
		return findings.SeverityLow
	}
	return findings.SeverityMedium
}

// scoreSeverity maps a security-severity score (CVSS-like, 0.0-10.0):
// 9.0 and over is critical, 7.0 high, 4.0 medium, anything above 0 low.
// Zero, negative or non-finite scores are unknown.
func scoreSeverity(score float64) findings.Severity {
	switch {
	case math.IsNaN(score) || math.IsInf(score, 0) || score <= 0:
		return findings.SeverityUnknown
	case score >= 9.0:
		return findings.SeverityCritical
	case score >= 7.0:
		return findings.SeverityHigh
	case score >= 4.0:
		return findings.SeverityMedium
	}
	return findings.SeverityLow
}

// parseSecuritySeverity reads a security-severity property, a string
// ("8.8", as GitHub documents it) or a number.
func parseSecuritySeverity(v jsontext.Value) findings.Severity {
	if len(v) == 0 {
		return findings.SeverityUnknown
	}
	s := string(v)
	if v.Kind() == '"' {
		unq, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return findings.SeverityUnknown
		}
		s = strings.TrimSpace(string(unq))
	}
	score, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return findings.SeverityUnknown
	}
	return scoreSeverity(score)
}

// severityScore is the security-severity Write gives a severity: the
// middle of its band, so that importing it gives the severity back.
func severityScore(s findings.Severity) string {
	switch s {
	case findings.SeverityCritical:
		return "9.5"
	case findings.SeverityHigh:
		return "8.0"
	case findings.SeverityMedium:
		return "5.5"
	case findings.SeverityLow:
		return "2.0"
	}
	return ""
}

// severityLevel is the SARIF level Write gives a severity.
func severityLevel(s findings.Severity) string {
	switch s {
	case findings.SeverityCritical, findings.SeverityHigh:
		return "error"
	case findings.SeverityLow:
		return "note"
	}
	return "warning"
}
