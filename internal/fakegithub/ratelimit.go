package fakegithub

import (
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"
)

// rateWindow is one identity's primary rate-limit window.
type rateWindow struct {
	reset time.Time
	used  int
}

// spendRate counts the request against its identity's primary limit, sets
// GitHub's x-ratelimit-* headers, and answers 403 once the limit is spent.
func (c *call) spendRate(route) (reply, bool) {
	identity := "app"
	if c.inst != nil {
		identity = "installation:" + strconv.FormatInt(c.inst.ID, 10)
	}
	s := c.s
	s.mu.Lock()
	w := s.st.usage[identity]
	now := time.Now()
	if w == nil || now.After(w.reset) {
		w = &rateWindow{reset: now.Add(time.Hour)}
		s.st.usage[identity] = w
	}
	limited := w.used >= s.opts.rateLimit
	if !limited {
		w.used++
	}
	used, reset := w.used, w.reset
	s.mu.Unlock()
	setRateHeaders(c.header, s.opts.rateLimit, used, reset)
	if limited {
		msg := "API rate limit exceeded for " + identity + "."
		return errorReply(http.StatusForbidden, msg, "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"), true
	}
	return reply{}, false
}

func setRateHeaders(h http.Header, limit, used int, reset time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-used, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

// ScriptedResponse is a canned answer a test queues for an operation.
type ScriptedResponse struct {
	// Status is the HTTP status.
	Status int
	// Header is sent as is (after the usual headers).
	Header http.Header
	// Body is marshalled to JSON unless nil.
	Body any
}

// PrimaryRateLimited is GitHub's answer once a token's hourly quota is
// spent: 403, x-ratelimit-remaining 0 and the reset time.
func PrimaryRateLimited(reset time.Time) ScriptedResponse {
	h := http.Header{}
	setRateHeaders(h, InstallationRateLimit, InstallationRateLimit, reset)
	return ScriptedResponse{Status: http.StatusForbidden, Header: h, Body: map[string]any{
		"message":           "API rate limit exceeded for installation.",
		"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
	}}
}

// SecondaryRateLimited is GitHub's secondary-limit answer: status 403 or
// 429 with Retry-After.
func SecondaryRateLimited(status int, retryAfter time.Duration) ScriptedResponse {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
	return ScriptedResponse{Status: status, Header: h, Body: map[string]any{
		"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
	}}
}

// ServerError is a bare 5xx such as GitHub's occasional 502.
func ServerError(status int) ScriptedResponse {
	return ScriptedResponse{Status: status, Body: map[string]any{"message": http.StatusText(status)}}
}

// Script queues responses for an operation ("METHOD /template", see the Op
// constants): its next len(responses) valid, authenticated requests get
// them instead of the normal answer.
func (s *Server) Script(operation string, responses ...ScriptedResponse) {
	if _, ok := routeTable[operation]; !ok {
		s.t.Fatalf("fakegithub: Script: the fake serves no operation %q", operation)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.scripts[operation] = append(s.st.scripts[operation], responses...)
}

// scripted pops the next scripted response for the call's operation.
func (c *call) scripted(route) (reply, bool) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.st.scripts[c.op]
	if len(queue) == 0 {
		return reply{}, false
	}
	next := queue[0]
	s.st.scripts[c.op] = queue[1:]
	return reply{status: next.Status, body: next.Body, header: next.Header, scripted: true}, true
}

// enter counts a request in flight; the returned func counts it out.
func (s *Server) enter() func() {
	s.mu.Lock()
	s.inflight++
	s.st.maxInflight = max(s.st.maxInflight, s.inflight)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}
}

func (s *Server) countContentCreating() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.contentTimes = append(s.st.contentTimes, time.Now())
}

// LoadStats describes how hard the app pushed the fake.
type LoadStats struct {
	// MaxConcurrent is the most requests ever in flight at once.
	MaxConcurrent int
	// ContentCreating counts content-generating requests (POST/PATCH of
	// check runs, comments, reactions).
	ContentCreating int
	// MaxContentCreatingPerMinute is the most content-generating requests
	// in any 60-second window.
	MaxContentCreatingPerMinute int
}

// LoadStats returns the concurrency and content-creation counters.
func (s *Server) LoadStats() LoadStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	times := append([]time.Time(nil), s.st.contentTimes...)
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= time.Minute {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return LoadStats{MaxConcurrent: s.st.maxInflight, ContentCreating: len(times), MaxContentCreatingPerMinute: best}
}

// AssertWithinSecondaryLimits fails t if the app exceeded GitHub's
// secondary rate limits (MaxConcurrentRequests, MaxContentCreatingPerMinute).
func (s *Server) AssertWithinSecondaryLimits(t testing.TB) {
	t.Helper()
	st := s.LoadStats()
	if st.MaxConcurrent > MaxConcurrentRequests {
		t.Errorf("fakegithub: %d concurrent requests, GitHub allows %d", st.MaxConcurrent, MaxConcurrentRequests)
	}
	if st.MaxContentCreatingPerMinute > MaxContentCreatingPerMinute {
		t.Errorf("fakegithub: %d content-generating requests in one minute, GitHub allows %d",
			st.MaxContentCreatingPerMinute, MaxContentCreatingPerMinute)
	}
}
