package ghclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	secondaryBody  = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
	permissionBody = `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/checks/runs#update-a-check-run"}`
)

func TestRetriesGETAfter502(t *testing.T) {
	srv := newScriptServer(t, step{status: 502}, step{status: 200, body: "ok"})
	clock := newFakeClock()
	rt := newTestTransport(clock, RetryOptions{})

	resp, body := send(t, rt, newRequest(t, context.Background(), "GET", srv.URL+"/repos/o/r", ""))

	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("got %d %q, want 200 \"ok\"", resp.StatusCode, body)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Fatalf("server saw %d requests, want 2", n)
	}
	if got, want := clock.Sleeps(), []time.Duration{DefaultBaseBackoff}; !slices.Equal(got, want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
}

func TestRewindsBodyForPATCH(t *testing.T) {
	// The next transport reads each body itself, so that nothing but
	// RetryTransport can rewind it (net/http would otherwise use GetBody).
	statuses := []int{502, 504, 200}
	var bodies []string
	next := roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, string(b))
		return &http.Response{StatusCode: statuses[len(bodies)-1], Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	})
	clock := newFakeClock()
	rt := RetryTransport(RetryOptions{Clock: clock, Jitter: noJitter})(next)
	const payload = `{"status":"completed","conclusion":"success"}`

	resp, _ := send(t, rt, newRequest(t, context.Background(), "PATCH", "https://api.github.com/repos/o/r/check-runs/7", payload))

	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if want := []string{payload, payload, payload}; !slices.Equal(bodies, want) {
		t.Fatalf("bodies sent %q, want %q", bodies, want)
	}
	if got, want := clock.Sleeps(), []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("waits %v, want exponential %v", got, want)
	}
}

func TestDoesNotRetryPOSTOn5xx(t *testing.T) {
	srv := newScriptServer(t, step{status: 502, body: "bad gateway"}, step{status: 201})
	clock := newFakeClock()
	rt := newTestTransport(clock, RetryOptions{})

	resp, body := send(t, rt, newRequest(t, context.Background(), "POST", srv.URL+"/repos/o/r/issues/1/comments", `{"body":"hi"}`))

	if resp.StatusCode != 502 || body != "bad gateway" {
		t.Fatalf("got %d %q, want the 502 untouched", resp.StatusCode, body)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Fatalf("server saw %d requests, want 1 (POST is not idempotent)", n)
	}
	if len(clock.Sleeps()) != 0 {
		t.Fatalf("waited %v, want no wait", clock.Sleeps())
	}
}

func TestRetriesTokenPOSTOn5xx(t *testing.T) {
	srv := newScriptServer(t, step{status: 503}, step{status: 201, body: `{"token":"t"}`})
	rt := newTestTransport(newFakeClock(), RetryOptions{})

	resp, _ := send(t, rt, newRequest(t, context.Background(), "POST", srv.URL+"/api/v3/app/installations/42/access_tokens", ""))

	if resp.StatusCode != 201 || len(srv.Requests()) != 2 {
		t.Fatalf("status %d after %d requests, want 201 after 2", resp.StatusCode, len(srv.Requests()))
	}
}

func TestRetryAfterOn429(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			srv := newScriptServer(t, step{status: 429, header: map[string]string{"Retry-After": "2"}}, step{status: 200})
			clock := newFakeClock()
			rt := newTestTransport(clock, RetryOptions{})

			resp, _ := send(t, rt, newRequest(t, context.Background(), method, srv.URL+"/repos/o/r/check-runs", `{"name":"scan"}`))

			if resp.StatusCode != 200 {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if got, want := clock.Sleeps(), []time.Duration{2 * time.Second}; !slices.Equal(got, want) {
				t.Fatalf("waits %v, want %v", got, want)
			}
			if reqs := srv.Requests(); len(reqs) != 2 || reqs[1].body != reqs[0].body {
				t.Fatalf("requests %+v, want 2 with the same body", reqs)
			}
		})
	}
}

