package tarball

// Default limits, used for every zero (or negative) field of Limits. They
// are sized for GitHub repositories: GitHub refuses files over 100 MB, and
// very large monorepos hold a few hundred thousand files.
const (
	// DefaultMaxTotalBytes caps the uncompressed bytes written for all files.
	DefaultMaxTotalBytes int64 = 1 << 30 // 1 GiB
	// DefaultMaxFileBytes caps the uncompressed size of any one file.
	DefaultMaxFileBytes int64 = 100 << 20 // 100 MiB
	// DefaultMaxEntries caps the number of archive entries of every kind
	// (files, directories, skipped symlinks).
	DefaultMaxEntries = 250_000
	// DefaultMaxPathLength caps an entry's name, in bytes, as stored in the
	// archive (top-level directory included).
	DefaultMaxPathLength = 1024
	// DefaultMaxPathDepth caps the number of path components below the
	// top-level directory.
	DefaultMaxPathDepth = 64
)

// maxTrailingBytes bounds what is read after the tar end-of-archive marker
// to verify the gzip checksum. Tar writers pad the archive to a record
// (10 KiB by default); anything much beyond that is not a tarball.
const maxTrailingBytes = 1 << 20

// Limits bounds what one extraction may write. The gzip decompression-bomb
// protection falls out of the byte limits: decompressed bytes are counted
// as they are written and extraction stops at the first byte over a limit.
// A zero or negative field selects the corresponding Default constant.
type Limits struct {
	// MaxTotalBytes caps the bytes written for all regular files.
	MaxTotalBytes int64
	// MaxFileBytes caps the bytes of any one regular file.
	MaxFileBytes int64
	// MaxEntries caps the number of entries of every kind.
	MaxEntries int
	// MaxPathLength caps the length in bytes of an entry's name.
	MaxPathLength int
	// MaxPathDepth caps the number of components of an entry's path
	// below the stripped top-level directory.
	MaxPathDepth int
}

// withDefaults returns l with every unset field set to its default.
func (l Limits) withDefaults() Limits {
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxPathLength <= 0 {
		l.MaxPathLength = DefaultMaxPathLength
	}
	if l.MaxPathDepth <= 0 {
		l.MaxPathDepth = DefaultMaxPathDepth
	}
	return l
}

// Stats describes what an extraction wrote. On error it describes what had
// been written before the error.
type Stats struct {
	// Prefix is the stripped top-level directory, e.g. "owner-repo-sha".
	Prefix string
	// Files counts the regular files written.
	Files int
	// Dirs counts the directory entries created (implicit parents are
	// created too but not counted).
	Dirs int
	// Bytes counts the bytes written to regular files.
	Bytes int64
	// Skipped lists the entries that were deliberately not written.
	Skipped []Skipped
}

// Skipped is an archive entry that was not written, and why.
type Skipped struct {
	// Path is the entry's path relative to dest, slash separated.
	Path string
	// Reason says why it was skipped; one of the Reason constants.
	Reason string
}

// Reasons for skipping an entry.
const (
	// ReasonSymlink: symbolic links are never created, so that nothing
	// that reads the extracted tree can be led outside it.
	ReasonSymlink = "symlink not created"
)
