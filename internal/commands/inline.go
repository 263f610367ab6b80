package commands

import "strings"

// hiddenStarts reports, for each line of a paragraph, whether the line
// begins inside an inline construct opened on an earlier line: a code span,
// an HTML comment, or something that may be an HTML tag (any "<" followed
// by a letter, up to the next ">": wider than CommonMark's tags, so that
// nothing hidden in an attribute is ever read). Linear in the paragraph.
func hiddenStarts(lines []paraLine) []bool {
	starts := make([]int, len(lines))
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		starts[i] = b.Len()
		b.WriteString(l.text)
	}
	hidden := make([]bool, len(lines))
	spans := inlineSpans(b.String())
	k := 0
	for i, at := range starts {
		for k < len(spans) && spans[k].end <= at {
			k++
		}
		hidden[i] = k < len(spans) && spans[k].start < at
	}
	return hidden
}

// span is a byte range [start, end) of a paragraph.
type span struct{ start, end int }

// inlineSpans returns, in order, the code spans, HTML comments and tags of
// a paragraph, read left to right with CommonMark's precedence (whichever
// starts first wins; backslash escapes count outside code spans only).
func inlineSpans(t string) []span {
	runs := newBacktickRuns(t)
	ends := endFinders{}
	var out []span
	for i := 0; i < len(t); {
		j := strings.IndexAny(t[i:], "\\`<")
		if j < 0 {
			break
		}
		i += j
		switch t[i] {
		case '\\':
			i++
			if i < len(t) && isASCIIPunct(t[i]) {
				i++
			}
		case '`':
			n := len(t[i:]) - len(strings.TrimLeft(t[i:], "`"))
			if closer := runs.next(i+n, n); closer >= 0 {
				out = append(out, span{i, closer + n})
				i = closer + n
			} else {
				i += n
			}
		case '<':
			if end := ends.html(t, i); end > 0 {
				out = append(out, span{i, end})
				i = end
			} else {
				i++
			}
		}
	}
	return out
}

// isASCIIPunct reports whether c can be backslash-escaped.
func isASCIIPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !isASCIIAlnum(c)
}

// backtickRuns indexes the maximal runs of backticks of a paragraph by
// length, to find a code span's closer in amortised constant time.
type backtickRuns struct {
	starts map[int][]int // run length → run starts, in order
	passed map[int]int   // run length → index of the first run not yet passed
}

// newBacktickRuns indexes the runs of t.
func newBacktickRuns(t string) backtickRuns {
	r := backtickRuns{starts: map[int][]int{}, passed: map[int]int{}}
	for i := 0; i < len(t); {
		if t[i] != '`' {
			i++
			continue
		}
		n := len(t[i:]) - len(strings.TrimLeft(t[i:], "`"))
		r.starts[n] = append(r.starts[n], i)
		i += n
	}
	return r
}

// next returns the start of the first run of exactly n backticks at or after
// from, or -1. Calls must come with non-decreasing from.
func (r backtickRuns) next(from, n int) int {
	list, k := r.starts[n], r.passed[n]
	for k < len(list) && list[k] < from {
		k++
	}
	r.passed[n] = k
	if k < len(list) {
		return list[k]
	}
	return -1
}

// finder finds a needle at or after non-decreasing positions, remembering
// its last answer so that a paragraph is searched once per needle.
type finder struct {
	at    int // the last answer: a position, or -1 for none
	valid bool
}

// find returns the first position at or after from where needle starts in
// t, or -1.
func (f *finder) find(t, needle string, from int) int {
	if f.valid && (f.at < 0 || f.at >= from) {
		return f.at
	}
	f.valid, f.at = true, -1
	if k := strings.Index(t[from:], needle); k >= 0 {
		f.at = from + k
	}
	return f.at
}

// endFinders find the ends of HTML comments, processing instructions,
// CDATA sections and tags.
type endFinders struct {
	comment, pi, cdata, tag finder
}

// html returns the end of the comment, processing instruction, CDATA
// section, declaration or tag starting at t[i] ('<'), or 0 if there is none.
func (e *endFinders) html(t string, i int) int {
	rest := t[i:]
	switch {
	case strings.HasPrefix(rest, "<!-->"):
		return i + len("<!-->")
	case strings.HasPrefix(rest, "<!--->"):
		return i + len("<!--->")
	case strings.HasPrefix(rest, "<!--"):
		return after(e.comment.find(t, "-->", i+4), 3)
	case strings.HasPrefix(rest, "<?"):
		return after(e.pi.find(t, "?>", i+2), 2)
	case strings.HasPrefix(rest, "<![CDATA["):
		return after(e.cdata.find(t, "]]>", i+9), 3)
	case len(rest) > 1 && (isASCIILetter(rest[1]) || rest[1] == '!' ||
		rest[1] == '/' && len(rest) > 2 && isASCIILetter(rest[2])):
		return after(e.tag.find(t, ">", i+1), 1)
	}
	return 0
}

// after is the end of a construct whose closing needle (of length n) is at
// pos, or 0 if pos is -1.
func after(pos, n int) int {
	if pos < 0 {
		return 0
	}
	return pos + n
}

// isASCIILetter reports whether c is an ASCII letter.
func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
