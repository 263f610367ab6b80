// Package extract unpacks a repository tarball, as GitHub's tarball
// endpoint serves it, into a directory, treating the archive as hostile.
//
// The archive is streamed: a gzip'd tar whose entries all share one
// top-level directory ("owner-repo-sha/"), which is stripped. Every entry
// is checked before anything is written, and all writes go through an
// [os.Root] opened on the destination, so no entry can be written outside
// it even if a check were missed.
//
// Policy, entry by entry:
//
//   - regular files are written with mode 0644, or 0755 when any execute
//     bit is set in the archive; setuid, setgid and sticky bits are never
//     set, and owners and times are not restored;
//   - directories are created with mode 0755;
//   - symbolic links are never created, whatever their target, and are
//     listed in Stats.Skipped: GitHub tarballs hold legitimate symlinks,
//     and a scanner must not be led out of the tree by one;
//   - hard links, devices and FIFOs are rejected: git cannot produce
//     them, so an archive holding one was not made by git archive;
//   - the pax global header (where git archive records the commit id) is
//     metadata, and is neither written nor counted;
//   - absolute names, ".." components, names escaping the destination,
//     duplicate entries, entries outside the common top-level directory,
//     and anything over a limit stop the extraction with an error.
//
// Extract returns at the first error, leaving whatever it had written:
// the destination is meant to be a fresh temporary directory that the
// caller removes.
package tarball

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"
)

// Extract unpacks the gzip'd tar read from r into the existing directory
// dest, stripping the archive's top-level directory, within the limits lim
// (zero fields take the defaults). It stops promptly when ctx is done.
// Errors wrap the package's sentinel errors; see the package documentation
// for what is rejected and what is skipped.
func Extract(ctx context.Context, r io.Reader, dest string, lim Limits) (Stats, error) {
	root, err := os.OpenRoot(dest)
	if err != nil {
		return Stats{}, fmt.Errorf("extract: opening destination: %w", err)
	}
	defer root.Close()

	zr, err := gzip.NewReader(ctxReader{ctx: ctx, r: r})
	if err != nil {
		return Stats{}, ctxOr(ctx, corrupt("reading gzip header", err))
	}
	defer zr.Close()

	x := &extractor{ctx: ctx, root: root, lim: lim.withDefaults(), seen: make(map[string]struct{})}
	if err := x.run(tar.NewReader(zr)); err != nil {
		return x.stats, ctxOr(ctx, err)
	}
	if err := drainTrailer(zr); err != nil {
		return x.stats, ctxOr(ctx, err)
	}
	return x.stats, nil
}

// extractor holds the state of one extraction.
type extractor struct {
	ctx     context.Context
	root    *os.Root
	lim     Limits
	stats   Stats
	entries int
	seen    map[string]struct{}
	buf     []byte
}

// run extracts every entry of tr.
func (x *extractor) run(tr *tar.Reader) error {
	for {
		if err := x.ctx.Err(); err != nil {
			return fmt.Errorf("extract: %w", err)
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return corrupt("reading tar header", err)
		}
		if err := x.entry(tr, hdr); err != nil {
			return err
		}
	}
}

// entry checks one entry and writes it, skips it or rejects it.
func (x *extractor) entry(tr *tar.Reader, hdr *tar.Header) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	x.entries++
	if x.entries > x.lim.MaxEntries {
		return entryErr(hdr.Name, ErrTooManyEntries, fmt.Sprintf("limit %d", x.lim.MaxEntries))
	}
	rel, err := x.relPath(hdr)
	if err != nil || rel == "" {
		return err
	}
	if _, dup := x.seen[rel]; dup {
		return entryErr(hdr.Name, ErrDuplicate, "")
	}
	x.seen[rel] = struct{}{}

	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.mkdir(hdr.Name, rel)
	case tar.TypeReg:
		return x.writeFile(tr, hdr, rel)
	case tar.TypeSymlink:
		x.stats.Skipped = append(x.stats.Skipped, Skipped{Path: rel, Reason: ReasonSymlink})
		return nil
	case tar.TypeLink:
		return entryErr(hdr.Name, ErrHardLink, "")
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return entryErr(hdr.Name, ErrSpecialFile, "")
	default:
		return entryErr(hdr.Name, ErrUnsupportedType, fmt.Sprintf("type %q", hdr.Typeflag))
	}
}

