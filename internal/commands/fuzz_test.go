package commands

import (
	"strings"
	"testing"
)

// fuzzSeeds are bodies from the other tests' territory.
var fuzzSeeds = []string{
	"/conviso retest",
	"/conviso exception " + fid + " false-positive until:2026-06-01 a reason `x` <!--",
	"/conviso approve rule:a.b/c:d\r\n/conviso revoke F-0123456789AB\r\n",
	"Thanks!\n/conviso retset\n> /conviso help\n/conviso help",
	"```\n/conviso retest\n```\n~~~~\n/conviso help\n~~~",
	"- ```\n  /conviso retest\n  ```\n1. x\n\n   /conviso help",
	"text `a\n/conviso retest` <!--\n/conviso help\n--> <img alt='\n/conviso help'>",
	"／conviso retest\n/сonviso help\n/conviso\u200b retest\n\u3000/conviso help",
	"> > - > ```\n/conviso retest\n\t/conviso help\n    /conviso help",
	"<pre>\n/conviso retest\n</pre>\n<!--\n-->\n/conviso exceptions",
}

// FuzzParse checks, for any body: no panic; the caps hold; every command
// renders to a line that parses back to the same command; and nothing of
// the body is read once it is put in a fenced code block, a block quote or
// an HTML comment.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := Parse(body, now)
		if len(got.Commands) > MaxCommands || len(got.Problems) > MaxProblems+1 {
			t.Fatalf("%d commands and %d problems: over the caps", len(got.Commands), len(got.Problems))
		}
		for _, c := range got.Commands {
			checkRoundTrip(t, c)
		}
		checkOnlyTrailingCommand(t, "fenced", fenced(body))
		checkOnlyTrailingCommand(t, "quoted", quoted(body))
		checkOnlyTrailingCommand(t, "in an HTML comment", "<!--\n"+strings.ReplaceAll(body, ">", "}")+"\n-->\n/conviso retest")
	})
}

// checkRoundTrip checks that c renders to a line parsing back to c.
func checkRoundTrip(t *testing.T, c Command) {
	t.Helper()
	line := c.String()
	again := Parse(line, now)
	if len(again.Commands) != 1 || len(again.Problems) != 0 {
		t.Fatalf("%+v renders as %q, which parses to %+v", c, line, again)
	}
	a := again.Commands[0]
	if a.Kind != c.Kind || a.Target != c.Target || a.ExceptionKind != c.ExceptionKind || !a.Until.Equal(c.Until) || a.Reason != c.Reason {
		t.Fatalf("%+v renders as %q, which parses to %+v", c, line, a)
	}
}

// fenced puts body in a backtick fence longer than any run in it, then
// adds a command after the fence.
func fenced(body string) string {
	longest, run := 0, 0
	for i := 0; i < len(body); i++ {
		if body[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "\n" + body + "\n" + fence + "\n/conviso retest"
}

// quoted puts every line of body in a block quote, then a blank line and a
// command.
func quoted(body string) string {
	var b strings.Builder
	for body != "" {
		var line string
		line, body = nextLine(body)
		b.WriteString("> " + line + "\n")
	}
	return b.String() + "\n/conviso retest"
}

// checkOnlyTrailingCommand checks that body's only result is its final
// /conviso retest.
func checkOnlyTrailingCommand(t *testing.T, how, body string) {
	t.Helper()
	got := Parse(body, now)
	if len(got.Problems) != 0 || len(got.Commands) != 1 || got.Commands[0].Kind != KindRetest ||
		got.Commands[0].Line != strings.Count(body, "\n")+1-strings.Count(body, "\r\n")+strings.Count(body, "\r") {
		t.Fatalf("%s body %q parses to %+v, want only the final retest", how, body, got)
	}
}
