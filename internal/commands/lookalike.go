package commands

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// confusables maps characters that look like the ASCII ones of the command
// syntax but have no compatibility decomposition to them (other scripts,
// small capitals, dashes, slashes, colons). Compatibility forms (fullwidth,
// mathematical, circled letters, ligatures, the Kelvin sign, the long s) are
// found by NFKD instead.
var confusables = map[rune]string{
	// Cyrillic.
	'а': "a", 'в': "b", 'с': "c", 'ԁ': "d", 'е': "e", 'ҽ': "e", 'һ': "h", 'і': "i", 'ј': "j", 'к': "k",
	'ӏ': "l", 'м': "m", 'п': "n", 'о': "o", 'р': "p", 'ԛ': "q", 'г': "r", 'ѕ': "s", 'т': "t", 'ѵ': "v",
	'ԝ': "w", 'х': "x", 'у': "y", 'ү': "y", 'А': "a", 'В': "b", 'С': "c", 'Ԁ': "d", 'Е': "e", 'Н': "h",
	'І': "i", 'Ј': "j", 'К': "k", 'Ӏ': "l", 'М': "m", 'О': "o", 'Р': "p", 'Ԛ': "q", 'Ѕ': "s", 'Т': "t",
	'Ѵ': "v", 'Ԝ': "w", 'Х': "x", 'У': "y", 'Ү': "y",
	// Greek.
	'α': "a", 'β': "b", 'ϲ': "c", 'ε': "e", 'η': "n", 'ι': "i", 'ϳ': "j", 'κ': "k", 'ν': "v", 'ο': "o",
	'ρ': "p", 'τ': "t", 'υ': "u", 'χ': "x", 'γ': "y", 'Α': "a", 'Β': "b", 'Ϲ': "c", 'Ε': "e", 'Ζ': "z",
	'Η': "h", 'Ι': "i", 'Ϳ': "j", 'Κ': "k", 'Μ': "m", 'Ν': "n", 'Ο': "o", 'Ρ': "p", 'Τ': "t", 'Υ': "y",
	'Χ': "x",
	// Armenian.
	'ա': "w", 'հ': "h", 'ո': "n", 'ս': "u", 'ց': "g", 'օ': "o", 'զ': "q",
	// Latin letters of other shapes, and small capitals.
	'ı': "i", 'ɩ': "i", 'ɑ': "a", 'ɡ': "g", 'ʋ': "v", 'ᴀ': "a", 'ʙ': "b", 'ᴄ': "c", 'ᴅ': "d", 'ᴇ': "e",
	'ꜰ': "f", 'ɢ': "g", 'ʜ': "h", 'ɪ': "i", 'ᴊ': "j", 'ᴋ': "k", 'ʟ': "l", 'ᴍ': "m", 'ɴ': "n", 'ᴏ': "o",
	'ᴘ': "p", 'ʀ': "r", 'ꜱ': "s", 'ᴛ': "t", 'ᴜ': "u", 'ᴠ': "v", 'ᴡ': "w", 'ʏ': "y", 'ᴢ': "z",
	// Punctuation of the syntax.
	'⁄': "/", '∕': "/", '⧸': "/", '╱': "/", '⟋': "/", '〳': "/", '⼃': "/",
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-", '⁃': "-", '˗': "-", '﹘': "-",
	'∶': ":", 'ː': ":", '˸': ":", '։': ":", '꞉': ":", '׃': ":",
	'۔': ".", 'ꓸ': ".",
}

// invisible reports whether r is drawn as nothing or almost nothing:
// formatting and control characters, combining marks, fillers.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Cc, unicode.Mn, unicode.Me, unicode.Other_Default_Ignorable_Code_Point) ||
		r == '\u2800' // braille blank
}

// imitation returns the ASCII text that the non-ASCII rune r imitates ("" if
// r is invisible) and whether r imitates anything. ASCII runes and runes
// that look like nothing of ASCII return false.
func imitation(r rune) (string, bool) {
	switch {
	case r < utf8.RuneSelf:
		return "", false
	case r == utf8.RuneError:
		return "", false
	case invisible(r):
		return "", true
	case unicode.IsSpace(r):
		return " ", true
	}
	if s, ok := confusables[r]; ok {
		return s, true
	}
	return decomposeASCII(r)
}

// decomposeASCII returns r's compatibility decomposition when, without
// combining marks, it is ASCII: "ｃ" → "c", "𝐜" → "c", "ó" → "o", "ﬁ" → "fi".
func decomposeASCII(r rune) (string, bool) {
	var out []byte
	for _, d := range norm.NFKD.String(string(r)) {
		switch {
		case d < utf8.RuneSelf:
			out = append(out, byte(d))
		case !unicode.In(d, unicode.Mn, unicode.Me):
			return "", false
		}
	}
	return string(out), len(out) > 0
}

// skeleton replaces every look-alike in s by the ASCII it imitates and drops
// invisible characters; other characters stay. It is idempotent.
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range s {
		if imit, ok := imitation(r); ok {
			b.WriteString(imit)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// firstLookalike finds the first look-alike or invisible rune of s.
func firstLookalike(s string) (r rune, imit string, found bool) {
	for _, r := range s {
		if imit, ok := imitation(r); ok {
			return r, imit, true
		}
	}
	return 0, "", false
}

// describeLookalike names r and what it imitates, as Markdown.
func describeLookalike(r rune, imit string) string {
	switch imit {
	case "":
		return fmt.Sprintf("an invisible character, U+%04X", r)
	case " ":
		return fmt.Sprintf("a look-alike of a space, U+%04X", r)
	}
	return fmt.Sprintf("a look-alike character, U+%04X in place of %s", r, code(imit))
}

// lookalikeNote is " (it contains …)" naming the first look-alike of s, or
// "" when s has none.
func lookalikeNote(s string) string {
	if r, imit, ok := firstLookalike(s); ok {
		return " (it contains " + describeLookalike(r, imit) + ")"
	}
	return ""
}

// lookalikePrefix reports whether line, read through its look-alikes,
// starts with Prefix and then a space or the end of the line, while at least
// one look-alike was used. It returns the first look-alike and the rest of
// the line after the prefix. It reads no further than it must.
func lookalikePrefix(line string) (r rune, imit, rest string, ok bool) {
	var folded []byte
	used := false
	for i := 0; i < len(line); {
		c, size := utf8.DecodeRuneInString(line[i:])
		i += size
		m, isLike := imitation(c)
		if !isLike {
			m = line[i-size : i]
		} else if !used {
			r, imit, used = c, m, true
		}
		if len(folded) == 0 {
			m = strings.TrimLeft(m, " \t") // leading (look-alike) spaces
		}
		folded = append(folded, lowerASCII(m)...)
		if n := min(len(folded), len(Prefix)); string(folded[:n]) != Prefix[:n] {
			return 0, "", "", false
		}
		if len(folded) > len(Prefix) {
			sep := folded[len(Prefix)]
			return r, imit, line[i:], used && (sep == ' ' || sep == '\t')
		}
	}
	return r, imit, "", used && len(folded) == len(Prefix)
}
