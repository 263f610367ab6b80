package ghclient

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// RetryOptions configures RetryTransport. The zero value is ready to use:
// every zero field takes its default.
type RetryOptions struct {
	// MaxRetries is how many times a request is sent again after the first
	// attempt. Zero means DefaultMaxRetries; a negative value disables
	// retries (the proactive pause still applies).
	MaxRetries int

	// MaxRetryWait is the longest single wait. A rate limit that asks for
	// longer is not waited out: its response is returned as is. Zero means
	// DefaultMaxRetryWait.
	MaxRetryWait time.Duration

	// BaseBackoff is the first backoff after a 5xx or a network error; it
	// doubles on each further retry, up to MaxRetryWait. Zero means
	// DefaultBaseBackoff.
	BaseBackoff time.Duration

	// LowRemainingThreshold enables the proactive pause: once a response
	// shows x-ratelimit-remaining below it, later requests with the same
	// Authorization header and rate-limit resource wait for the window to
	// reset, if that is within MaxRetryWait and the request's deadline
	// (else they are sent at once). Zero means DefaultLowRemainingThreshold;
	// a negative value disables the pause.
	LowRemainingThreshold int

	// Clock measures and waits. Nil means SystemClock.
	Clock Clock

	// Jitter randomises each backoff d to a value in [0, d]; it must be safe
	// for concurrent use. Nil means EqualJitter. Rate-limit waits are not
	// jittered: GitHub's figures are minimums.
	Jitter func(d time.Duration) time.Duration
}

// RetryTransport returns middleware that retries GitHub API requests and
// honours GitHub's rate-limit signals:
//
//   - A 403 or 429 that is a rate limit (see classifyLimit) is retried,
//     whatever the method, since GitHub did not process it, after
//     Retry-After seconds, or until x-ratelimit-reset when
//     x-ratelimit-remaining is 0, or else after one minute doubling with
//     each further secondary limit. A 403 that is not a rate limit
//     (permissions) is returned at once.
//   - A 500, 502, 503 or 504, or a network error, is retried with jittered
//     exponential backoff (or after Retry-After, when a 5xx carries one)
//     only for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, PATCH,
//     and POST of an installation token). Any method is retried after a
//     dial or DNS error, which proves nothing was sent.
//   - No wait is longer than MaxRetryWait or passes the request context's
//     deadline: when one would, the last response is returned unchanged,
//     so that go-github reports *github.RateLimitError or
//     *github.AbuseRateLimitError (with the reset time or RetryAfter) and
//     the caller's job queue can retry later. After MaxRetries, likewise.
//   - Cancelling the request context ends any wait at once with an error
//     wrapping ctx.Err().
//
// Request bodies are rewound with req.GetBody between attempts (requests
// built by go-github have it); a request with a body but no GetBody is not
// retried. Discarded responses are drained (up to a bound) and closed. Each
// retry is logged through zerolog.Ctx(req.Context()) with its wait and
// reason, never with headers.
//
// All transports returned by one RetryTransport(opts) share the state of
// the proactive pause and are safe for concurrent use. Place the transport
// below the one that authenticates (NewClientCreator passes it to
// githubapp.WithTransport, under ghinstallation), so that it sees the
// Authorization header that tells installations apart and so that token
// requests are retried too.
func RetryTransport(opts RetryOptions) func(http.RoundTripper) http.RoundTripper {
	base := newTransportSettings(opts)
	return func(next http.RoundTripper) http.RoundTripper {
		t := base
		t.next = next
		return &t
	}
}

// transport is the http.RoundTripper built by RetryTransport.
type transport struct {
	next         http.RoundTripper
	maxRetries   int
	maxRetryWait time.Duration
	baseBackoff  time.Duration
	clock        Clock
	jitter       func(time.Duration) time.Duration
	guard        *guard
}

// newTransportSettings resolves the defaults of opts.
func newTransportSettings(opts RetryOptions) transport {
	t := transport{
		maxRetries:   opts.MaxRetries,
		maxRetryWait: opts.MaxRetryWait,
		baseBackoff:  opts.BaseBackoff,
		clock:        opts.Clock,
		jitter:       opts.Jitter,
	}
	switch {
	case t.maxRetries == 0:
		t.maxRetries = DefaultMaxRetries
	case t.maxRetries < 0:
		t.maxRetries = 0
	}
	if t.maxRetryWait <= 0 {
		t.maxRetryWait = DefaultMaxRetryWait
	}
	if t.baseBackoff <= 0 {
		t.baseBackoff = DefaultBaseBackoff
	}
	if t.clock == nil {
		t.clock = SystemClock{}
	}
	if t.jitter == nil {
		t.jitter = EqualJitter
	}
	threshold := opts.LowRemainingThreshold
	if threshold == 0 {
		threshold = DefaultLowRemainingThreshold
	}
	t.guard = newGuard(threshold)
	return t
}

