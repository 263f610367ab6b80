package checks

import (
	"strings"
	"unicode/utf8"
)

// code renders s as a Markdown inline code span that is safe inside a table
// cell: newlines folded, pipes escaped, and a fence longer than any run of
// backticks in s, so untrusted text (file paths, rule names from a scanned
// repository) cannot break out of the span or the table.
func code(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// markdownEscaper escapes characters that Markdown or GitHub would interpret
// in prose: entities (&#64; would become @), emphasis, links, HTML,
// headings, tables, and @mentions / #references (a zero-width joiner after
// @ and # keeps them from pinging or linking).
var markdownEscaper = strings.NewReplacer(
	"&", "&amp;", `\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", "#\u200d", "@", "@\u200d",
	"~", `\~`, "!", `\!`,
)

// text escapes untrusted text for use in Markdown prose, on one line.
func text(s string) string {
	return markdownEscaper.Replace(strings.Join(strings.Fields(s), " "))
}

// truncate shortens s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
