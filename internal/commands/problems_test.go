package commands

import (
	"strings"
	"testing"
)

const (
	kindsText = "`false-positive`, `accepted-risk`, `wont-fix` or `test-code`"
	helpText  = "; `/conviso help` lists the commands"
	exc       = "/conviso exception " + fid + " "
)

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, body string
		want       Problem
	}{
		{"prefix alone", "/conviso", Problem{Message: "missing the command after `/conviso`" + helpText}},
		{"mistyped verb", "/conviso retset", Problem{Message: "unknown command `retset`", Usage: usageRetest, Suggestion: "/conviso retest"}},
		{"mistyped verb with arguments", "/conviso aprove " + fid, Problem{Message: "unknown command `aprove`", Usage: usageApprove, Suggestion: "/conviso approve"}},
		{"verb one letter off the plural", "/conviso exceptoins", Problem{Message: "unknown command `exceptoins`", Usage: "/conviso exceptions", Suggestion: "/conviso exceptions"}},
		{"unknown verb", "/conviso frobnicate", Problem{Message: "unknown command `frobnicate`" + helpText}},
		{"no space after the prefix", "/convisoretest", Problem{Message: "missing a space after `/conviso` in `/convisoretest`", Usage: usageRetest, Suggestion: "/conviso retest"}},
		{"glued unknown verb", "/convisoxyz", Problem{Message: "unknown command `/convisoxyz`" + helpText}},
		{"misspelled prefix", "/convsio retest", Problem{Message: "unknown command `/convsio`", Usage: usageRetest, Suggestion: "/conviso retest"}},
		{"text after a command without arguments", "/conviso retest now please", Problem{Message: "unexpected text after the command: `now please`", Usage: usageRetest}},
		{"missing target", "/conviso approve", Problem{Message: "missing the target: a finding id or `rule:<rule-id>`", Usage: usageApprove}},
		{"short finding id", "/conviso approve f-123", Problem{Message: "`f-123` is not a finding id: write `f-` and 12 hex digits", Usage: usageApprove}},
		{"non-hex finding id", "/conviso revoke f-0123456789ag", Problem{Message: "`f-0123456789ag` is not a finding id: write `f-` and 12 hex digits", Usage: usageRevoke}},
		{"finding id without prefix", "/conviso revoke 0123456789AB", Problem{
			Message: "`0123456789AB` is not a finding id (`f-` and 12 hex digits) or a rule (`rule:<rule-id>`)", Usage: usageRevoke, Suggestion: fid}},
		{"rule without prefix", "/conviso revoke aws-access-token", Problem{
			Message: "`aws-access-token` is not a finding id (`f-` and 12 hex digits) or a rule (`rule:<rule-id>`)", Usage: usageRevoke, Suggestion: "rule:aws-access-token"}},
		{"not a target", "/conviso approve please", Problem{
			Message: "`please` is not a finding id (`f-` and 12 hex digits) or a rule (`rule:<rule-id>`)", Usage: usageApprove}},
		{"empty rule id", "/conviso approve rule:", Problem{Message: "missing the rule id after `rule:`", Usage: usageApprove}},
		{"bad rule id", "/conviso approve rule:a<b", Problem{Message: "`rule:a<b` is not a rule id: use 1 to 200 characters of `A-Z a-z 0-9 . _ / : -`", Usage: usageApprove}},
		{"rule id too long", "/conviso approve rule:" + strings.Repeat("a", MaxRuleIDLength+1), Problem{
			Message: "`rule:" + strings.Repeat("a", 35) + "…` is not a rule id: use 1 to 200 characters of `A-Z a-z 0-9 . _ / : -`", Usage: usageApprove}},
		{"text after the target", "/conviso approve " + fid + " thanks", Problem{Message: "unexpected text after the command: `thanks`", Usage: usageApprove}},
		{"exception without target", "/conviso exception", Problem{Message: "missing the target: a finding id or `rule:<rule-id>`", Usage: usageException}},
		{"exception without kind", exc, Problem{Message: "missing the exception kind: " + kindsText, Usage: usageException}},
		{"mistyped kind", exc + "false-postive it is fine", Problem{
			Message: "unknown exception kind `false-postive`: use " + kindsText, Usage: usageException, Suggestion: "false-positive"}},
		{"kind without hyphen", exc + "wontfix legacy", Problem{
			Message: "unknown exception kind `wontfix`: use " + kindsText, Usage: usageException, Suggestion: "wont-fix"}},
		{"unknown kind", exc + "because reasons", Problem{Message: "unknown exception kind `because`: use " + kindsText, Usage: usageException}},
		{"until before the kind", exc + "until:2026-06-01 false-positive r", Problem{
			Message: "`until:` goes after the exception kind: " + kindsText, Usage: usageException}},
		{"until without date", exc + "false-positive until: r", Problem{Message: "missing the date after `until:`", Usage: usageException}},
		{"until not a date", exc + "false-positive until:2026-13-01 r", Problem{
			Message: "`until:2026-13-01` is not a date: write `until:YYYY-MM-DD`", Usage: usageException}},
		{"until without zero padding", exc + "false-positive until:2026-6-1 r", Problem{
			Message: "`until:2026-6-1` is not a date: write `until:YYYY-MM-DD`", Usage: usageException}},
		{"until in the past", exc + "false-positive until:2026-04-30 r", Problem{Message: "`until:2026-04-30` is in the past", Usage: usageException}},
		{"missing reason", exc + "false-positive", Problem{Message: "missing the reason: say why the exception is needed", Usage: usageException}},
		{"missing reason after until", exc + "accepted-risk until:2026-06-01  ", Problem{Message: "missing the reason: say why the exception is needed", Usage: usageException}},
		{"reason too long", exc + "false-positive " + strings.Repeat("x", MaxReasonLength+1), Problem{
			Message: "the reason is too long: 1001 characters, at most 1000", Usage: usageException}},
		{"until after the reason", exc + "false-positive fixed soon until:2026-06-01", Problem{
			Message: "`until:2026-06-01` must come right after the exception kind", Usage: usageException}},
		{"lazy quote continuation", "> /conviso approve " + fid + "\n/conviso approve " + fid, Problem{
			Line: 2, Message: "not run: this line continues the quote above it; leave a blank line after a quote"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.body, now)
			if tt.want.Line == 0 {
				tt.want.Line = 1
			}
			if len(got.Commands) != 0 || len(got.Problems) != 1 {
				t.Fatalf("Parse(%q) = %+v, want one problem", tt.body, got)
			}
			if got.Problems[0] != tt.want {
				t.Errorf("Parse(%q)\n got %#v\nwant %#v", tt.body, got.Problems[0], tt.want)
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Line: 2, Message: "unknown command `retset`", Usage: usageRetest, Suggestion: "/conviso retest"},
			"line 2: unknown command `retset`; did you mean `/conviso retest`? Usage: `/conviso retest`"},
		{Problem{Line: 1, Message: "unexpected text after the command: `now`", Usage: usageRetest},
			"line 1: unexpected text after the command: `now`. Usage: `/conviso retest`"},
		{Problem{Line: 9, Message: "missing the command after `/conviso`"}, "line 9: missing the command after `/conviso`."},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestProblemQuotesUserTextSafely checks that user text in a problem
// cannot break out of its code span, ping or run long.
func TestProblemQuotesUserTextSafely(t *testing.T) {
	got := Parse("/conviso approve ``@octo`<b>`` ", now).Problems[0].Message
	want := "``` ``@octo`<b>`` ``` is not a finding id (`f-` and 12 hex digits) or a rule (`rule:<rule-id>`)"
	if got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}
