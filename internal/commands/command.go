package commands

import (
	"fmt"
	"strings"
	"time"
)

// Prefix starts every command.
const Prefix = "/conviso"

// Limits of one comment.
const (
	// MaxCommands is the most commands one comment may hold; each later
	// command is reported as a Problem and not run.
	MaxCommands = 10
	// MaxProblems is the most problems reported for one comment; one more
	// problem then counts those left out.
	MaxProblems = 10
	// MaxReasonLength is the longest exception reason, in characters.
	MaxReasonLength = 1000
	// MaxRuleIDLength is the longest rule id, in characters.
	MaxRuleIDLength = 200
)

// Kind is a command's verb, as typed after Prefix.
type Kind string

// The commands.
const (
	// KindRetest scans the pull request's head again.
	KindRetest Kind = "retest"
	// KindException requests an exception for a finding or a rule.
	KindException Kind = "exception"
	// KindApprove approves a requested exception.
	KindApprove Kind = "approve"
	// KindRevoke revokes an exception or withdraws a request.
	KindRevoke Kind = "revoke"
	// KindExceptions lists the exceptions.
	KindExceptions Kind = "exceptions"
	// KindHelp shows the commands.
	KindHelp Kind = "help"
)

// ExceptionKind says why an exception is requested.
type ExceptionKind string

// The exception kinds.
const (
	// FalsePositive means the finding is not a real vulnerability.
	FalsePositive ExceptionKind = "false-positive"
	// AcceptedRisk means the vulnerability is real and its risk accepted.
	AcceptedRisk ExceptionKind = "accepted-risk"
	// WontFix means the vulnerability is real and will not be fixed.
	WontFix ExceptionKind = "wont-fix"
	// TestCode means the finding is only in test code or fixtures.
	TestCode ExceptionKind = "test-code"
)

// Target is what an exception, an approval or a revocation is about: one
// finding, or every finding of one rule. Exactly one field is set.
type Target struct {
	// FindingID is "f-" and 12 lower-case hex digits (findings.IDPrefix).
	FindingID string
	// RuleID is a scanner's rule id, without the "rule:" prefix, as typed.
	RuleID string
}

// String renders t as typed in a command: the finding id or "rule:<id>".
func (t Target) String() string {
	if t.RuleID != "" {
		return rulePrefix + t.RuleID
	}
	return t.FindingID
}

// Command is one valid command of a comment.
type Command struct {
	// Line is the command's 1-based line in the comment.
	Line int
	// Kind is the verb.
	Kind Kind
	// Target is set for KindException, KindApprove and KindRevoke.
	Target Target
	// ExceptionKind is set for KindException.
	ExceptionKind ExceptionKind
	// Until is, for KindException, the last instant the exception holds:
	// the end (23:59:59.999999999 UTC) of the day typed. Zero: no expiry.
	Until time.Time
	// Reason is, for KindException, the reason as typed, trimmed.
	Reason string
}

// String renders c as the one line that parses back to c (Line aside).
func (c Command) String() string {
	parts := []string{Prefix, string(c.Kind)}
	if c.Target != (Target{}) {
		parts = append(parts, c.Target.String())
	}
	if c.ExceptionKind != "" {
		parts = append(parts, string(c.ExceptionKind))
	}
	if !c.Until.IsZero() {
		parts = append(parts, untilPrefix+c.Until.UTC().Format(dateLayout))
	}
	if c.Reason != "" {
		parts = append(parts, c.Reason)
	}
	return strings.Join(parts, " ")
}

// Problem is a line that looks like a command but is not a valid one (or
// one that is valid but beyond MaxCommands). Its texts are Markdown, safe to
// post as they are: user text only appears shortened, inside code spans.
type Problem struct {
	// Line is the 1-based line of the comment.
	Line int
	// Message says what is wrong.
	Message string
	// Usage is the usage line of the command concerned, "" when unknown.
	Usage string
	// Suggestion is what the user probably meant (a command such as
	// "/conviso retest", an exception kind, a target), "" when none.
	Suggestion string
}

// String renders p as one line of Markdown: line number, message, "did you
// mean" suggestion and usage.
func (p Problem) String() string {
	s := fmt.Sprintf("line %d: %s", p.Line, p.Message)
	if p.Suggestion != "" {
		s += "; did you mean " + code(p.Suggestion) + "?"
	} else {
		s += "."
	}
	if p.Usage != "" {
		s += " Usage: " + code(p.Usage)
	}
	return s
}

// Parsed is what a comment holds.
type Parsed struct {
	// Commands are the valid commands, in the comment's order, at most
	// MaxCommands.
	Commands []Command
	// Problems are the lines that look like commands but are not valid
	// ones, in the comment's order.
	Problems []Problem
}

// Ignore reports whether the comment is ordinary conversation: no commands
// and no problems, so the app should neither act nor answer.
func (p Parsed) Ignore() bool {
	return len(p.Commands) == 0 && len(p.Problems) == 0
}
