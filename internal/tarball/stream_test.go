package tarball

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
)

func TestExtractCorrupt(t *testing.T) {
	good := tarball(t, entry{name: "r/a", body: strings.Repeat("hello ", 1000)})
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-8] ^= 0xff // the gzip trailer's CRC-32
	cases := map[string][]byte{
		"empty":        nil,
		"not gzip":     []byte("this is not a tarball"),
		"gzip of junk": gz(t, []byte(strings.Repeat("junk", 200))),
		"truncated":    good[:len(good)/2],
		"bad crc":      badCRC,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if _, _, err := extractBytes(t, data, Limits{}); !errors.Is(err, ErrCorrupt) {
				t.Errorf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestExtractTrailingData(t *testing.T) {
	raw := rawTar(t, entry{name: "r/a", body: "a"})
	raw = append(raw, make([]byte, maxTrailingBytes+1)...)
	if _, _, err := extractBytes(t, gz(t, raw), Limits{}); !errors.Is(err, ErrTrailingData) {
		t.Errorf("err = %v, want ErrTrailingData", err)
	}
}

// bomb streams a gzip'd tar of n files of size bytes of zeros each, without
// holding it in memory. It returns the reader and a function that stops
// the generator and reports how many compressed bytes were consumed.
func bomb(t *testing.T, n int, size int64) (io.Reader, func() int64) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(writeBomb(pw, n, size))
	}()
	cr := &countingReader{r: pr}
	return cr, func() int64 {
		pr.CloseWithError(errors.New("test done"))
		<-done
		return cr.n.Load()
	}
}

// writeBomb writes the bomb archive to w.
func writeBomb(w io.Writer, n int, size int64) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	zeros := make([]byte, 1<<20)
	for i := range n {
		hdr := &tar.Header{Name: fmt.Sprintf("r/zeros-%06d", i), Mode: 0o644, Size: size}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		for left := size; left > 0; {
			chunk := min(left, int64(len(zeros)))
			if _, err := tw.Write(zeros[:chunk]); err != nil {
				return err
			}
			left -= chunk
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

// Read implements io.Reader.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestGzipBombDeclaredSize(t *testing.T) {
	// One 2 GB file of zeros, default limits: refused from its header,
	// after reading a few compressed kilobytes.
	r, stop := bomb(t, 1, 2<<30)
	base, dest := sandbox(t)
	st, err := Extract(context.Background(), r, dest, Limits{})
	consumed := stop()
	if !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("err = %v, want ErrFileTooLarge", err)
	}
	if st.Bytes != 0 || consumed > 1<<20 {
		t.Errorf("wrote %d bytes, consumed %d compressed bytes", st.Bytes, consumed)
	}
	assertContained(t, base, dest)
}

func TestGzipBombManyFiles(t *testing.T) {
	// 512 files of 4 MiB (2 GiB in all), each within the per-file limit:
	// extraction stops at the total limit (scaled down to 16 MiB).
	const total = 16 << 20
	r, stop := bomb(t, 512, 4<<20)
	base, dest := sandbox(t)
	st, err := Extract(context.Background(), r, dest, Limits{MaxTotalBytes: total})
	consumed := stop()
	if !errors.Is(err, ErrTotalTooLarge) {
		t.Fatalf("err = %v, want ErrTotalTooLarge", err)
	}
	if st.Bytes != total || st.Files != 4 {
		t.Errorf("stats = %+v, want 4 files, %d bytes", st, total)
	}
	if consumed > 1<<20 {
		t.Errorf("consumed %d compressed bytes for %d uncompressed", consumed, total)
	}
	assertContained(t, base, dest)
}

func TestExtractCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, dest := sandbox(t)
	_, err := Extract(ctx, bytes.NewReader(tarball(t, entry{name: "r/a", body: "a"})), dest, Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestExtractCancelledMidway(t *testing.T) {
	// The bomb never ends on its own within the limits used here; the
	// reader cancels ctx once some data has gone through.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, stop := bomb(t, 10_000, 1<<20)
	cancelling := &cancelAfter{r: r, after: 4 << 10, cancel: cancel}
	_, dest := sandbox(t)
	st, err := Extract(ctx, cancelling, dest, Limits{MaxEntries: 1 << 20, MaxTotalBytes: 1 << 40})
	stop()
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want context.Canceled only", err)
	}
	if st.Files >= 10_000 {
		t.Errorf("extraction ran to the end: %+v", st)
	}
}

// cancelAfter calls cancel once more than after bytes were read.
type cancelAfter struct {
	r      io.Reader
	after  int
	read   int
	cancel context.CancelFunc
}

// Read implements io.Reader.
func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	if c.read > c.after {
		c.cancel()
	}
	return n, err
}
