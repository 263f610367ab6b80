package ghclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose Sleep returns at once, recording the wait and
// advancing Now by it. With blockSleep, Sleep announces itself on sleeping
// and then blocks until its context is done.
type fakeClock struct {
	mu         sync.Mutex
	now        time.Time
	sleeps     []time.Duration
	blockSleep bool
	sleeping   chan struct{}
}

func newFakeClock() *fakeClock {
	// Start at the real time so that real context deadlines compare sanely.
	return &fakeClock{now: time.Now().Truncate(time.Second), sleeping: make(chan struct{}, 16)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	block := c.blockSleep
	if !block {
		c.now = c.now.Add(d)
	}
	c.mu.Unlock()
	if !block {
		return nil
	}
	c.sleeping <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// noJitter makes backoffs exact so tests can assert them.
func noJitter(d time.Duration) time.Duration { return d }

// step is one scripted response.
type step struct {
	status int
	header map[string]string
	body   string
}

// seen is one request as the server received it.
type seen struct {
	method, path, body, auth string
}

// scriptServer answers with its steps in order, repeating the last one.
type scriptServer struct {
	*httptest.Server
	mu    sync.Mutex
	steps []step
	reqs  []seen
}

func newScriptServer(t *testing.T, steps ...step) *scriptServer {
	t.Helper()
	s := &scriptServer{steps: steps}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, seen{r.Method, r.URL.Path, string(body), r.Header.Get("Authorization")})
	st := s.steps[min(len(s.reqs), len(s.steps))-1]
	s.mu.Unlock()
	for k, v := range st.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(st.status)
	_, _ = io.WriteString(w, st.body)
}

func (s *scriptServer) Requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

// newTestTransport wraps http.DefaultTransport with RetryTransport using
// clock and exact backoffs, after applying the overrides in opts.
func newTestTransport(clock Clock, opts RetryOptions) http.RoundTripper {
	opts.Clock = clock
	if opts.Jitter == nil {
		opts.Jitter = noJitter
	}
	return RetryTransport(opts)(http.DefaultTransport)
}

// send makes one request through rt and returns the response with its body
// read, failing the test on a transport error.
func send(t *testing.T, rt http.RoundTripper, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, string(body)
}

// newRequest builds a request whose body (if any) has GetBody, as go-github's do.
func newRequest(t *testing.T, ctx context.Context, method, url, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	return req
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers (loggers).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// stubTransport returns scripted errors, then delegates to next.
type stubTransport struct {
	mu    sync.Mutex
	errs  []error
	calls int
	next  http.RoundTripper
}

func (s *stubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.calls++
	var err error
	if len(s.errs) > 0 {
		err, s.errs = s.errs[0], s.errs[1:]
	}
	s.mu.Unlock()
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return s.next.RoundTrip(req)
}

func (s *stubTransport) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}
