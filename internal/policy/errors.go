package policy

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Pos is a 1-based line and column in a policy file; zero when unknown.
type Pos struct {
	Line   int // 1-based line
	Column int // 1-based column
}

// Error is one problem in one policy file.
type Error struct {
	// File is the file's name as given to Parse.
	File string
	// Pos is where the problem is; zero when unknown.
	Pos Pos
	// Path is the key path, e.g. "gate.max.critical" or "ignore[0].reason".
	Path string
	// Msg says what is wrong and what is allowed.
	Msg string
}

// Error renders "file:line:col: path: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Pos.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Pos.Line))
		if e.Pos.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Pos.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ValidationError lists every problem found in one policy file, in the
// order they appear in the file.
type ValidationError struct {
	// File is the file's name.
	File string
	// Errors are the problems, never empty.
	Errors []*Error
}

// Error renders one problem per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, err := range e.Errors {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem to errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i, err := range e.Errors {
		out[i] = err
	}
	return out
}

// problems collects the errors found in one file.
type problems struct {
	file string
	errs []*Error
}

func (p *problems) add(pos Pos, path, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// err returns a *ValidationError with the problems, or nil.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sortErrors(p.errs)
	return &ValidationError{File: p.file, Errors: p.errs}
}

// sortErrors orders by position (stable, so problems without a position
// keep the order they were found in, after those with one).
func sortErrors(errs []*Error) {
	key := func(e *Error) (int, int) {
		if e.Pos.Line == 0 {
			return math.MaxInt, 0
		}
		return e.Pos.Line, e.Pos.Column
	}
	slices.SortStableFunc(errs, func(a, b *Error) int {
		la, ca := key(a)
		lb, cb := key(b)
		return cmp.Or(cmp.Compare(la, lb), cmp.Compare(ca, cb))
	})
}

// allowed renders "(allowed: a, b, c)".
func allowed(values []string) string {
	return "(allowed: " + strings.Join(values, ", ") + ")"
}
