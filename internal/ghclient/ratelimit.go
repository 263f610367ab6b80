package ghclient

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// limitKind says whether, and how, GitHub rate-limited a request.
type limitKind int

const (
	notLimited limitKind = iota
	primaryLimit
	secondaryLimit
)

// String names the kind for logs.
func (k limitKind) String() string {
	switch k {
	case primaryLimit:
		return "primary rate limit"
	case secondaryLimit:
		return "secondary rate limit"
	default:
		return "not rate limited"
	}
}

// rateLimitPhrases are the lower-cased fragments of GitHub's rate-limit
// error bodies: "API rate limit exceeded for ...", "You have exceeded a
// secondary rate limit ...", the documentation_url ".../rate-limits-for-
// the-rest-api#..." and the older "You have triggered an abuse detection
// mechanism ...".
// https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#rate-limit-errors
var rateLimitPhrases = [][]byte{
	[]byte("rate limit"),
	[]byte("rate-limit"),
	[]byte("abuse detection"),
}

// classifyLimit tells a rate-limit refusal from any other response, as
// GitHub documents it: a 403 or 429 with x-ratelimit-remaining: 0 is a
// primary rate limit; a 403 or 429 with Retry-After, or whose message says
// so, is a secondary one. Every 429 is a rate limit. A 403 without those
// signals (a permission error) is not. The body of a 403 is read, at most
// maxSniffBytes of it, only when the headers do not decide; it is put back
// so that the caller still reads it whole.
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
func classifyLimit(resp *http.Response) limitKind {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return notLimited
	}
	switch {
	case resp.Header.Get(HeaderRateLimitRemaining) == "0":
		return primaryLimit
	case resp.Header.Get(HeaderRetryAfter) != "":
		return secondaryLimit
	case resp.StatusCode == http.StatusTooManyRequests:
		return secondaryLimit
	case mentionsRateLimit(sniffBody(resp)):
		return secondaryLimit
	default:
		return notLimited
	}
}

// mentionsRateLimit reports whether an error body is about a rate limit.
func mentionsRateLimit(body []byte) bool {
	lower := bytes.ToLower(body)
	for _, phrase := range rateLimitPhrases {
		if bytes.Contains(lower, phrase) {
			return true
		}
	}
	return false
}

// sniffBody returns up to maxSniffBytes of resp.Body and replaces the body
// with one that yields the same bytes again followed by the rest, and that
// closes the original. A read error is left for the caller to meet when it
// reads the body.
func sniffBody(resp *http.Response) []byte {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	original := resp.Body
	head, _ := io.ReadAll(io.LimitReader(original, maxSniffBytes))
	resp.Body = readCloser{
		Reader: io.MultiReader(bytes.NewReader(head), original),
		Closer: original,
	}
	return head
}

// readCloser joins a Reader with the Closer of the body it replaces.
type readCloser struct {
	io.Reader
	io.Closer
}

// rateLimitWait is how long GitHub asks to wait after a rate-limit refusal:
// Retry-After seconds if present; else, when x-ratelimit-remaining is 0,
// until x-ratelimit-reset (plus RateLimitResetSkew); else at least
// SecondaryRateLimitMinWait, doubled for each earlier secondary limit met
// by the same call (priorSecondary).
// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately
func rateLimitWait(h http.Header, now time.Time, priorSecondary int) (time.Duration, string) {
	if d, ok := parseRetryAfter(h.Get(HeaderRetryAfter), now); ok {
		return d, "retry-after header"
	}
	if h.Get(HeaderRateLimitRemaining) == "0" {
		if reset, ok := parseReset(h); ok {
			return untilReset(reset, now), "x-ratelimit-reset header"
		}
	}
	const maxDoublings = 10 // 60s << 10 is about 17 hours: past any MaxRetryWait
	return SecondaryRateLimitMinWait << min(priorSecondary, maxDoublings), "no wait header; GitHub's minimum"
}

// parseRetryAfter reads Retry-After as delay-seconds, as GitHub sends it, or
// as an HTTP-date (RFC 9110 §10.2.3). Negative or past values mean no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		const maxSecs = int64(1<<63-1) / int64(time.Second)
		return time.Duration(max(0, min(secs, maxSecs))) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// parseReset reads x-ratelimit-reset, in UTC epoch seconds.
func parseReset(h http.Header) (time.Time, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(h.Get(HeaderRateLimitReset)), 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// parseRemaining reads x-ratelimit-remaining.
func parseRemaining(h http.Header) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(HeaderRateLimitRemaining)))
	if err != nil {
		return 0, false
	}
	return n, true
}

// untilReset is the wait until reset, never negative, plus
// RateLimitResetSkew.
func untilReset(reset, now time.Time) time.Duration {
	return max(0, reset.Sub(now)) + RateLimitResetSkew
}

// resourceForRequest guesses, before sending, which rate-limit resource a
// request counts against, the way go-github's category() does: search and
// code search, GraphQL, and "core" for everything else. An Enterprise
// Server "/api/v3" prefix is ignored. A wrong guess only means that the
// proactive pause of RetryTransport is not applied to that request.
// https://docs.github.com/en/rest/rate-limit/rate-limit#about-rate-limits
func resourceForRequest(req *http.Request) string {
	path := req.URL.Path
	if path == graphQLPath || path == enterpriseV4Path {
		return resourceGraphQL
	}
	path = strings.TrimPrefix(path, enterpriseV3Path)
	switch {
	case strings.HasPrefix(path, "/search/code"):
		return resourceCodeSearch
	case strings.HasPrefix(path, "/search/"):
		return resourceSearch
	default:
		return resourceCore
	}
}

// resourceForResponse is the resource GitHub says the request counted
// against, falling back to resourceForRequest.
func resourceForResponse(req *http.Request, resp *http.Response) string {
	if r := strings.TrimSpace(resp.Header.Get(HeaderRateLimitResource)); r != "" {
		return r
	}
	return resourceForRequest(req)
}
