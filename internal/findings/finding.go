// Package findings holds the scanner-independent model of a security finding
// and the pure functions that identify and classify findings.
package findings

import (
	"fmt"
	"slices"
	"strings"
)

// Severity is a normalised finding severity, ordered from least to most severe.
type Severity int

// Severities, in increasing order.
const (
	SeverityUnknown Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"unknown", "low", "medium", "high", "critical"}

// String returns the lower-case name of s.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity parses a severity name (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) && i != 0 {
			return Severity(i), nil
		}
	}
	return SeverityUnknown, fmt.Errorf("unknown severity %q (allowed: low, medium, high, critical)", name)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	if string(b) == "unknown" {
		*s = SeverityUnknown
		return nil
	}
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Finding is one result of one scanner at one location.
//
// A Finding never holds a secret's value: scanners must redact matched
// secrets before building a Finding.
type Finding struct {
	// ID is the stable, user-facing identifier ("f-" + 12 hex digits),
	// derived from Fingerprint.
	ID string `json:"id"`
	// Fingerprint identifies the finding independently of its line number.
	Fingerprint string `json:"fingerprint"`
	// Key identifies what was found independently of where: the same as
	// Fingerprint without the path (see ContentKey). It lets a renamed file
	// keep its findings' identity.
	Key string `json:"key,omitempty"`
	// Scanner names the tool that reported it, e.g. "gitleaks".
	Scanner string `json:"scanner"`
	// RuleID is the scanner's rule identifier, e.g. "aws-access-token".
	RuleID string `json:"rule_id"`
	// Title is the rule's one-line description.
	Title string `json:"title"`
	// Message says what is wrong at this location (never the secret).
	Message string `json:"message"`
	// Severity is the normalised severity.
	Severity Severity `json:"severity"`
	// Path is the repository-relative, slash-separated file path.
	Path string `json:"path"`
	// StartLine and EndLine are 1-based and inclusive.
	StartLine int `json:"start_line"`
	EndLine   int `json:"end_line"`
	// StartColumn and EndColumn are 1-based; 0 when unknown.
	StartColumn int `json:"start_column,omitempty"`
	EndColumn   int `json:"end_column,omitempty"`
	// Tags are free-form labels (categories, "security", "secret").
	Tags []string `json:"tags,omitempty"`
	// CWE lists the weakness ids, normalised as "CWE-798".
	CWE []string `json:"cwe,omitempty"`
	// HelpURI points to the rule's documentation, when the scanner has one.
	HelpURI string `json:"help_uri,omitempty"`
	// Category names the analysis that produced the finding (a SARIF
	// upload's category, or the built-in scanner's name).
	Category string `json:"category,omitempty"`
	// New is true when the finding is introduced by the change under review.
	New bool `json:"new"`
}

// Location renders "path:line" for messages.
func (f Finding) Location() string {
	return fmt.Sprintf("%s:%d", f.Path, f.StartLine)
}

// Equal reports whether f and o are the same finding field by field
// (identity, rule, text, severity, location, tags, CWE and classification).
func (f Finding) Equal(o Finding) bool {
	return f.ID == o.ID && f.Fingerprint == o.Fingerprint && f.Key == o.Key && f.Scanner == o.Scanner &&
		f.RuleID == o.RuleID && f.Title == o.Title && f.Message == o.Message &&
		f.Severity == o.Severity && f.Path == o.Path && f.StartLine == o.StartLine &&
		f.EndLine == o.EndLine && f.StartColumn == o.StartColumn && f.EndColumn == o.EndColumn &&
		slices.Equal(f.Tags, o.Tags) && slices.Equal(f.CWE, o.CWE) && f.HelpURI == o.HelpURI &&
		f.Category == o.Category && f.New == o.New
}