func TestRetryAfterOn403(t *testing.T) {
	srv := newScriptServer(t, step{status: 403, header: map[string]string{"Retry-After": "7"}, body: secondaryBody}, step{status: 200})
	clock := newFakeClock()
	rt := newTestTransport(clock, RetryOptions{})

	resp, _ := send(t, rt, newRequest(t, context.Background(), "GET", srv.URL+"/repos/o/r", ""))

	if got, want := clock.Sleeps(), []time.Duration{7 * time.Second}; resp.StatusCode != 200 || !slices.Equal(got, want) {
		t.Fatalf("status %d after waits %v, want 200 after %v", resp.StatusCode, got, want)
	}
}

func TestPrimaryRateLimitWaitsUntilReset(t *testing.T) {
	clock := newFakeClock()
	reset := clock.Now().Add(30 * time.Second)
	srv := newScriptServer(t,
		step{status: 403, header: map[string]string{
			"X-RateLimit-Remaining": "0",
			"X-RateLimit-Reset":     strconv.FormatInt(reset.Unix(), 10),
		}, body: `{"message":"API rate limit exceeded for installation ID 42."}`},
		step{status: 200},
	)
	rt := newTestTransport(clock, RetryOptions{})

	resp, _ := send(t, rt, newRequest(t, context.Background(), "POST", srv.URL+"/repos/o/r/check-runs", `{}`))

	want := []time.Duration{30*time.Second + RateLimitResetSkew}
	if got := clock.Sleeps(); resp.StatusCode != 200 || !slices.Equal(got, want) {
		t.Fatalf("status %d after waits %v, want 200 after %v", resp.StatusCode, got, want)
	}
}

func TestSecondaryRateLimitWithoutHeaders(t *testing.T) {
	srv := newScriptServer(t,
		step{status: 403, body: secondaryBody},
		step{status: 403, body: secondaryBody},
		step{status: 200},
	)
	clock := newFakeClock()
	rt := newTestTransport(clock, RetryOptions{MaxRetryWait: 5 * time.Minute})

	resp, _ := send(t, rt, newRequest(t, context.Background(), "POST", srv.URL+"/repos/o/r/issues/1/comments", `{"body":"x"}`))

	want := []time.Duration{time.Minute, 2 * time.Minute}
	if got := clock.Sleeps(); resp.StatusCode != 200 || !slices.Equal(got, want) {
		t.Fatalf("status %d after waits %v, want 200 after %v (one minute, then doubled)", resp.StatusCode, got, want)
	}
}

func TestPermission403NotRetried(t *testing.T) {
	srv := newScriptServer(t, step{status: 403, body: permissionBody}, step{status: 200})
	clock := newFakeClock()
	rt := newTestTransport(clock, RetryOptions{})

	resp, body := send(t, rt, newRequest(t, context.Background(), "PATCH", srv.URL+"/repos/o/r/check-runs/7", `{}`))

	if resp.StatusCode != 403 || body != permissionBody {
		t.Fatalf("got %d %q, want the 403 with its body intact", resp.StatusCode, body)
	}
	if n := len(srv.Requests()); n != 1 || len(clock.Sleeps()) != 0 {
		t.Fatalf("%d requests, waits %v; want 1 request and no wait", n, clock.Sleeps())
	}
}

func TestWaitLongerThanMaxRetryWaitReturnsResponse(t *testing.T) {
	clock := newFakeClock()
	reset := clock.Now().Add(40 * time.Minute)
	cases := map[string]step{
		"retry-after": {status: 429, header: map[string]string{"Retry-After": "600"}, body: secondaryBody},
		"reset": {status: 403, header: map[string]string{
			"X-RateLimit-Remaining": "0",
			"X-RateLimit-Reset":     strconv.FormatInt(reset.Unix(), 10),
		}, body: `{"message":"API rate limit exceeded"}`},
	}
	for name, st := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newScriptServer(t, st, step{status: 200})
			rt := newTestTransport(clock, RetryOptions{MaxRetryWait: 90 * time.Second})

			resp, body := send(t, rt, newRequest(t, context.Background(), "GET", srv.URL+"/repos/o/r", ""))

			if resp.StatusCode != st.status || body != st.body {
				t.Fatalf("got %d %q, want the rate-limit response as is", resp.StatusCode, body)
			}
			if n := len(srv.Requests()); n != 1 || len(clock.Sleeps()) != 0 {
				t.Fatalf("%d requests, waits %v; want 1 request and no wait", n, clock.Sleeps())
			}
		})
	}
}