// RoundTrip sends req, retrying as RetryTransport documents.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	priorSecondary := 0
	for attempt := 0; ; attempt++ {
		if err := t.pause(req); err != nil {
			if attempt == 0 && req.Body != nil {
				_ = req.Body.Close() // RoundTrip must close the body it was given
			}
			return nil, err
		}
		areq, err := requestForAttempt(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.next.RoundTrip(areq)
		d := t.decide(req, resp, err, attempt, priorSecondary)
		if !d.retry {
			return resp, err
		}
		if err == nil {
			discard(resp)
		}
		if d.secondary {
			priorSecondary++
		}
		logRetry(req, attempt, t.maxRetries, d)
		if err := t.clock.Sleep(req.Context(), d.wait); err != nil {
			return nil, fmt.Errorf("ghclient: %s %s: waiting %s to retry: %w", req.Method, req.URL.Path, d.wait, err)
		}
	}
}

// decide records the outcome of one attempt and chooses what follows.
func (t *transport) decide(req *http.Request, resp *http.Response, err error, attempt, priorSecondary int) decision {
	if err == nil {
		t.guard.observe(req, resp, t.clock.Now())
	}
	if attempt >= t.maxRetries || !rewindable(req) {
		return stop
	}
	var d decision
	if err != nil {
		d = t.decideError(req, err, attempt)
	} else {
		d = t.decideResponse(req, resp, attempt, priorSecondary)
	}
	if !d.retry {
		return stop
	}
	if ok, why := t.withinBounds(req, d.wait); !ok {
		logGiveUp(req, d, why)
		return stop
	}
	return d
}

// pause applies the proactive guard before an attempt.
func (t *transport) pause(req *http.Request) error {
	wait := t.guard.wait(req, t.clock.Now())
	if wait <= 0 {
		return nil
	}
	if ok, _ := t.withinBounds(req, wait); !ok {
		return nil // send now; GitHub still has units left, or will say how long to wait
	}
	zerolog.Ctx(req.Context()).Info().
		Str("method", req.Method).
		Str("path", req.URL.Path).
		Dur("wait", wait).
		Str("reason", "x-ratelimit-remaining is low; pausing until the window resets").
		Msg("github_request_paused")
	if err := t.clock.Sleep(req.Context(), wait); err != nil {
		return fmt.Errorf("ghclient: %s %s: pausing %s for the rate limit to reset: %w", req.Method, req.URL.Path, wait, err)
	}
	return nil
}

// requestForAttempt returns req itself for the first attempt and, for
// later ones, a clone with a fresh body from req.GetBody.
func requestForAttempt(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 0 {
		return req, nil
	}
	clone := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return clone, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("ghclient: %s %s: rewinding request body: %w", req.Method, req.URL.Path, err)
	}
	clone.Body = body
	return clone, nil
}

// discard drains (up to maxDrainBytes, so the connection can be reused) and
// closes the body of a response that will not reach the caller.
func discard(resp *http.Response) {
	if resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBytes))
	_ = resp.Body.Close()
}

// logRetry announces a retry. It logs no header, hence no credential.
func logRetry(req *http.Request, attempt, maxRetries int, d decision) {
	zerolog.Ctx(req.Context()).WithLevel(d.level).
		Str("method", req.Method).
		Str("path", req.URL.Path).
		Int("retry", attempt+1).
		Int("max_retries", maxRetries).
		Dur("wait", d.wait).
		Str("reason", d.reason).
		Msg("github_request_retry")
}

// logGiveUp explains why a retryable outcome is returned to the caller.
func logGiveUp(req *http.Request, d decision, why string) {
	zerolog.Ctx(req.Context()).Warn().
		Str("method", req.Method).
		Str("path", req.URL.Path).
		Dur("wait", d.wait).
		Str("reason", d.reason).
		Str("why", why).
		Msg("github_request_not_retried")
}
