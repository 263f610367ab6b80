package ghclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestNetworkErrors(t *testing.T) {
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	cases := []struct {
		name, method string
		err          error
		wantCalls    int
		wantErr      bool
	}{
		{"GET after reset is retried", "GET", io.ErrUnexpectedEOF, 2, false},
		{"POST after reset is not retried", "POST", io.ErrUnexpectedEOF, 1, true},
		{"POST after dial error is retried", "POST", dialErr, 2, false},
		{"POST after DNS error is retried", "POST", &net.DNSError{Err: "no such host", Name: "x"}, 2, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScriptServer(t, step{status: 200})
			stub := &stubTransport{errs: []error{tc.err}, next: http.DefaultTransport}
			rt := RetryTransport(RetryOptions{Clock: newFakeClock(), Jitter: noJitter})(stub)

			resp, err := rt.RoundTrip(newRequest(t, context.Background(), tc.method, srv.URL+"/x", "{}"))
			if err == nil {
				resp.Body.Close()
			}

			if (err != nil) != tc.wantErr || stub.Calls() != tc.wantCalls {
				t.Fatalf("err %v after %d calls; want error %v after %d", err, stub.Calls(), tc.wantErr, tc.wantCalls)
			}
		})
	}
}

// trackingBody records whether it was drained and closed.
type trackingBody struct {
	io.Reader
	closed bool
}

func (b *trackingBody) Close() error { b.closed = true; return nil }

func TestDiscardedResponsesAreDrainedAndClosed(t *testing.T) {
	first := &trackingBody{Reader: strings.NewReader("gateway error page")}
	calls := 0
	next := roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		calls++
		if calls == 1 {
			return &http.Response{StatusCode: 502, Header: http.Header{}, Body: first, Request: req}, nil
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	})
	rt := RetryTransport(RetryOptions{Clock: newFakeClock(), Jitter: noJitter})(next)

	resp, err := rt.RoundTrip(newRequest(t, context.Background(), "GET", "http://example.invalid/x", ""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	rest, _ := io.ReadAll(first.Reader)
	if !first.closed || len(rest) != 0 {
		t.Fatalf("discarded body closed=%v with %d bytes unread; want drained and closed", first.closed, len(rest))
	}
}

func TestRetryLogsWaitAndReasonButNoHeaders(t *testing.T) {
	srv := newScriptServer(t, step{status: 429, header: map[string]string{"Retry-After": "2"}}, step{status: 200})
	rt := newTestTransport(newFakeClock(), RetryOptions{})
	var logs lockedBuffer
	ctx := zerolog.New(&logs).WithContext(context.Background())
	req := newRequest(t, ctx, "GET", srv.URL+"/repos/o/r", "")
	req.Header.Set("Authorization", "token ghs_logSecret")

	send(t, rt, req)

	out := logs.String()
	for _, want := range []string{`"message":"github_request_retry"`, `"wait":2000`, `"reason":"HTTP 429 secondary rate limit (retry-after header)"`, `"path":"/repos/o/r"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ghs_logSecret") || strings.Contains(out, "Authorization") {
		t.Fatalf("log leaks a header:\n%s", out)
	}
}

func TestConcurrentUse(t *testing.T) {
	var mu sync.Mutex
	failed := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		first := !failed[r.URL.Path]
		failed[r.URL.Path] = true
		mu.Unlock()
		w.Header().Set("X-RateLimit-Remaining", "3")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10))
		if first {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	rt := newTestTransport(newFakeClock(), RetryOptions{})

	const workers = 32
	errs := make(chan error, workers)
	for i := range workers {
		go func() {
			req := newRequest(t, context.Background(), "PATCH", srv.URL+"/repos/o/r/check-runs/"+strconv.Itoa(i), `{"status":"completed"}`)
			req.Header.Set("Authorization", "token installation-"+strconv.Itoa(i%4))
			resp, err := rt.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != 200 {
					err = errors.New(resp.Status)
				}
			}
			errs <- err
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
