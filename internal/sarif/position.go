package sarif

import (
	"bytes"
	"io"
	"sort"
)

// tracker reads the log for the decoder, enforces the byte limit and keeps
// just enough to turn a byte offset into a line and column: the count of
// newlines before a folding point (what the decoder has consumed) and the
// offsets of the newlines after it, which are those of the decoder's
// buffer. It folds before each read, at the decoder's offset.
type tracker struct {
	r        io.Reader
	max      int64        // 0: no limit
	total    int64        // bytes read
	consumed func() int64 // the decoder's input offset; nil before it exists

	base        int64   // offsets below base are folded
	linesBefore int     // newlines at offsets < base
	lastNL      int64   // offset of the last newline < base, or -1
	nl          []int64 // offsets >= base of newlines read
}

// newTracker wraps r; max > 0 bounds the bytes read.
func newTracker(r io.Reader, max int64) *tracker {
	return &tracker{r: r, max: max, lastNL: -1}
}

// Read implements io.Reader, recording newline offsets.
func (t *tracker) Read(p []byte) (int, error) {
	if t.consumed != nil {
		t.fold(t.consumed())
	}
	if t.max > 0 {
		if t.total > t.max {
			return 0, &LimitError{What: "bytes", Limit: t.max, Run: -1}
		}
		if room := t.max + 1 - t.total; int64(len(p)) > room {
			p = p[:room]
		}
	}
	n, err := t.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		t.nl = append(t.nl, t.total+int64(i+j))
		i += j + 1
	}
	t.total += int64(n)
	if t.max > 0 && t.total > t.max {
		return n, &LimitError{What: "bytes", Limit: t.max, Run: -1}
	}
	return n, err
}

// fold forgets the newline offsets below off, which the decoder has
// consumed (no later error is reported before the end of the last token
// it returned).
func (t *tracker) fold(off int64) {
	if off <= t.base {
		return
	}
	k := t.countBefore(off)
	if k > 0 {
		t.lastNL = t.nl[k-1]
		t.linesBefore += k
		t.nl = append(t.nl[:0], t.nl[k:]...)
	}
	t.base = off
}

// countBefore returns how many recorded newlines are below off.
func (t *tracker) countBefore(off int64) int {
	return sort.Search(len(t.nl), func(i int) bool { return t.nl[i] >= off })
}

// position returns the 1-based line and byte column of offset off.
// Offsets before the folding point are reported at it.
func (t *tracker) position(off int64) (line, col int) {
	off = max(off, t.base)
	k := t.countBefore(off)
	last := t.lastNL
	if k > 0 {
		last = t.nl[k-1]
	}
	return t.linesBefore + k + 1, int(off - last)
}
