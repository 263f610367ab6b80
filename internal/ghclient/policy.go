package ghclient

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"time"

	"github.com/rs/zerolog"
)

// decision is what to do after one attempt.
type decision struct {
	retry     bool
	wait      time.Duration
	reason    string
	level     zerolog.Level // of the log line announcing the retry
	secondary bool          // a secondary rate limit, whose headerless wait doubles
}

// stop is the decision to hand the attempt's outcome to the caller.
var stop = decision{}

// accessTokenPath matches "create an installation access token"
// (POST /app/installations/{installation_id}/access_tokens), a POST that is
// safe to repeat: each call only mints another token.
// https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app
var accessTokenPath = regexp.MustCompile(`/app/installations/[0-9]+/access_tokens$`)

// isIdempotent reports whether req may be sent again after GitHub may have
// processed it (a 5xx, or a network error after the request went out).
//
// GET, HEAD, OPTIONS, PUT and DELETE are idempotent by RFC 9110 §9.2.2.
// PATCH is not in general, but GitHub's PATCH endpoints set the given
// fields to the given values (update a check run, a comment, an issue), so
// repeating one leaves the same state; it is treated as idempotent. POST
// creates things (check runs, comments, GraphQL mutations) and is not, with
// one exception: minting an installation token (accessTokenPath).
func isIdempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions,
		http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	case http.MethodPost:
		return accessTokenPath.MatchString(req.URL.Path)
	default:
		return false
	}
}

// retryableStatus lists the 5xx answers worth retrying for an idempotent
// request: transient server, gateway and availability failures, including
// the 502 and 504 with which GitHub ends requests that exceeded
// GitHubProcessingTimeout.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	default:
		return false
	}
}

// neverSent reports whether err proves that no byte of the request reached
// the server: the connection could not be dialled, or the host not
// resolved. Such a request may be retried whatever its method. (net/http
// already replays requests that failed on a reused connection before
// anything was written.)
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// rewindable reports whether req's body can be sent again.
func rewindable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// decideError handles an attempt that failed without a response.
func (t *transport) decideError(req *http.Request, err error, attempt int) decision {
	if req.Context().Err() != nil {
		return stop
	}
	if !isIdempotent(req) && !neverSent(err) {
		return stop
	}
	return decision{
		retry:  true,
		wait:   t.backoff(attempt),
		reason: fmt.Sprintf("network error: %v", err),
		level:  zerolog.DebugLevel,
	}
}

// decideResponse handles an attempt that got a response. Rate limits are
// retried whatever the method, since GitHub did not process the request;
// 5xx only for idempotent requests; everything else (including a 403 that
// is not a rate limit) is returned at once.
func (t *transport) decideResponse(req *http.Request, resp *http.Response, attempt, priorSecondary int) decision {
	if kind := classifyLimit(resp); kind != notLimited {
		wait, basis := rateLimitWait(resp.Header, t.clock.Now(), priorSecondary)
		return decision{
			retry:     true,
			wait:      wait,
			reason:    fmt.Sprintf("HTTP %d %s (%s)", resp.StatusCode, kind, basis),
			level:     zerolog.WarnLevel,
			secondary: kind == secondaryLimit,
		}
	}
	if !retryableStatus(resp.StatusCode) || !isIdempotent(req) {
		return stop
	}
	wait, ok := parseRetryAfter(resp.Header.Get(HeaderRetryAfter), t.clock.Now())
	if !ok {
		wait = t.backoff(attempt)
	}
	return decision{
		retry:  true,
		wait:   wait,
		reason: fmt.Sprintf("HTTP %d", resp.StatusCode),
		level:  zerolog.DebugLevel,
	}
}

// backoff is the jittered exponential wait before retry number attempt+1:
// baseBackoff doubled attempt times, capped at maxRetryWait.
func (t *transport) backoff(attempt int) time.Duration {
	d := t.maxRetryWait
	if attempt < 32 {
		if exp := t.baseBackoff << attempt; exp > 0 && exp < d {
			d = exp
		}
	}
	return t.jitter(d)
}

// withinBounds reports whether waiting d is allowed: not beyond
// maxRetryWait, and not past the deadline of ctx.
func (t *transport) withinBounds(req *http.Request, d time.Duration) (bool, string) {
	if d > t.maxRetryWait {
		return false, fmt.Sprintf("wait exceeds MaxRetryWait %s", t.maxRetryWait)
	}
	if deadline, ok := req.Context().Deadline(); ok && t.clock.Now().Add(d).After(deadline) {
		return false, "wait would pass the request deadline"
	}
	return true, ""
}
