package commands

import (
	"strings"
	"unicode"
)

// zwj is the zero-width joiner put inside @mentions, #references and
// autolinks so that GitHub neither pings, links nor expands them.
const zwj = "\u200d"

// EscapeForReply makes user text (an exception's reason, say) safe to echo
// in a Markdown reply, on one line: white space runs (newlines included)
// become one space; format and control characters (zero-width, bidi) are
// dropped; @mentions, #123 and GH-123 references and bare URLs get a
// zero-width joiner so that they neither ping nor link; &, < and > become
// entities, so no HTML; Markdown emphasis, links, images, tables, math and
// backslashes are backslash-escaped; a leading list, heading or quote
// marker is neutralised; and backticks become U+02CB (ˋ), so the text can
// neither open a code span nor close one it is put in. It is meant for
// prose; inside a code span, the escapes show.
func EscapeForReply(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.Cf, unicode.Cc) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for i, r := range s {
		b.WriteString(escapeRune(s, i, r))
	}
	return escapeLeadingMarker(b.String())
}

// markdownEscapes are the escapes that need no context.
var markdownEscapes = map[rune]string{
	'\\': `\\`, '*': `\*`, '_': `\_`, '~': `\~`, '[': `\[`, ']': `\]`, '(': `\(`, ')': `\)`,
	'!': `\!`, '|': `\|`, '$': `\$`, '&': "&amp;", '<': "&lt;", '>': "&gt;",
	'`': "\u02cb", '@': "@" + zwj, '#': "#" + zwj,
}

// escapeRune escapes r, at byte i of s.
func escapeRune(s string, i int, r rune) string {
	if e, ok := markdownEscapes[r]; ok {
		return e
	}
	switch {
	case r == '-' && i >= 2 && strings.EqualFold(s[i-2:i], "gh") && i+1 < len(s) && '0' <= s[i+1] && s[i+1] <= '9':
		return zwj + "-" // GH-123
	case r == ':' && strings.HasPrefix(s[i+1:], "//"):
		return ":" + zwj // https://
	case r == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
		return zwj + "." // www.example.com
	}
	return string(r)
}

// escapeLeadingMarker backslash-escapes a list, setext or thematic break
// marker at the start of s, in case the caller puts s at a line's start
// ("#" and ">" are escaped already).
func escapeLeadingMarker(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte("-+=", s[0]) >= 0 {
		return `\` + s
	}
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits > 0 && digits < len(s) && s[digits] == '.' {
		return s[:digits] + `\` + s[digits:]
	}
	return s
}
