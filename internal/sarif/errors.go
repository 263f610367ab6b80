package sarif

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel reasons carried by a *PathError; test them with errors.Is.
var (
	// ErrOutsideRoot: an absolute path (or file URI) outside every
	// repository root.
	ErrOutsideRoot = errors.New("absolute path outside the repository root")
	// ErrEscapesRoot: a relative path whose ".." segments leave the root.
	ErrEscapesRoot = errors.New("path escapes the repository root")
	// ErrScheme: a URI whose scheme is not "file" (http:, https:, ...).
	ErrScheme = errors.New("not a file URI")
	// ErrUnknownBase: a uriBaseId that originalUriBaseIds does not define,
	// or a cyclic or too deep chain of them.
	ErrUnknownBase = errors.New("unknown uriBaseId")
	// ErrBadURI: a URI that cannot be parsed or has control characters.
	ErrBadURI = errors.New("malformed URI")
	// ErrNoLocation: a result with no file location (or one naming the
	// repository root itself).
	ErrNoLocation = errors.New("no file location")
)

// DecodeError reports input that is not well-formed JSON, or JSON that does
// not have the shape of a SARIF log, with its position.
type DecodeError struct {
	// Offset is the 0-based byte offset at (or just after) the problem.
	Offset int64
	// Line and Column are 1-based; Column counts bytes.
	Line, Column int
	// Pointer is the JSON pointer of the value being read, e.g.
	// "/runs/0/results/12/locations/0", when known.
	Pointer string
	// Err describes the problem.
	Err error
}

// Error renders "sarif: line L, column C (byte O) at POINTER: problem".
func (e *DecodeError) Error() string {
	at := ""
	if e.Pointer != "" {
		at = " at " + e.Pointer
	}
	return fmt.Sprintf("sarif: line %d, column %d (byte %d)%s: %v", e.Line, e.Column, e.Offset, at, e.Err)
}

// Unwrap returns the underlying problem.
func (e *DecodeError) Unwrap() error { return e.Err }

// VersionError reports a log that is not SARIF 2.1.0.
type VersionError struct {
	// Version is the log's version; empty when Missing.
	Version string
	// Missing is true when the log has no version at all.
	Missing bool
}

// Error says which version was found.
func (e *VersionError) Error() string {
	if e.Missing {
		return `sarif: the log has no "version" (want "2.1.0")`
	}
	return fmt.Sprintf("sarif: unsupported version %q (want %q)", clip(e.Version), Version)
}

// LimitError reports a log over one of the import limits.
type LimitError struct {
	// What is exceeded: "runs", "results", "rules" or "bytes".
	What string `json:"what"`
	// Limit is the limit in force.
	Limit int64 `json:"limit"`
	// Run is the 0-based index of the run over the limit, or -1 for limits
	// on the whole log.
	Run int `json:"run"`
}

// Error names the limit and where it was exceeded.
func (e *LimitError) Error() string {
	switch {
	case e.What == "bytes":
		return fmt.Sprintf("sarif: the log is larger than the limit of %d bytes", e.Limit)
	case e.Run < 0:
		return fmt.Sprintf("sarif: the log has more than %d %s (limit)", e.Limit, e.What)
	default:
		return fmt.Sprintf("sarif: run %d has more than %d %s (limit)", e.Run, e.Limit, e.What)
	}
}

// PathError reports a result whose location is refused: outside the
// repository, escaping it, not a file, or unresolvable.
type PathError struct {
	// Run and Result are the 0-based indexes of the result.
	Run, Result int
	// Pointer is the JSON pointer of the offending artifact location.
	Pointer string
	// URI is the location's uri as written (with its uriBaseId, if any).
	URI string
	// Err is the reason; errors.Is matches the Err* sentinels.
	Err error
}

// Error names the result, its URI and the reason.
func (e *PathError) Error() string {
	return fmt.Sprintf("sarif: run %d, result %d (%s): uri %q: %v", e.Run, e.Result, e.Pointer, clip(e.URI), e.Err)
}

// maxQuoted bounds how much of an input string an error message quotes.
const maxQuoted = 256

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	return strings.ToValidUTF8(s[:maxQuoted], "") + "..."
}

// Unwrap returns the reason.
func (e *PathError) Unwrap() error { return e.Err }
