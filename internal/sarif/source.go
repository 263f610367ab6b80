package sarif

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// Bounds on reading the checkout for fingerprints.
const (
	// maxSourceFile is the largest file read; larger ones fall back to
	// the message.
	maxSourceFile = 8 << 20
	// maxSourceLines is the most region lines hashed.
	maxSourceLines = 200
)

// sourceReader reads region lines from the checkout, confined to it by
// os.Root (no "..", no symbolic link out). It keeps the last file read,
// since a tool's results usually come grouped by file.
type sourceReader struct {
	root     *os.Root
	lastPath string
	lastData []byte
	lastOK   bool
}

// openSource opens dir; an empty dir gives a reader that has nothing.
func openSource(dir string) (*sourceReader, error) {
	if dir == "" {
		return &sourceReader{}, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("sarif: opening the source root: %w", err)
	}
	return &sourceReader{root: root}, nil
}

// close releases the root.
func (s *sourceReader) close() {
	if s.root != nil {
		s.root.Close()
	}
}

// lines returns lines start to end (1-based, inclusive) of the file at the
// repository path p, and whether they could be read and are not blank.
func (s *sourceReader) lines(p string, start, end int) (string, bool) {
	data, ok := s.file(p)
	if !ok {
		return "", false
	}
	end = min(end, start+maxSourceLines-1)
	var out []string
	for n := 1; len(data) > 0 && n <= end; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if n >= start {
			out = append(out, string(line))
		}
	}
	text := strings.Join(out, "\n")
	return text, strings.TrimSpace(text) != ""
}

// file returns the content of the regular file at p, if readable and not
// too large.
func (s *sourceReader) file(p string) ([]byte, bool) {
	if s.root == nil {
		return nil, false
	}
	if p == s.lastPath {
		return s.lastData, s.lastOK
	}
	s.lastPath, s.lastData, s.lastOK = p, nil, false
	f, err := s.root.Open(p)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || info.Size() > maxSourceFile {
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSourceFile+1))
	if err != nil || len(data) > maxSourceFile {
		return nil, false
	}
	s.lastData, s.lastOK = data, true
	return data, true
}
