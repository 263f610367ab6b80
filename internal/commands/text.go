package commands

import (
	"strings"
	"unicode/utf8"
)

// maxQuoted is how many characters of user text a problem quotes.
const maxQuoted = 40

// lowerASCII lower-cases ASCII letters only: strings.ToLower would also
// fold look-alikes such as the Kelvin sign into ASCII.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// hasPrefixFold reports whether s starts with the ASCII prefix, ignoring
// ASCII case only (strings.EqualFold would accept the long s for "s").
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && lowerASCII(s[:len(prefix)]) == prefix
}

// isASCIIAlnum reports whether c is an ASCII letter or digit.
func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// shorten keeps the first maxQuoted characters of s, marking a cut.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return s
	}
	n := 0
	for i := range s {
		if n == maxQuoted {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// userCode renders user text as a code span (see code), shortened.
func userCode(s string) string {
	return code(shorten(s))
}

// code renders s as a Markdown code span that nothing can break out of: on
// one line, invisible and control characters shown as U+FFFD (so that a
// reader sees where they are), invalid UTF-8 replaced, and a fence longer
// than any run of backticks inside.
func code(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r >= utf8.RuneSelf && invisible(r) || r < ' ' || r == 0x7f:
			return '\uFFFD'
		}
		return r
	}, s)
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
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

// suggest returns the candidate closest to word (ignoring ASCII case) if it
// is close enough to be a likely typo, else "".
func suggest(word string, candidates []string) string {
	w := []rune(lowerASCII(word))
	if len(w) == 0 || len(w) > 2*maxQuoted {
		return ""
	}
	best, bestDist := "", 0
	for _, c := range candidates {
		d := distance(w, []rune(c))
		if d <= 2 && 2*d < len(c) && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent
// characters ("retset" is one from "retest").
func distance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
