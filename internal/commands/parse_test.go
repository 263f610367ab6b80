package commands

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// now is the fixed "current time" of the tests.
var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

const (
	fid            = "f-0123456789ab"
	usageRetest    = "/conviso retest"
	usageException = "/conviso exception <finding-id|rule:<rule-id>> <false-positive|accepted-risk|wont-fix|test-code> [until:YYYY-MM-DD] <reason...>"
	usageApprove   = "/conviso approve <finding-id|rule:<rule-id>>"
	usageRevoke    = "/conviso revoke <finding-id|rule:<rule-id>>"
)

// endOf is the last instant of a day, UTC.
func endOf(date string) time.Time {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		panic(err)
	}
	return d.Add(24*time.Hour - time.Nanosecond)
}

func TestParseValidCommands(t *testing.T) {
	long := strings.Repeat("é", MaxReasonLength)
	rule200 := strings.Repeat("a", MaxRuleIDLength)
	tests := []struct {
		name, body string
		want       Command
	}{
		{"retest", "/conviso retest", Command{Kind: KindRetest}},
		{"exceptions", "/conviso exceptions", Command{Kind: KindExceptions}},
		{"help", "/conviso help", Command{Kind: KindHelp}},
		{"approve finding", "/conviso approve " + fid, Command{Kind: KindApprove, Target: Target{FindingID: fid}}},
		{"approve upper-case id", "/conviso approve F-0123456789AB", Command{Kind: KindApprove, Target: Target{FindingID: fid}}},
		{"revoke rule", "/conviso revoke rule:generic-api-key", Command{Kind: KindRevoke, Target: Target{RuleID: "generic-api-key"}}},
		{"rule id kept as typed", "/conviso approve RULE:Go.Lang/sqli:v2_x-1", Command{Kind: KindApprove, Target: Target{RuleID: "Go.Lang/sqli:v2_x-1"}}},
		{"rule id of the maximum length", "/conviso approve rule:" + rule200, Command{Kind: KindApprove, Target: Target{RuleID: rule200}}},
		{"exception false-positive", "/conviso exception " + fid + " false-positive the key is a test fixture",
			Command{Kind: KindException, Target: Target{FindingID: fid}, ExceptionKind: FalsePositive, Reason: "the key is a test fixture"}},
		{"exception accepted-risk until", "/conviso exception rule:aws-access-token accepted-risk until:2026-12-31 rotated weekly",
			Command{Kind: KindException, Target: Target{RuleID: "aws-access-token"}, ExceptionKind: AcceptedRisk, Until: endOf("2026-12-31"), Reason: "rotated weekly"}},
		{"exception wont-fix until today", "/conviso exception " + fid + " wont-fix until:2026-05-01 legacy",
			Command{Kind: KindException, Target: Target{FindingID: fid}, ExceptionKind: WontFix, Until: endOf("2026-05-01"), Reason: "legacy"}},
		{"exception test-code", "/conviso exception " + fid + " test-code fixtures only",
			Command{Kind: KindException, Target: Target{FindingID: fid}, ExceptionKind: TestCode, Reason: "fixtures only"}},
		{"reason verbatim", "/conviso exception " + fid + " false-positive  não é  segredo:\t`x` @team #12 <b>  ",
			Command{Kind: KindException, Target: Target{FindingID: fid}, ExceptionKind: FalsePositive, Reason: "não é  segredo:\t`x` @team #12 <b>"}},
		{"reason of the maximum length", "/conviso exception " + fid + " false-positive " + long,
			Command{Kind: KindException, Target: Target{FindingID: fid}, ExceptionKind: FalsePositive, Reason: long}},
		{"case-insensitive", "/CONVISO Exception f-0123456789AB FALSE-Positive UNTIL:2026-06-01 Reason",
			Command{Kind: KindException, Target: Target{FindingID: fid}, ExceptionKind: FalsePositive, Until: endOf("2026-06-01"), Reason: "Reason"}},
		{"three leading spaces", "   /conviso retest", Command{Kind: KindRetest}},
		{"tabs between words", "/conviso\tapprove\t" + fid + "\t", Command{Kind: KindApprove, Target: Target{FindingID: fid}}},
		{"trailing spaces", "/conviso retest   ", Command{Kind: KindRetest}},
		{"tabs in an exception", "/conviso\texception\t" + fid + "\ttest-code\tuntil:2026-06-01\tfixtures\tonly\t",
			Command{Kind: KindException, Target: Target{FindingID: fid}, ExceptionKind: TestCode, Until: endOf("2026-06-01"), Reason: "fixtures\tonly"}},
		{"CRLF", "/conviso retest\r\n", Command{Kind: KindRetest}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.body, now)
			tt.want.Line = 1
			if len(got.Problems) != 0 || len(got.Commands) != 1 {
				t.Fatalf("Parse(%q) = %+v, want one command", tt.body, got)
			}
			if !reflect.DeepEqual(got.Commands[0], tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.body, got.Commands[0], tt.want)
			}
		})
	}
}

