package policy

import (
	"strings"
	"unicode/utf8"
)

// The helpers below render untrusted text (rule ids, paths, scanner errors
// and exception reasons come from scanned repositories and their users) so
// that it cannot break out of Markdown structure or notify anyone. They
// follow checks/markdown.go, which is unexported.

// code renders s as an inline code span that is safe in a table cell:
// newlines folded, pipes escaped, and a fence longer than any run of
// backticks in s. GitHub neither links nor notifies inside code spans.
func code(s string) string {
	s = strings.ReplaceAll(oneLine(s), "|", `\|`)
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
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// markdownEscaper escapes what Markdown or GitHub would interpret:
// emphasis, links, HTML, headings, tables, and @mentions and #references
// (a zero-width joiner after @ and # keeps them from notifying or linking).
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", "#\u200d", "@", "@\u200d",
	"~", `\~`, "!", `\!`, "&", "&amp;",
)

// text escapes untrusted text for Markdown prose, on one line.
func text(s string) string {
	return markdownEscaper.Replace(oneLine(s))
}

// truncateText shortens s to at most n bytes on a rune boundary, marking the cut.
func truncateText(s string, n int) string {
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
