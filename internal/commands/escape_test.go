package commands

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscapeForReply(t *testing.T) {
	const j = "\u200d" // zero-width joiner
	tests := []struct{ name, in, want string }{
		{"plain text unchanged", "rotated weekly, not in prod", "rotated weekly, not in prod"},
		{"accents kept", "não é segredo; e\u0301", "não é segredo; e\u0301"},
		{"mention", "ask @octocat", "ask @" + j + "octocat"},
		{"team mention", "@org/security-team", "@" + j + "org/security-team"},
		{"issue reference", "see #123", "see #" + j + "123"},
		{"cross-repository reference", "owner/repo#12", "owner/repo#" + j + "12"},
		{"GH- reference", "GH-123 and gh-7", "GH" + j + "-123 and gh" + j + "-7"},
		{"not a GH- reference", "ugh-x", "ugh-x"},
		{"HTML tags", "<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"},
		{"HTML comment", "<!-- hidden -->", "&lt;\\!--" + " hidden --&gt;"},
		{"entity that would make a mention", "&#64;octocat", "&amp;#" + j + "64;octocat"},
		{"link", "[click](https://evil.example)", "\\[click\\]\\(https:" + j + "//evil.example\\)"},
		{"image", "![x](y.png)", "\\!\\[x\\]\\(y.png\\)"},
		{"bare URL", "http://x.example", "http:" + j + "//x.example"},
		{"www autolink", "www.example.com", "www" + j + ".example.com"},
		{"emphasis", "*bold* _it_ ~~gone~~", "\\*bold\\* \\_it\\_ \\~\\~gone\\~\\~"},
		{"heading", "# Title", "#" + j + " Title"},
		{"table", "| a | b |", "\\| a \\| b \\|"},
		{"math", "$x^2$", "\\$x^2\\$"},
		{"backslash", `a\*b`, `a\\\*b`},
		{"backticks", "`code` ``x``", "\u02cbcode\u02cb \u02cb\u02cbx\u02cb\u02cb"},
		{"newlines collapsed", "one\ntwo\r\n\r\nthree\u2028four", "one two three four"},
		{"white space collapsed", "  a \t b  ", "a b"},
		{"bullet at the start", "- item", "\\- item"},
		{"plus at the start", "+ item", "\\+ item"},
		{"setext underline", "===", "\\==="},
		{"ordered item at the start", "12. item", "12\\. item"},
		{"number mid-text kept", "version 1.2", "version 1.2"},
		{"quote marker", "> quoted", "&gt; quoted"},
		{"bidi and zero-width dropped", "a\u202eb\u200bc\u2066d", "abcd"},
		{"zero-width space cannot hide a mention", "@\u200boctocat", "@" + j + "octocat"},
		{"control characters dropped", "a\x00b\x1bc", "abc"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EscapeForReply(tt.in); got != tt.want {
				t.Errorf("EscapeForReply(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzEscapeForReply checks properties that hold for any input: one valid
// line, no backtick, no raw HTML or ampersand, every @ and # followed by a
// zero-width joiner.
func FuzzEscapeForReply(f *testing.F) {
	for _, s := range []string{"@a #1 GH-2 <b> `c` [d](e) *f*", "line\nline", "&lt;", "\xff\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := EscapeForReply(s)
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\n\r`<>") {
			t.Fatalf("EscapeForReply(%q) = %q: not one valid line, or a backtick or angle bracket", s, got)
		}
		for i := 0; i < len(got); i++ {
			switch got[i] {
			case '@', '#':
				if !strings.HasPrefix(got[i+1:], "\u200d") {
					t.Fatalf("EscapeForReply(%q) = %q: %c without a joiner", s, got, got[i])
				}
			case '&':
				if !strings.HasPrefix(got[i:], "&amp;") && !strings.HasPrefix(got[i:], "&lt;") && !strings.HasPrefix(got[i:], "&gt;") {
					t.Fatalf("EscapeForReply(%q) = %q: raw ampersand", s, got)
				}
			}
		}
	})
}