// summary lists a result's commands and problems as kind@line and
// problem@line, for tests about which lines count.
func summary(p Parsed) string {
	var out []string
	for _, c := range p.Commands {
		out = append(out, fmt.Sprintf("%s@%d", c.Kind, c.Line))
	}
	for _, pr := range p.Problems {
		out = append(out, fmt.Sprintf("problem@%d", pr.Line))
	}
	return strings.Join(out, " ")
}

func TestParseLinesAndOrder(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"conversation", "LGTM, thanks!\nThe conviso check is green.", ""},
		{"empty", "", ""},
		{"mention of the command mid-line", "please run /conviso retest", ""},
		{"several commands in order", "Fixed.\n/conviso retest\n\n/conviso approve " + fid + "\n/conviso help", "retest@2 approve@4 help@5"},
		{"CRLF lines", "hello\r\n/conviso retest\r\n/conviso help\r\n", "retest@2 help@3"},
		{"lone CR lines", "hello\r/conviso retest\r/conviso help", "retest@2 help@3"},
		{"commands and problems", "/conviso retest\n/conviso retset\n/conviso help", "retest@1 help@3 problem@2"},
		{"paragraph continuation", "Thanks!\n/conviso retest", "retest@2"},
		{"list item continuation", "- item\n  /conviso retest", "retest@2"},
		{"list item paragraph", "- item\n\n  /conviso retest", "retest@3"},
		{"lazy list continuation", "- item\n/conviso retest", "retest@2"},
		{"after a quote and a blank line", "> quoted\n\n/conviso retest", "retest@3"},
		{"after a heading", "# Title\n/conviso retest", "retest@2"},
		{"duplicates kept", "/conviso retest\n/conviso retest", "retest@1 retest@2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.body, now)
			if s := summary(got); s != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.body, s, tt.want)
			}
			if got.Ignore() != (tt.want == "") {
				t.Errorf("Ignore() = %v for %q", got.Ignore(), tt.want)
			}
		})
	}
}

func TestParseCaps(t *testing.T) {
	body := strings.Repeat("/conviso retest\n", MaxCommands+3)
	got := Parse(body, now)
	if len(got.Commands) != MaxCommands {
		t.Fatalf("%d commands, want %d", len(got.Commands), MaxCommands)
	}
	want := []Problem{
		{Line: 11, Message: "not run: a comment may hold at most 10 commands"},
		{Line: 12, Message: "not run: a comment may hold at most 10 commands"},
		{Line: 13, Message: "not run: a comment may hold at most 10 commands"},
	}
	if !reflect.DeepEqual(got.Problems, want) {
		t.Errorf("problems = %+v, want %+v", got.Problems, want)
	}

	got = Parse(strings.Repeat("/conviso nope\n", MaxProblems+5), now)
	if len(got.Problems) != MaxProblems+1 {
		t.Fatalf("%d problems, want %d", len(got.Problems), MaxProblems+1)
	}
	last := got.Problems[MaxProblems]
	if want := (Problem{Line: 11, Message: "problems not listed, from this line on: 5"}); last != want {
		t.Errorf("last problem = %+v, want %+v", last, want)
	}
}

func TestCommandString(t *testing.T) {
	tests := []struct {
		c    Command
		want string
	}{
		{Command{Kind: KindRetest}, "/conviso retest"},
		{Command{Kind: KindRevoke, Target: Target{RuleID: "a.b"}}, "/conviso revoke rule:a.b"},
		{Command{Kind: KindException, Target: Target{FindingID: fid}, ExceptionKind: WontFix, Until: endOf("2026-07-04"), Reason: "why not"},
			"/conviso exception " + fid + " wont-fix until:2026-07-04 why not"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