// relPath validates hdr's name, checks it shares the archive's top-level
// directory and returns the path below it. It returns "" with no error for
// the top-level directory entry itself.
func (x *extractor) relPath(hdr *tar.Header) (string, error) {
	top, rel, err := splitName(hdr.Name, x.lim)
	if err != nil {
		return "", err
	}
	if x.stats.Prefix == "" {
		x.stats.Prefix = top
	} else if top != x.stats.Prefix {
		return "", entryErr(hdr.Name, ErrPrefixMismatch, fmt.Sprintf("want %q", x.stats.Prefix))
	}
	if rel == "" && hdr.Typeflag != tar.TypeDir {
		return "", entryErr(hdr.Name, ErrPrefixMismatch, "a non-directory at the top level")
	}
	return rel, nil
}

// mkdir creates the directory entry rel and its parents.
func (x *extractor) mkdir(name, rel string) error {
	if err := x.root.MkdirAll(rel, 0o755); err != nil {
		return osErr(name, err)
	}
	x.stats.Dirs++
	return nil
}

// writeFile writes the regular file entry rel from tr, within the limits.
func (x *extractor) writeFile(tr *tar.Reader, hdr *tar.Header, rel string) error {
	if hdr.Size > x.lim.MaxFileBytes {
		return entryErr(hdr.Name, ErrFileTooLarge, fmt.Sprintf("%d bytes, limit %d", hdr.Size, x.lim.MaxFileBytes))
	}
	allowed := min(x.lim.MaxFileBytes, x.lim.MaxTotalBytes-x.stats.Bytes)
	if hdr.Size > allowed {
		return entryErr(hdr.Name, ErrTotalTooLarge, fmt.Sprintf("limit %d bytes", x.lim.MaxTotalBytes))
	}
	if dir := path.Dir(rel); dir != "." {
		if err := x.root.MkdirAll(dir, 0o755); err != nil {
			return osErr(hdr.Name, err)
		}
	}
	f, err := x.root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode(hdr.Mode))
	if err != nil {
		return osErr(hdr.Name, err)
	}
	n, err := x.copy(f, io.LimitReader(tr, allowed+1))
	x.stats.Bytes += n
	if cerr := f.Close(); err == nil && cerr != nil {
		err = osErr(hdr.Name, cerr)
	}
	if err != nil {
		return err
	}
	if n > allowed {
		// Unreachable with archive/tar, which yields exactly hdr.Size
		// bytes; kept so the limit never depends on that.
		return entryErr(hdr.Name, ErrTotalTooLarge, "more data than declared")
	}
	x.stats.Files++
	return nil
}

// copy copies r to w, checking ctx between chunks.
func (x *extractor) copy(w io.Writer, r io.Reader) (int64, error) {
	if x.buf == nil {
		x.buf = make([]byte, 64<<10)
	}
	var total int64
	for {
		if err := x.ctx.Err(); err != nil {
			return total, fmt.Errorf("extract: %w", err)
		}
		n, rerr := r.Read(x.buf)
		if n > 0 {
			wn, werr := w.Write(x.buf[:n])
			total += int64(wn)
			if werr != nil {
				return total, fmt.Errorf("extract: writing file: %w", werr)
			}
		}
		if errors.Is(rerr, io.EOF) {
			return total, nil
		}
		if rerr != nil {
			return total, corrupt("reading file data", rerr)
		}
	}
}

// fileMode maps an archive mode to 0755 if any execute bit is set, else
// 0644: never setuid, setgid, sticky, or group/other write.
func fileMode(archived int64) os.FileMode {
	if archived&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

// osErr wraps a file-system error for entry name, classifying the errors
// that mean a file and a directory collide.
func osErr(name string, err error) error {
	if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTDIR) {
		return &EntryError{Name: name, Err: fmt.Errorf("%w: %w", ErrPathConflict, err)}
	}
	return &EntryError{Name: name, Err: err}
}

// drainTrailer reads what follows the tar end-of-archive marker, so that
// the gzip checksum is verified, refusing more than maxTrailingBytes.
func drainTrailer(zr *gzip.Reader) error {
	n, err := io.CopyN(io.Discard, zr, maxTrailingBytes+1)
	if err != nil && !errors.Is(err, io.EOF) {
		return corrupt("reading end of archive", err)
	}
	if n > maxTrailingBytes {
		return fmt.Errorf("extract: %w", ErrTrailingData)
	}
	return nil
}

// ctxReader fails reads once ctx is done, so that decompression stops
// promptly on cancellation.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read implements io.Reader.
func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ctxOr returns ctx's error, wrapped, when ctx is done (err is then most
// likely a consequence of it, e.g. a read failing), and err otherwise.
func ctxOr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("extract: stopped: %w", cerr)
	}
	return err
}
