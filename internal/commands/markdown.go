package commands

// candidate is a line that may hold a command: a paragraph line that starts
// the line (no list marker before it, at most three columns of
// indentation) outside any quote, code, HTML block, or multi-line code
// span, HTML comment or tag.
type candidate struct {
	num       int    // 1-based line number
	text      string // the line after container indentation and white space
	lazyQuote bool   // the line lazily continues a quoted paragraph
}

// maxNesting bounds how deeply block quotes and list items nest. Content
// nested deeper is ignored, which keeps the scan linear in the body.
const maxNesting = 16

// container is an open block quote or list item.
type container struct {
	quote  bool // a block quote; otherwise a list item
	indent int  // a list item's content column, relative to its parent's
}

// leafKind is the kind of the open leaf block.
type leafKind uint8

const (
	leafNone leafKind = iota
	leafParagraph
	leafFence
	leafIndented
	leafHTML
	leafOpaque // content nested beyond maxNesting, ignored
)

// leaf is the open leaf block of the innermost container.
type leaf struct {
	kind      leafKind
	blank     bool // an opaque leaf's last line was blank: no lazy lines follow
	fenceChar byte
	fenceLen  int
	htmlEnds  []string
}

// paraLine is one line of the open paragraph.
type paraLine struct {
	num         int
	text        string
	indent      int
	quoted      bool // the paragraph is inside a block quote
	lazy        bool // the line matched not all containers (lazy continuation)
	afterMarker bool // the line opened a list item: the text follows a marker
}

// blockScanner follows CommonMark's block structure line by line.
type blockScanner struct {
	stack      []container
	leaf       leaf
	para       []paraLine
	paraQuoted bool
	emit       func(candidate)
}

// scanMarkdown calls emit, in order, for every candidate line of body.
func scanMarkdown(body string, emit func(candidate)) {
	b := blockScanner{emit: emit}
	for num := 1; body != ""; num++ {
		var line string
		line, body = nextLine(body)
		b.line(num, line)
	}
	b.endLeaf()
}

// line reads one line: containers it continues, containers it opens, lazy
// continuation, then the leaf block.
func (b *blockScanner) line(num int, s string) {
	c := cursor{s: s}
	matched := b.matchContainers(&c)
	all := matched == len(b.stack)
	if all && b.continueLeaf(c) {
		return
	}
	opened, marker, swallowed := b.openContainers(&c, matched, all)
	switch {
	case swallowed:
		return
	case !opened && !all && b.lazy(num, c, matched):
		return
	case !opened && !all:
		b.closeFrom(matched)
	}
	b.leafLine(num, c, marker)
}

// matchContainers consumes the markers of the open containers that the
// line continues and returns how many it continues.
func (b *blockScanner) matchContainers(c *cursor) int {
	for i, k := range b.stack {
		ind, t := c.indent(), c.text()
		switch {
		case k.quote && ind <= 3 && t != "" && t[0] == '>':
			c.skipQuoteMarker(ind)
		case !k.quote && t == "":
		case !k.quote && ind >= k.indent:
			c.skipCols(k.indent)
		default:
			return i
		}
	}
	return len(b.stack)
}

// continueLeaf reads a line that continues every container into a fenced
// code, HTML or indented code block; false if the line is not such content.
func (b *blockScanner) continueLeaf(c cursor) bool {
	switch b.leaf.kind {
	case leafFence:
		if closesFence(c, b.leaf) {
			b.leaf = leaf{}
		}
		return true
	case leafHTML:
		if endsHTML(c.s, b.leaf.htmlEnds) {
			b.leaf = leaf{}
		}
		return true
	case leafOpaque:
		b.leaf.blank = c.text() == ""
		return true
	case leafIndented:
		if c.text() == "" || c.indent() >= 4 {
			return true
		}
		b.leaf = leaf{}
	}
	return false
}

