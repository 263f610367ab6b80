// Package mdsafe renders untrusted text (rule ids, paths, scanner errors,
// exception reasons: they come from scanned repositories and their users)
// into GitHub Markdown so that it cannot break out of the structure around
// it, inject HTML or links, or notify anyone.
package mdsafe

import (
	"strings"
	"unicode/utf8"
)

// OneLine folds all white space, newlines included, to single spaces.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Code renders s as an inline code span that is safe inside a table cell:
// newlines folded, pipes escaped, and a fence longer than any run of
// backticks in s. GitHub neither links nor notifies inside code spans.
func Code(s string) string {
	s = strings.ReplaceAll(OneLine(s), "|", `\|`)
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

// escaper escapes what Markdown or GitHub would interpret in prose:
// entities (&#64; would become @), emphasis, links, HTML, headings, tables,
// and @mentions and #references (a zero-width joiner after @ and # keeps
// them from notifying or linking).
var escaper = strings.NewReplacer(
	"&", "&amp;", `\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", "#\u200d", "@", "@\u200d",
	"~", `\~`, "!", `\!`,
)

// Text escapes untrusted text for Markdown prose, on one line.
func Text(s string) string { return escaper.Replace(OneLine(s)) }

// Truncate shortens s to at most n bytes on a rune boundary, marking the cut.
func Truncate(s string, n int) string {
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
