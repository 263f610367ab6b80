package upload

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// spoolPattern names spooled files (os.CreateTemp replaces the *).
const spoolPattern = "sarif-upload-*.json"

// gzipMagic starts every gzip stream (RFC 1952, section 2.3.1).
var gzipMagic = []byte{0x1f, 0x8b}

// spooled is a decompressed body written to disk.
type spooled struct {
	path   string
	size   int64
	sha256 string
}

// readErrReader remembers the error of the reader it wraps, so that a failed
// copy can tell the client's fault (a bad or too large body) from the
// server's (a full disk).
type readErrReader struct {
	r   io.Reader
	err error
}

func (r *readErrReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// spool copies the request body, decompressed, into a new file under dir,
// enforcing both size limits. On error no file is left behind.
func spool(w http.ResponseWriter, r *http.Request, dir string, gzipDeclared bool, maxBody, maxDecompressed int64) (_ spooled, aerr *apiError) {
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, maxBody))
	magic, err := body.Peek(len(gzipMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		return spooled{}, readError(err, maxBody)
	}
	isGzip := len(magic) == len(gzipMagic) && magic[0] == gzipMagic[0] && magic[1] == gzipMagic[1]
	if gzipDeclared && !isGzip {
		return spooled{}, newError(http.StatusBadRequest, "Content-Encoding is gzip but the body is not gzip data")
	}
	var src io.Reader = body
	if isGzip {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return spooled{}, readError(err, maxBody)
		}
		defer zr.Close()
		src = zr
	}

	f, err := createSpoolFile(dir)
	if err != nil {
		return spooled{}, newError(http.StatusServiceUnavailable, "cannot store the upload right now; retry later").withRetry(retryAfterSeconds).withCause(err)
	}
	defer func() {
		if aerr != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	hash := sha256.New()
	in := &readErrReader{r: io.LimitReader(src, maxDecompressed+1)}
	n, err := io.Copy(io.MultiWriter(f, hash), in)
	switch {
	case in.err != nil:
		return spooled{}, readError(in.err, maxBody)
	case err != nil:
		return spooled{}, newError(http.StatusServiceUnavailable, "cannot store the upload right now; retry later").withRetry(retryAfterSeconds).withCause(fmt.Errorf("writing the spool file: %w", err))
	case n > maxDecompressed:
		return spooled{}, newError(http.StatusRequestEntityTooLarge,
			"the SARIF log is larger than %d bytes once decompressed; upload fewer results", maxDecompressed).withLimit(maxDecompressed)
	}
	if err := f.Sync(); err != nil {
		return spooled{}, newError(http.StatusServiceUnavailable, "cannot store the upload right now; retry later").withRetry(retryAfterSeconds).withCause(fmt.Errorf("syncing the spool file: %w", err))
	}
	if err := f.Close(); err != nil {
		return spooled{}, newError(http.StatusServiceUnavailable, "cannot store the upload right now; retry later").withRetry(retryAfterSeconds).withCause(fmt.Errorf("closing the spool file: %w", err))
	}
	return spooled{path: f.Name(), size: n, sha256: hex.EncodeToString(hash.Sum(nil))}, nil
}

// createSpoolFile creates a private temporary file under dir, creating dir
// (mode 0700) when it does not exist yet.
func createSpoolFile(dir string) (*os.File, error) {
	f, err := os.CreateTemp(dir, spoolPattern)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating the spool directory: %w", err)
		}
		f, err = os.CreateTemp(dir, spoolPattern)
	}
	if err != nil {
		return nil, fmt.Errorf("creating a spool file: %w", err)
	}
	return f, nil
}

// readError classifies an error reading the (possibly compressed) body.
func readError(err error, maxBody int64) *apiError {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return newError(http.StatusRequestEntityTooLarge,
			"request body larger than %d bytes; compress the SARIF log with gzip (Content-Encoding: gzip) or upload fewer results", maxBody).withLimit(maxBody)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, new(flate.CorruptInputError)):
		return newError(http.StatusBadRequest, "invalid gzip data: %v", err)
	default:
		return newError(http.StatusBadRequest, "cannot read the request body").withCause(err)
	}
}

// position returns the 1-based line and column (in bytes) of the byte at the
// 0-based offset in the file at path.
func position(path string, offset int64) (line, col int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("opening the spool file: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, offset))
	line, col = 1, 1
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return line, col, nil
		}
		if err != nil {
			return 0, 0, fmt.Errorf("reading the spool file: %w", err)
		}
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
}

// RemoveStaleSpool deletes spool files under dir older than olderThan: the
// leftovers of a process that died in the middle of an upload. Call it at
// start-up, before serving; a missing dir is not an error.
func RemoveStaleSpool(dir string, olderThan time.Duration) error {
	matches, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return fmt.Errorf("listing the spool directory: %w", err)
	}
	var errs []error
	for _, m := range matches {
		info, err := os.Lstat(m)
		if err != nil || !info.Mode().IsRegular() || time.Since(info.ModTime()) < olderThan {
			continue
		}
		if err := os.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing stale spool files: %w", err)
	}
	return nil
}
