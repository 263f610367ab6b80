package commands

import "strings"

// nextLine splits s at its first line ending (LF, CRLF or a lone CR, as in
// CommonMark).
func nextLine(s string) (line, rest string) {
	i := strings.IndexAny(s, "\r\n")
	switch {
	case i < 0:
		return s, ""
	case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
		return s[:i], s[i+2:]
	}
	return s[:i], s[i+1:]
}

// cursor is the unread part of a line: pad virtual spaces (left from a tab
// partly consumed as indentation), then s. col is the cursor's column, for
// tab stops (every 4 columns).
type cursor struct {
	s   string
	col int
	pad int
}

// indent is the width, in columns, of the white space at the cursor.
func (c cursor) indent() int {
	n, col := c.pad, c.col+c.pad
	for i := 0; i < len(c.s); i++ {
		switch c.s[i] {
		case ' ':
			n, col = n+1, col+1
		case '\t':
			w := 4 - col%4
			n, col = n+w, col+w
		default:
			return n
		}
	}
	return n
}

// text is the line after the white space at the cursor.
func (c cursor) text() string {
	return strings.TrimLeft(c.s, " \t")
}

// skipCols consumes up to n columns of white space; a tab wider than what
// is left is consumed in part.
func (c *cursor) skipCols(n int) {
	for n > 0 {
		switch {
		case c.pad > 0:
			c.pad, c.col, n = c.pad-1, c.col+1, n-1
		case c.s == "":
			return
		case c.s[0] == ' ':
			c.s, c.col, n = c.s[1:], c.col+1, n-1
		case c.s[0] == '\t':
			w := 4 - c.col%4
			c.s = c.s[1:]
			if w <= n {
				c.col, n = c.col+w, n-w
			} else {
				c.col, c.pad, n = c.col+n, w-n, 0
			}
		default:
			return
		}
	}
}

// skipBytes consumes n bytes that are not white space (a marker).
func (c *cursor) skipBytes(n int) {
	c.skipCols(c.pad)
	c.s, c.col = c.s[n:], c.col+n
}

// skipQuoteMarker consumes a block quote marker after ind columns of
// indentation, with the one optional space after it.
func (c *cursor) skipQuoteMarker(ind int) {
	c.skipCols(ind)
	c.skipBytes(1)
	if c.s != "" && (c.s[0] == ' ' || c.s[0] == '\t') {
		c.skipCols(1)
	}
}

// listItem is the start of a list item.
type listItem struct {
	indent       int  // the content's column, relative to the marker line's
	canInterrupt bool // a paragraph can be interrupted by it
}

// listItemStart reads a list item marker at c, returning the cursor after
// the marker and its padding.
func listItemStart(c cursor) (listItem, cursor, bool) {
	ind := c.indent()
	c.skipCols(ind)
	if isThematicBreak(c.s) {
		return listItem{}, c, false
	}
	w, first := markerWidth(c.s)
	if w == 0 || w < len(c.s) && c.s[w] != ' ' && c.s[w] != '\t' {
		return listItem{}, c, false
	}
	c.skipBytes(w)
	blank := c.text() == ""
	pad := c.indent()
	if blank || pad >= 5 {
		pad = 1 // empty first line, or content that is indented code
	}
	c.skipCols(pad)
	return listItem{indent: ind + w + pad, canInterrupt: first && !blank}, c, true
}

// markerWidth returns the width of a list marker starting t (0 if none)
// and whether the marker may start a list inside a paragraph (a bullet, or
// the number 1).
func markerWidth(t string) (int, bool) {
	if t == "" {
		return 0, false
	}
	if strings.IndexByte("-+*", t[0]) >= 0 {
		return 1, true
	}
	n := 0
	for n < len(t) && n < 10 && '0' <= t[n] && t[n] <= '9' {
		n++
	}
	if n == 0 || n > 9 || n == len(t) || t[n] != '.' && t[n] != ')' {
		return 0, false
	}
	return n + 1, strings.TrimLeft(t[:n], "0") == "1"
}

// isThematicBreak reports whether t is three or more of one of - * _, with
// only spaces and tabs between.
func isThematicBreak(t string) bool {
	if t == "" || strings.IndexByte("-*_", t[0]) < 0 {
		return false
	}
	n := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case t[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// isSetextUnderline reports whether t underlines a paragraph: = or - only,
// then white space.
func isSetextUnderline(t string) bool {
	if t == "" || t[0] != '=' && t[0] != '-' {
		return false
	}
	return strings.TrimRight(strings.TrimLeft(t, t[:1]), " \t") == ""
}

// isATXHeading reports whether t is a # heading.
func isATXHeading(t string) bool {
	n := len(t) - len(strings.TrimLeft(t, "#"))
	return n >= 1 && n <= 6 && (n == len(t) || t[n] == ' ' || t[n] == '\t')
}

// fenceOpen reads an opening code fence: ``` or ~~~, at least three, and
// for backticks an info string without backticks.
func fenceOpen(t string) (leaf, bool) {
	if t == "" || t[0] != '`' && t[0] != '~' {
		return leaf{}, false
	}
	n := len(t) - len(strings.TrimLeft(t, t[:1]))
	if n < 3 || t[0] == '`' && strings.IndexByte(t[n:], '`') >= 0 {
		return leaf{}, false
	}
	return leaf{kind: leafFence, fenceChar: t[0], fenceLen: n}, true
}

// closesFence reports whether the line at c closes the fence l: at most
// three columns of indentation, at least as many fence characters, then
// only white space.
func closesFence(c cursor, l leaf) bool {
	t := c.text()
	n := len(t) - len(strings.TrimLeft(t, string(l.fenceChar)))
	return c.indent() <= 3 && n >= l.fenceLen && strings.TrimRight(t[n:], " \t") == ""
}

// htmlBlocks are the HTML blocks (CommonMark kinds 1 to 5) whose content is
// hidden or raw: their start and the strings, any of which ends them.
var htmlBlocks = []struct {
	start string
	ends  []string
}{
	{"<!--", []string{"-->"}},
	{"<![cdata[", []string{"]]>"}},
	{"<?", []string{"?>"}},
	{"<pre", rawTagEnds},
	{"<script", rawTagEnds},
	{"<style", rawTagEnds},
	{"<textarea", rawTagEnds},
}

// rawTagEnds end the HTML blocks of kind 1.
var rawTagEnds = []string{"</pre>", "</script>", "</style>", "</textarea>"}

// htmlStart reads the start of an HTML block of kinds 1 to 5 in t.
func htmlStart(t string) (leaf, bool) {
	lower := lowerASCII(t[:min(len(t), 10)])
	for _, h := range htmlBlocks {
		if !strings.HasPrefix(lower, h.start) {
			continue
		}
		if len(h.ends) > 1 { // a tag: its name must end there
			if rest := t[len(h.start):]; rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '>' {
				continue
			}
		}
		return leaf{kind: leafHTML, htmlEnds: h.ends}, true
	}
	if len(t) > 2 && t[0] == '<' && t[1] == '!' && ('a' <= lower[2] && lower[2] <= 'z') {
		return leaf{kind: leafHTML, htmlEnds: []string{">"}}, true
	}
	return leaf{}, false
}

// endsHTML reports whether line holds one of the ends of an HTML block.
func endsHTML(line string, ends []string) bool {
	lower := lowerASCII(line)
	for _, e := range ends {
		if strings.Contains(lower, e) {
			return true
		}
	}
	return false
}
