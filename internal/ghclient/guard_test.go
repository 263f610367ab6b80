package ghclient

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// lowStep is a 200 whose headers say only a few requests are left until reset.
func lowStep(remaining int, reset time.Time) step {
	return step{status: 200, header: map[string]string{
		"X-RateLimit-Remaining": strconv.Itoa(remaining),
		"X-RateLimit-Reset":     strconv.FormatInt(reset.Unix(), 10),
		"X-RateLimit-Resource":  "core",
	}}
}

func authed(t *testing.T, ctx context.Context, method, url, token string) *http.Request {
	t.Helper()
	req := newRequest(t, ctx, method, url, "")
	req.Header.Set("Authorization", "token "+token)
	return req
}

func TestGuardPausesSameCredentialUntilReset(t *testing.T) {
	clock := newFakeClock()
	reset := clock.Now().Add(20 * time.Second)
	srv := newScriptServer(t, lowStep(3, reset), step{status: 200})
	rt := newTestTransport(clock, RetryOptions{})
	ctx := context.Background()

	send(t, rt, authed(t, ctx, "GET", srv.URL+"/repos/o/r", "inst-A")) // learns A's core window is low
	send(t, rt, authed(t, ctx, "GET", srv.URL+"/repos/o/r", "inst-B")) // other installation: no pause
	send(t, rt, authed(t, ctx, "GET", srv.URL+"/search/issues", "inst-A"))
	if n := len(clock.Sleeps()); n != 0 {
		t.Fatalf("paused %v for another credential or resource, want no pause", clock.Sleeps())
	}

	send(t, rt, authed(t, ctx, "GET", srv.URL+"/repos/o/r/pulls", "inst-A"))
	want := []time.Duration{20*time.Second + RateLimitResetSkew}
	if got := clock.Sleeps(); !slices.Equal(got, want) {
		t.Fatalf("pauses %v, want %v", got, want)
	}

	send(t, rt, authed(t, ctx, "GET", srv.URL+"/repos/o/r/pulls", "inst-A")) // window has reset
	if got := clock.Sleeps(); len(got) != 1 {
		t.Fatalf("pauses %v after the reset, want none more", got)
	}
}

func TestGuardDoesNotPauseBeyondMaxRetryWait(t *testing.T) {
	clock := newFakeClock()
	srv := newScriptServer(t, lowStep(1, clock.Now().Add(45*time.Minute)), step{status: 200})
	rt := newTestTransport(clock, RetryOptions{MaxRetryWait: time.Minute})

	send(t, rt, authed(t, context.Background(), "GET", srv.URL+"/repos/o/r", "inst-A"))
	send(t, rt, authed(t, context.Background(), "GET", srv.URL+"/repos/o/r", "inst-A"))

	if len(clock.Sleeps()) != 0 || len(srv.Requests()) != 2 {
		t.Fatalf("pauses %v, %d requests; want both sent at once", clock.Sleeps(), len(srv.Requests()))
	}
}

func TestGuardForgetsWindowThatRecovered(t *testing.T) {
	clock := newFakeClock()
	reset := clock.Now().Add(20 * time.Second)
	srv := newScriptServer(t, lowStep(2, reset), lowStep(4000, reset), step{status: 200})
	rt := newTestTransport(clock, RetryOptions{LowRemainingThreshold: 3})
	ctx := context.Background()

	send(t, rt, authed(t, ctx, "GET", srv.URL+"/repos/o/r", "inst-A"))
	clock.Advance(30 * time.Second) // past the reset, so the next request does not pause
	send(t, rt, authed(t, ctx, "GET", srv.URL+"/repos/o/r", "inst-A"))
	send(t, rt, authed(t, ctx, "GET", srv.URL+"/repos/o/r", "inst-A"))

	if len(clock.Sleeps()) != 0 {
		t.Fatalf("pauses %v, want none", clock.Sleeps())
	}
}

func TestGuardDisabledByNegativeThreshold(t *testing.T) {
	clock := newFakeClock()
	srv := newScriptServer(t, lowStep(0, clock.Now().Add(10*time.Second)), step{status: 200})
	rt := newTestTransport(clock, RetryOptions{LowRemainingThreshold: -1})

	send(t, rt, authed(t, context.Background(), "GET", srv.URL+"/repos/o/r", "inst-A"))
	send(t, rt, authed(t, context.Background(), "GET", srv.URL+"/repos/o/r", "inst-A"))

	if len(clock.Sleeps()) != 0 {
		t.Fatalf("pauses %v, want none with the guard disabled", clock.Sleeps())
	}
}

func TestGuardPauseCancelled(t *testing.T) {
	clock := newFakeClock()
	srv := newScriptServer(t, lowStep(1, clock.Now().Add(20*time.Second)), step{status: 200})
	rt := newTestTransport(clock, RetryOptions{})
	send(t, rt, authed(t, context.Background(), "GET", srv.URL+"/repos/o/r", "inst-A"))

	clock.blockSleep = true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := rt.RoundTrip(authed(t, ctx, "GET", srv.URL+"/repos/o/r", "inst-A"))
		done <- err
	}()
	<-clock.sleeping
	cancel()

	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Fatalf("server saw %d requests, want the paused one never sent", n)
	}
}

func TestGuardPrunesResetWindows(t *testing.T) {
	g := newGuard(10)
	now := time.Now()
	for i, token := range []string{"a", "b", "c"} {
		req := authed(t, context.Background(), "GET", "https://api.github.com/repos/o/r", token)
		resp := &http.Response{Header: http.Header{}}
		resp.Header.Set(HeaderRateLimitRemaining, "1")
		resp.Header.Set(HeaderRateLimitReset, strconv.FormatInt(now.Add(time.Duration(i+1)*time.Minute).Unix(), 10))
		g.observe(req, resp, now)
	}
	if g.size() != 3 {
		t.Fatalf("size %d, want 3", g.size())
	}

	req := authed(t, context.Background(), "GET", "https://api.github.com/repos/o/r", "d")
	resp := &http.Response{Header: http.Header{}}
	resp.Header.Set(HeaderRateLimitRemaining, "1")
	resp.Header.Set(HeaderRateLimitReset, strconv.FormatInt(now.Add(time.Hour).Unix(), 10))
	g.observe(req, resp, now.Add(150*time.Second)) // a and b have reset

	if g.size() != 2 {
		t.Fatalf("size %d after pruning, want 2", g.size())
	}
}

func TestCredentialKeyHidesToken(t *testing.T) {
	req := authed(t, context.Background(), "GET", "https://api.github.com/", "ghs_secret")
	key := credentialKey(req)
	if key == "" || key == credentialKey(authed(t, context.Background(), "GET", "https://api.github.com/", "ghs_other")) {
		t.Fatalf("key %q does not tell credentials apart", key)
	}
	if len(key) != 24 || key == "token ghs_secret" {
		t.Fatalf("key %q is not a short fingerprint", key)
	}
}
