package commands

import (
	"strings"
	"testing"
)

// TestIgnoredMarkdown checks which lines count as GitHub renders the body:
// commands inside code, quotes and HTML are never run. Each body ends, where
// it helps, with a command that must count, to show the construct closed.
func TestIgnoredMarkdown(t *testing.T) {
	tests := []struct{ name, body, want string }{
		// Fenced code blocks.
		{"backtick fence", "```\n/conviso retest\n```\n/conviso help", "help@4"},
		{"tilde fence", "~~~\n/conviso retest\n~~~\n/conviso help", "help@4"},
		{"fence with info string", "```sh\n/conviso retest\n```\n/conviso help", "help@4"},
		{"shorter fence does not close", "````\n/conviso retest\n```\n/conviso help\n````\n/conviso exceptions", "exceptions@6"},
		{"other fence character does not close", "~~~\n```\n/conviso retest\n```\n~~~\n/conviso help", "help@6"},
		{"longer closing fence closes", "```\n/conviso retest\n`````\n/conviso help", "help@4"},
		{"closing fence with trailing spaces", "```\n/conviso retest\n```  \t\n/conviso help", "help@4"},
		{"closing fence with text does not close", "```\n/conviso retest\n``` x\n/conviso help", ""},
		{"closing fence indented four spaces does not close", "```\n/conviso retest\n    ```\n/conviso help", ""},
		{"closing fence indented three spaces closes", "  ```\n/conviso retest\n   ```\n/conviso help", "help@4"},
		{"unclosed fence runs to the end", "```\n/conviso retest\n\n/conviso help", ""},
		{"backticks in a backtick info string: not a fence", "``` `x`\n/conviso retest", "retest@2"},
		{"fence in a list item", "- ```\n  /conviso retest\n  ```\n/conviso help", "help@4"},
		{"fence in an ordered list item", "1. item\n\n   ```\n   /conviso retest\n   ```\n\n/conviso help", "help@7"},
		{"fence in a quote ends with the quote", "> ```\n/conviso retest", "retest@2"},
		{"fence with CRLF", "```\r\n/conviso retest\r\n```\r\n/conviso help\r\n", "help@4"},
		// Indented code.
		{"four spaces", "    /conviso retest", ""},
		{"leading tab", "\t/conviso retest", ""},
		{"two spaces and a tab", "  \t/conviso retest", ""},
		{"indented continuation line", "text\n    /conviso retest", ""},
		{"indented code then text", "    code\n/conviso retest", "retest@2"},
		// Block quotes.
		{"quote", "> /conviso retest", ""},
		{"quote without space", ">/conviso retest", ""},
		{"nested quote", "> > /conviso retest", ""},
		{"indented quote", "   > /conviso retest", ""},
		{"quoted list", "> - x\n>\n> /conviso retest", ""},
		{"quote ended by a blank line", "> /conviso retest\n\n/conviso help", "help@3"},
		{"lazy quote continuation", "> quoted\n/conviso retest", "problem@2"},
		{"lazy continuation of a quoted list", "> - item\n/conviso retest", "problem@2"},
		{"lazy continuation of a quote in a list", "- > quote\n  /conviso retest", "problem@2"},
		{"lazy line inside an outer quote", "> > nested\n> /conviso retest", ""},
		{"quote does not continue a fence", "> ```\n> /conviso retest\n/conviso help", "help@3"},
		// HTML.
		{"HTML comment on one line", "<!-- /conviso retest -->\n/conviso help", "help@2"},
		{"HTML comment block", "<!--\n/conviso retest\n-->\n/conviso help", "help@4"},
		{"pull request template", "## Summary\n<!-- Write /conviso retest\n/conviso approve " + fid + "\n-->\n/conviso retest", "retest@5"},
		{"inline HTML comment", "Some text <!--\n/conviso retest\n-->\n/conviso help", "help@4"},
		{"unclosed inline HTML comment", "Some text <!--\n/conviso retest", "retest@2"},
		{"pre block", "<pre>\n/conviso retest\n</pre>\n/conviso help", "help@4"},
		{"script block", "<SCRIPT type=x>\n/conviso retest\n</script>\n\n/conviso help", "help@5"},
		{"HTML tag attribute", "<img alt='\n/conviso retest\n'>\n/conviso help", "help@4"},
		// Inline code spans.
		{"code span on one line", "`/conviso retest`", ""},
		{"code span across lines", "Run `\n/conviso retest\n` now", ""},
		{"double backtick span", "Run ``a ` b\n/conviso retest\n`` now", ""},
		{"escaped backtick opens nothing", "Run \\`\n/conviso retest\n` now", "retest@2"},
		{"unclosed backtick", "a ` b\n/conviso retest", "retest@2"},
		{"span closed before the line", "`x` and `\n/conviso retest", "retest@2"},
		{"unequal runs do not close", "``x`\n/conviso retest", "retest@2"},
		// The command must start the line.
		{"bullet", "- /conviso retest", ""},
		{"star bullet", "* /conviso retest", ""},
		{"ordered item", "1. /conviso retest", ""},
		{"nested bullets", "- - /conviso retest", ""},
		{"heading", "# /conviso retest", ""},
		{"table row", "| /conviso retest |", ""},
		{"after a word", "ok /conviso retest", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(Parse(tt.body, now)); got != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

// TestDeepNesting checks that containers nested beyond maxNesting are
// ignored, and the scan goes on after them. A line that might lazily
// continue ignored content is ignored too (the scan no longer knows whether
// that content is a paragraph).
func TestDeepNesting(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"deep quote", strings.Repeat("> ", 100) + "/conviso retest\n\n/conviso help", "help@3"},
		{"deep list", strings.Repeat("- ", 100) + "x\n" + strings.Repeat(" ", 200) + "/conviso retest\n\n/conviso help", "help@4"},
		{"deep list with a fence", strings.Repeat("- ", 30) + "```\n\n" + strings.Repeat(" ", 60) + "/conviso retest\n\n/conviso help", "help@5"},
		{"lazy line after deep content", strings.Repeat("> ", 30) + "x\n/conviso retest", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(Parse(tt.body, now)); got != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

// TestLargeComments runs hostile bodies of GitHub's maximum size; each must
// give the expected result (the benchmarks measure their cost).
func TestLargeComments(t *testing.T) {
	for name, tt := range largeBodies() {
		t.Run(name, func(t *testing.T) {
			got := Parse(tt.body, now)
			if s := summary(got); !strings.HasPrefix(s, tt.wantPrefix) {
				t.Errorf("summary = %.200q, want prefix %q", s, tt.wantPrefix)
			}
			if len(got.Commands) > MaxCommands || len(got.Problems) > MaxProblems+1 {
				t.Errorf("%d commands, %d problems: over the caps", len(got.Commands), len(got.Problems))
			}
		})
	}
}

// maxBody is GitHub's limit on a comment's length.
const maxBody = 65536

// largeBodies are hostile bodies of about maxBody bytes.
func largeBodies() map[string]struct{ body, wantPrefix string } {
	fill := func(unit string) string { return strings.Repeat(unit, maxBody/len(unit)) }
	return map[string]struct{ body, wantPrefix string }{
		"commands":               {fill("/conviso retest\n"), strings.Repeat("retest@", 1)},
		"problems":               {fill("/conviso x\n"), "problem@1"},
		"backticks":              {"x" + fill("`") + "\n/conviso retest", "retest@2"},
		"backtick fence":         {fill("`") + "\n/conviso retest", ""},
		"run lengths":            {"x" + runLengths() + "\n/conviso retest", "retest@2"},
		"unequal backticks":      {fill("`` `\n") + "/conviso retest", "retest@"},
		"unclosed comments":      {"x " + fill("<!-- ") + "\n/conviso retest", "retest@2"},
		"unclosed comment block": {fill("<!-- ") + "\n/conviso retest", ""},
		"unclosed tags":          {fill("<a ") + "\n/conviso retest", "retest@2"},
		"nested quotes":          {fill(">") + "\n\n/conviso retest", "retest@3"},
		"nested lists":           {fill("1. ") + "\n\n/conviso retest", "retest@3"},
		"blank list lines":       {"- - - - - - - - - - - - - - - - - - - - x\n" + fill("\n") + "/conviso retest", "retest@"},
		"zero-width chars":       {"/" + fill("\u200b") + "conviso retest", "problem@1"},
		"one long line":          {"/conviso exception " + fid + " false-positive " + fill("x "), "problem@1"},
		"look-alike prefixes":    {fill("／conviso retest\n"), "problem@1"},
		"fences":                 {fill("```\n/conviso retest\n"), "retest@4 retest@8"},
	}
}

// runLengths is runs of 1, 2, 3... backticks, none closed, up to maxBody.
func runLengths() string {
	var b strings.Builder
	for n := 1; b.Len()+n < maxBody; n++ {
		b.WriteString(strings.Repeat("`", n) + " ")
	}
	return b.String()
}

func BenchmarkParseLarge(b *testing.B) {
	for name, tt := range largeBodies() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(tt.body)))
			for b.Loop() {
				Parse(tt.body, now)
			}
		})
	}
}