// openContainers opens the block quotes and list items that start at c.
// marker says a list item was opened; swallowed that nesting went beyond
// maxNesting and the line is ignored.
func (b *blockScanner) openContainers(c *cursor, matched int, all bool) (opened, marker, swallowed bool) {
	for {
		ind, t := c.indent(), c.text()
		if ind > 3 || t == "" {
			return opened, marker, false
		}
		item, after, isItem := listItemStart(*c)
		if isItem && all && !opened && b.leaf.kind == leafParagraph && !item.canInterrupt {
			isItem = false
		}
		if t[0] != '>' && !isItem {
			return opened, marker, false
		}
		if !opened {
			b.closeFrom(matched)
			opened = true
		}
		if len(b.stack) == maxNesting {
			b.leaf = leaf{kind: leafOpaque}
			return opened, marker, true
		}
		if t[0] == '>' {
			c.skipQuoteMarker(ind)
			b.stack = append(b.stack, container{quote: true})
		} else {
			*c = after
			b.stack = append(b.stack, container{indent: item.indent})
			marker = true
		}
	}
}

// lazy reads a paragraph continuation line that does not continue all
// containers (CommonMark's lazy continuation); false if the line is not one.
// The line counts as lazy (worth a problem if it holds a command) only when
// the containers it does continue are no quote.
func (b *blockScanner) lazy(num int, c cursor, matched int) bool {
	if b.leaf.kind != leafParagraph && (b.leaf.kind != leafOpaque || b.leaf.blank) {
		return false
	}
	t := c.text()
	if t == "" || c.indent() <= 3 && interruptsParagraph(t) {
		return false
	}
	if b.leaf.kind == leafParagraph {
		lazy := !b.inQuote(matched)
		b.para = append(b.para, paraLine{num: num, text: t, indent: c.indent(), quoted: b.paraQuoted, lazy: lazy})
	}
	return true
}

// interruptsParagraph reports whether t starts a leaf block that ends a
// paragraph.
func interruptsParagraph(t string) bool {
	_, fence := fenceOpen(t)
	_, html := htmlStart(t)
	return fence || html || isATXHeading(t) || isThematicBreak(t)
}

// leafLine reads the rest of a line inside the innermost container.
func (b *blockScanner) leafLine(num int, c cursor, marker bool) {
	ind, t := c.indent(), c.text()
	switch {
	case t == "":
		b.endLeaf()
	case ind >= 4 && b.leaf.kind != leafParagraph:
		b.endLeaf()
		b.leaf = leaf{kind: leafIndented}
	case ind < 4 && b.leaf.kind == leafParagraph && isSetextUnderline(t):
		b.endLeaf()
	case ind < 4 && b.leafStart(t):
	default:
		if b.leaf.kind != leafParagraph {
			b.endLeaf()
			b.leaf = leaf{kind: leafParagraph}
			b.paraQuoted = b.inQuote(len(b.stack))
		}
		b.para = append(b.para, paraLine{num: num, text: t, indent: ind, quoted: b.paraQuoted, afterMarker: marker})
	}
}

// leafStart opens a fenced code block or HTML block, or reads a heading or
// thematic break; false if t starts none of them.
func (b *blockScanner) leafStart(t string) bool {
	if l, ok := fenceOpen(t); ok {
		b.endLeaf()
		b.leaf = l
		return true
	}
	if l, ok := htmlStart(t); ok {
		b.endLeaf()
		if !endsHTML(t[1:], l.htmlEnds) {
			b.leaf = l
		}
		return true
	}
	if isATXHeading(t) || isThematicBreak(t) {
		b.endLeaf()
		return true
	}
	return false
}

// inQuote reports whether one of the first n containers is a block quote.
func (b *blockScanner) inQuote(n int) bool {
	for _, k := range b.stack[:n] {
		if k.quote {
			return true
		}
	}
	return false
}

// closeFrom closes the open leaf and the containers from index n on.
func (b *blockScanner) closeFrom(n int) {
	b.endLeaf()
	b.stack = b.stack[:n]
}

// endLeaf closes the open leaf block, emitting a paragraph's candidates.
func (b *blockScanner) endLeaf() {
	if b.leaf.kind == leafParagraph {
		hidden := hiddenStarts(b.para)
		for i, l := range b.para {
			if hidden[i] || l.indent >= 4 || l.afterMarker || l.quoted && !l.lazy {
				continue
			}
			b.emit(candidate{num: l.num, text: l.text, lazyQuote: l.quoted})
		}
		b.para = b.para[:0]
	}
	b.leaf = leaf{}
}
