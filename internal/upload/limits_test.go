package upload

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// gzipBomb streams gzip data that decompresses to total zero bytes, written
// as it is read; it stops when the reader side is closed.
func gzipBomb(total int64) (*io.PipeReader, <-chan error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		zw, _ := gzip.NewWriterLevel(pw, gzip.BestCompression)
		chunk := make([]byte, 1<<20)
		var err error
		for written := int64(0); written < total && err == nil; written += int64(len(chunk)) {
			_, err = zw.Write(chunk)
		}
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
		done <- err
	}()
	return pr, done
}

func TestGzipBombStopsAtTheDecompressedLimit(t *testing.T) {
	const limit = 1 << 20
	e := newEnv(t, func(c *Config) { c.MaxDecompressedBytes = limit })
	bomb, done := gzipBomb(8 << 30) // 8 GiB of zeros, about 8 MB compressed: under the 10 MB body limit
	body := &countingReader{r: bomb}
	r := e.request(body, header("Content-Encoding", "gzip"))
	r.ContentLength = -1 // streamed, as with chunked transfer encoding
	w, resp := e.do(r)
	_ = bomb.CloseWithError(io.ErrClosedPipe)
	if err := <-done; err == nil {
		t.Error("the whole bomb was sent; the handler should have stopped reading")
	}
	if w.Code != http.StatusRequestEntityTooLarge || resp.Limit != limit || !strings.Contains(resp.Error, "decompressed") {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if n := body.n.Load(); n > limit {
		t.Errorf("read %d compressed bytes for a %d-byte decompressed limit", n, limit)
	}
	e.assertSpoolEmpty()
}

func TestDecompressedLimitBoundary(t *testing.T) {
	const limit = 64 << 10
	exact := []byte(`{"pad":"` + strings.Repeat("x", limit-10) + `"}`)
	if len(exact) != limit {
		t.Fatalf("fixture is %d bytes", len(exact))
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
	}{
		{"at the limit", exact, 202},
		{"one byte over", append(append([]byte{}, exact...), ' '), 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.MaxDecompressedBytes = limit })
			w, _ := e.do(e.request(bytes.NewReader(gzipped(t, tc.body))))
			if w.Code != tc.status {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			e.assertSpoolEmpty()
		})
	}
}

func TestStreamedBodyOverTheCompressedLimit(t *testing.T) {
	const limit = 4 << 10
	e := newEnv(t, func(c *Config) { c.MaxBodyBytes = limit })
	noise := make([]byte, 3*limit) // incompressible
	if _, err := rand.Read(noise); err != nil {
		t.Fatal(err)
	}
	r := e.request(bytes.NewReader(gzipped(t, noise)), header("Content-Encoding", "gzip"))
	r.ContentLength = -1
	w, resp := e.do(r)
	if w.Code != http.StatusRequestEntityTooLarge || resp.Limit != limit || !strings.Contains(resp.Error, "compress") {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	e.assertSpoolEmpty()
}

// TestOverTheNetwork sends uploads through a real server and client.
func TestOverTheNetwork(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxDecompressedBytes = 1 << 20 })
	srv := httptest.NewServer(e.handler)
	defer srv.Close()
	post := func(body []byte) (*http.Response, response) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/repos/acme/api/sarif?commit_sha="+testSHA+"&ref=refs/heads/main", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/sarif+json")
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out response
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return resp, out
	}
	if resp, out := post(gzipped(t, readFile(t, "testdata/minimal.sarif.json"))); resp.StatusCode != 202 || out.Status != "queued" {
		t.Fatalf("status %d: %+v", resp.StatusCode, out)
	}
	if resp, out := post(gzipped(t, make([]byte, 4<<20))); resp.StatusCode != 413 || out.Limit != 1<<20 {
		t.Fatalf("status %d: %+v", resp.StatusCode, out)
	}
	e.assertSpoolEmpty()
}

func TestTooManyUploadsAtOnce(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxConcurrent = 1 })
	entered, release := make(chan struct{}), make(chan struct{})
	e.sink.hook = func(context.Context) error {
		close(entered)
		<-release
		return nil
	}
	sarif := readFile(t, "testdata/minimal.sarif.json")
	first := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, e.request(bytes.NewReader(sarif)))
		first <- w.Code
	}()
	<-entered
	w, resp := e.do(e.request(bytes.NewReader(sarif)))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || !strings.Contains(resp.Error, "too many uploads") {
		t.Errorf("status %d: %s", w.Code, w.Body)
	}
	e.sink.hook = nil
	close(release)
	if code := <-first; code != 202 {
		t.Errorf("first upload: %d", code)
	}
	// The slot is free again.
	if w, _ := e.do(e.request(bytes.NewReader(sarif))); w.Code != 202 {
		t.Errorf("after release: %d %s", w.Code, w.Body)
	}
}

// TestConcurrentUploads runs uploads, rejections and token operations at once
// (meaningful under -race).
func TestConcurrentUploads(t *testing.T) {
	const n = 24
	e := newEnv(t, func(c *Config) { c.MaxConcurrent = n })
	sarif := readFile(t, "testdata/minimal.sarif.json")
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r *http.Request
			switch i % 3 {
			case 0:
				r = e.request(bytes.NewReader(gzipped(t, sarif)), header("Content-Encoding", "gzip"))
			case 1:
				tok, _, err := e.tokens.Issue(context.Background(), testOwner, testRepo, "admin", fmt.Sprint(i), 0)
				if err != nil {
					t.Error(err)
					return
				}
				r = e.request(bytes.NewReader(sarif), bearer(tok))
			default:
				r = e.request(strings.NewReader(`{"runs": [`))
			}
			w := httptest.NewRecorder()
			e.handler.ServeHTTP(w, r)
			codes[i] = w.Code
		}()
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, u := range e.sink.all() {
		ids[u.ID] = true
	}
	for i, code := range codes {
		if want := map[bool]int{true: 400, false: 202}[i%3 == 2]; code != want {
			t.Errorf("upload %d: %d, want %d", i, code, want)
		}
	}
	if len(ids) != 2*n/3 {
		t.Errorf("%d distinct accepted uploads, want %d", len(ids), 2*n/3)
	}
	e.assertSpoolEmpty()
	entries, err := os.ReadDir(e.sink.dir)
	if err != nil || len(entries) != 2*n/3 {
		t.Errorf("%d accepted files (%v)", len(entries), err)
	}
}
