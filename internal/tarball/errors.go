package tarball

import (
	"errors"
	"fmt"
)

// Sentinel errors. Extract wraps them, usually in an *EntryError naming the
// offending entry: test with errors.Is.
var (
	// ErrCorrupt: the input is not a well-formed gzip'd tar (bad gzip
	// header or checksum, truncated or malformed tar). The underlying error
	// is wrapped too.
	ErrCorrupt = errors.New("corrupt archive")
	// ErrTrailingData: more than a record's padding follows the tar
	// end-of-archive marker.
	ErrTrailingData = errors.New("unexpected data after end of archive")
	// ErrAbsolutePath: an entry's name is absolute.
	ErrAbsolutePath = errors.New("absolute path")
	// ErrParentRef: an entry's name has a ".." component.
	ErrParentRef = errors.New(`path has a ".." component`)
	// ErrUnsafePath: an entry's name is empty, holds a NUL byte, or is not
	// local to the destination once cleaned.
	ErrUnsafePath = errors.New("unsafe path")
	// ErrPathTooLong: an entry's name exceeds Limits.MaxPathLength.
	ErrPathTooLong = errors.New("path too long")
	// ErrPathTooDeep: an entry's path exceeds Limits.MaxPathDepth.
	ErrPathTooDeep = errors.New("path too deep")
	// ErrPrefixMismatch: an entry is not inside the top-level directory
	// that the first entry established, or a non-directory entry sits at
	// the top level.
	ErrPrefixMismatch = errors.New("entry outside the archive's top-level directory")
	// ErrDuplicate: two entries have the same path once cleaned.
	ErrDuplicate = errors.New("duplicate entry")
	// ErrPathConflict: an entry needs a directory where a file was written,
	// or the reverse.
	ErrPathConflict = errors.New("path conflicts with an earlier entry")
	// ErrHardLink: the archive holds a hard link. git never writes one.
	ErrHardLink = errors.New("hard links are not allowed")
	// ErrSpecialFile: the archive holds a character or block device or a
	// FIFO. git never writes one.
	ErrSpecialFile = errors.New("device and FIFO entries are not allowed")
	// ErrUnsupportedType: the archive holds an entry of another type
	// (e.g. GNU sparse or multi-volume).
	ErrUnsupportedType = errors.New("unsupported entry type")
	// ErrTooManyEntries: the archive holds more than Limits.MaxEntries.
	ErrTooManyEntries = errors.New("too many entries")
	// ErrFileTooLarge: a file exceeds Limits.MaxFileBytes.
	ErrFileTooLarge = errors.New("file too large")
	// ErrTotalTooLarge: the files together exceed Limits.MaxTotalBytes.
	ErrTotalTooLarge = errors.New("archive content too large")
)

// EntryError reports a problem with one archive entry.
type EntryError struct {
	// Name is the entry's name as stored in the archive.
	Name string
	// Err is the problem, wrapping one of the sentinel errors.
	Err error
}

// Error implements error. The name is quoted: it comes from the archive.
func (e *EntryError) Error() string {
	return fmt.Sprintf("extract: entry %q: %v", e.Name, e.Err)
}

// Unwrap returns the underlying error.
func (e *EntryError) Unwrap() error { return e.Err }

// entryErr builds an *EntryError wrapping sentinel, with optional detail.
func entryErr(name string, sentinel error, detail string) error {
	err := sentinel
	if detail != "" {
		err = fmt.Errorf("%w: %s", sentinel, detail)
	}
	return &EntryError{Name: name, Err: err}
}

// corrupt wraps a decoding error as ErrCorrupt with context.
func corrupt(what string, err error) error {
	return fmt.Errorf("extract: %s: %w: %w", what, ErrCorrupt, err)
}
