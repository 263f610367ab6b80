package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Condition names the kind of condition a Reason reports.
type Condition string

// Conditions.
const (
	// CondMax: more in-scope findings of a severity than gate.max allows.
	CondMax Condition = "max"
	// CondBlockAt: in-scope findings at or above gate.block_at.
	CondBlockAt Condition = "block_at"
	// CondAlwaysBlock: in-scope findings matching gate.always_block.
	CondAlwaysBlock Condition = "always_block"
	// CondRequiredScanner: a required scanner did not run successfully.
	CondRequiredScanner Condition = "required_scanners"
	// CondScannerFailure: a scanner failed (on_scanner_failure decides).
	CondScannerFailure Condition = "on_scanner_failure"
	// CondNone: no condition was met; the gate passes.
	CondNone Condition = "none"
	// CondOff: the gate is off.
	CondOff Condition = "off"
)

// maxNamed is how many findings a reason's plain text names.
const maxNamed = 3

// Reason is one condition's part in a decision.
type Reason struct {
	// Condition is the kind of condition.
	Condition Condition
	// Effect is block, warn, pass or off.
	Effect Outcome
	// WouldBlock is true for a condition that blocks in enforce mode but
	// only warns because the mode is warn.
	WouldBlock bool
	// Scope is the gate's scope (which findings were counted).
	Scope Scope
	// Severity is the severity counted (max) or the threshold (block_at).
	Severity findings.Severity
	// Count is how many findings meet the condition.
	Count int
	// Limit is the maximum allowed (max).
	Limit int
	// MatchKind is the kind of always_block entry: "rule", "cwe" or "tag".
	MatchKind string
	// Match is the always_block entry's value ("aws-access-token").
	Match string
	// Scanner names the scanner of a scanner condition.
	Scanner string
	// Problem is what went wrong with it ("did not run", "failed", "ran
	// zero rules", "returned truncated results"); for CondNone, it says
	// that nothing blocks.
	Problem string
	// Detail is the scanner's error, if any.
	Detail string
	// Findings are the findings that meet the condition, most severe first.
	Findings []findings.Finding
	// Key is the policy key of the condition ("gate.max.critical").
	Key string
	// Source is the file that set the condition.
	Source Source
	// Branch is the glob of the branch override that set it, if any.
	Branch string
	// HardMax is gate.aging's hard maximum (CondAgingMax), if set.
	HardMax *int
	// Days is the days to fix (CondOverdue).
	Days int
	// Oldest is when the oldest overdue finding was first seen (CondOverdue).
	Oldest time.Time
}

// String renders the reason in plain words, naming up to three findings:
// "Blocked: 1 new critical finding, the maximum is 0 — aws-access-token
// in internal/keys.go:12 [f-3fa9c2e1]". It is not Markdown-safe (rule ids
// and paths are the scanned repository's); RenderSummary escapes them.
func (r Reason) String() string {
	s := r.Headline()
	if len(r.Findings) == 0 {
		return s
	}
	names := make([]string, 0, maxNamed)
	for _, f := range r.Findings[:min(len(r.Findings), maxNamed)] {
		names = append(names, fmt.Sprintf("%s in %s [%s]", f.RuleID, f.Location(), f.ID))
	}
	s += " — " + strings.Join(names, ", ")
	if n := len(r.Findings) - maxNamed; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s
}

// Headline is String without the findings.
func (r Reason) Headline() string { return r.prefix() + r.body(identity) }

func identity(s string) string { return s }

func (r Reason) prefix() string {
	switch {
	case r.Effect == OutcomeBlock:
		return "Blocked: "
	case r.WouldBlock:
		return "Would block (mode is warn): "
	case r.Effect == OutcomeWarn:
		return "Warning: "
	case r.Effect == OutcomeOff:
		return "Off: "
	}
	return "Passed: "
}

// body says what the condition found; u renders untrusted text (rule ids,
// scanner names and errors).
func (r Reason) body(u func(string) string) string {
	switch r.Condition {
	case CondMax:
		return fmt.Sprintf("%s, the maximum is %d", r.countPhrase(), r.Limit)
	case CondBlockAt:
		return fmt.Sprintf("%s, the policy blocks at %s or above", r.countPhrase(), r.Severity)
	case CondAlwaysBlock:
		return fmt.Sprintf("%s always_block %s", plural(r.Count, r.adj()+"finding matches", r.adj()+"findings match"),
			r.matchPhrase(u))
	case CondRequiredScanner:
		return "required scanner " + u(r.Scanner) + " " + r.problem(u)
	case CondScannerFailure:
		return r.scannerBody(u)
	case CondOff:
		return "the gate is off (mode: off); nothing was evaluated"
	}
	return r.agingBody(u)
}

func (r Reason) matchPhrase(u func(string) string) string {
	if r.MatchKind == "cwe" {
		return u(r.Match)
	}
	return r.MatchKind + " " + u(r.Match)
}

func (r Reason) problem(u func(string) string) string {
	if r.Detail == "" {
		return r.Problem
	}
	return r.Problem + ": " + u(r.Detail)
}

func (r Reason) scannerBody(u func(string) string) string {
	what := "scanner " + u(r.Scanner) + " " + r.problem(u)
	if r.Scanner == "" {
		what = r.problem(u)
	}
	if r.Effect == OutcomeWarn && !r.WouldBlock {
		return what + "; on_scanner_failure is fail-open, so it does not block"
	}
	return what + ", and on_scanner_failure is fail-closed"
}

// adj is "new " for scope new.
func (r Reason) adj() string {
	if r.Scope == ScopeAll {
		return ""
	}
	return "new "
}

// countPhrase says "1 new critical finding" or "3 new findings (1
// critical, 2 high)"; scope all adds "(new or pre-existing)".
func (r Reason) countPhrase() string {
	s := countPhrase(r.Findings, r.adj())
	if r.Scope == ScopeAll {
		s += " (new or pre-existing)"
	}
	return s
}

func countPhrase(fs []findings.Finding, adj string) string {
	counts := map[findings.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	var parts []string
	var only findings.Severity
	for s := findings.SeverityCritical; s >= findings.SeverityUnknown; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
			only = s
		}
	}
	if len(parts) == 1 {
		return plural(len(fs), adj+only.String()+" finding", adj+only.String()+" findings")
	}
	return fmt.Sprintf("%s (%s)", plural(len(fs), adj+"finding", adj+"findings"), strings.Join(parts, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