func TestWaitPastDeadlineReturnsResponse(t *testing.T) {
	srv := newScriptServer(t, step{status: 429, header: map[string]string{"Retry-After": "7200"}}, step{status: 200})
	clock := newFakeClock()
	rt := newTestTransport(clock, RetryOptions{MaxRetryWait: 3 * time.Hour})
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(time.Hour))
	defer cancel()

	resp, _ := send(t, rt, newRequest(t, ctx, "GET", srv.URL+"/repos/o/r", ""))

	if resp.StatusCode != 429 || len(clock.Sleeps()) != 0 {
		t.Fatalf("status %d, waits %v; want the 429 at once", resp.StatusCode, clock.Sleeps())
	}
}

func TestCancelDuringWaitReturnsPromptly(t *testing.T) {
	srv := newScriptServer(t, step{status: 429, header: map[string]string{"Retry-After": "30"}}, step{status: 200})
	clock := newFakeClock()
	clock.blockSleep = true
	rt := newTestTransport(clock, RetryOptions{})
	ctx, cancel := context.WithCancel(context.Background())

	type result struct {
		resp *http.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := rt.RoundTrip(newRequest(t, ctx, "GET", srv.URL+"/repos/o/r", ""))
		done <- result{resp, err}
	}()
	<-clock.sleeping // the transport is waiting out Retry-After
	cancel()
	res := <-done

	if !errors.Is(res.err, context.Canceled) || res.resp != nil {
		t.Fatalf("got (%v, %v), want (nil, context.Canceled)", res.resp, res.err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Fatalf("server saw %d requests, want 1", n)
	}
}

func TestRetriesExhaustedReturnsLastResponse(t *testing.T) {
	srv := newScriptServer(t, step{status: 502, body: "still down"})
	clock := newFakeClock()
	rt := newTestTransport(clock, RetryOptions{MaxRetries: 2})

	resp, body := send(t, rt, newRequest(t, context.Background(), "GET", srv.URL+"/repos/o/r", ""))

	if resp.StatusCode != 502 || body != "still down" || len(srv.Requests()) != 3 {
		t.Fatalf("got %d %q after %d requests, want 502 \"still down\" after 3", resp.StatusCode, body, len(srv.Requests()))
	}
	if got, want := clock.Sleeps(), []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
}

func TestNegativeMaxRetriesDisablesRetries(t *testing.T) {
	srv := newScriptServer(t, step{status: 429, header: map[string]string{"Retry-After": "1"}}, step{status: 200})
	rt := newTestTransport(newFakeClock(), RetryOptions{MaxRetries: -1})

	resp, _ := send(t, rt, newRequest(t, context.Background(), "GET", srv.URL+"/repos/o/r", ""))

	if resp.StatusCode != 429 || len(srv.Requests()) != 1 {
		t.Fatalf("status %d after %d requests, want 429 after 1", resp.StatusCode, len(srv.Requests()))
	}
}

func TestRetryAfterOn503(t *testing.T) {
	srv := newScriptServer(t, step{status: 503, header: map[string]string{"Retry-After": "5"}}, step{status: 200})
	clock := newFakeClock()
	rt := newTestTransport(clock, RetryOptions{})

	send(t, rt, newRequest(t, context.Background(), "DELETE", srv.URL+"/repos/o/r/labels/x", ""))

	if got, want := clock.Sleeps(), []time.Duration{5 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
}

func TestBodyWithoutGetBodyIsNotRetried(t *testing.T) {
	srv := newScriptServer(t, step{status: 502}, step{status: 200})
	rt := newTestTransport(newFakeClock(), RetryOptions{})
	req := newRequest(t, context.Background(), "PUT", srv.URL+"/repos/o/r/contents/f", "")
	req.Body = io.NopCloser(strings.NewReader("data")) // no GetBody: cannot be rewound

	resp, _ := send(t, rt, req)

	if resp.StatusCode != 502 || len(srv.Requests()) != 1 {
		t.Fatalf("status %d after %d requests, want 502 after 1", resp.StatusCode, len(srv.Requests()))
	}
}
