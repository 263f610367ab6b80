package ghclient

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func response(status int, header map[string]string, body string) *http.Response {
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func TestClassifyLimit(t *testing.T) {
	cases := []struct {
		name string
		resp *http.Response
		want limitKind
	}{
		{"403 remaining 0", response(403, map[string]string{"X-RateLimit-Remaining": "0"}, ""), primaryLimit},
		{"429 remaining 0", response(429, map[string]string{"X-RateLimit-Remaining": "0"}, ""), primaryLimit},
		{"403 retry-after", response(403, map[string]string{"Retry-After": "60"}, ""), secondaryLimit},
		{"429 bare", response(429, nil, ""), secondaryLimit},
		{"403 secondary body", response(403, map[string]string{"X-RateLimit-Remaining": "4000"}, secondaryBody), secondaryLimit},
		{"403 primary body only", response(403, nil, `{"message":"API rate limit exceeded for installation ID 1."}`), secondaryLimit},
		{"403 abuse body", response(403, nil, `{"message":"You have triggered an abuse detection mechanism."}`), secondaryLimit},
		{"403 permission", response(403, map[string]string{"X-RateLimit-Remaining": "4999"}, permissionBody), notLimited},
		{"403 empty", response(403, nil, ""), notLimited},
		{"404 remaining 0", response(404, map[string]string{"X-RateLimit-Remaining": "0"}, ""), notLimited},
		{"500", response(500, nil, "rate limit"), notLimited},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := classifyLimit(tc.resp); got != tc.want {
				t.Fatalf("classifyLimit = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestClassifyLimitKeepsBody(t *testing.T) {
	long := permissionBody + strings.Repeat(" ", 2*maxSniffBytes) + "end"
	resp := response(403, nil, long)

	if classifyLimit(resp) != notLimited {
		t.Fatal("permission error classified as rate limit")
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != long {
		t.Fatalf("body changed by sniffing: %d bytes, err %v; want %d bytes", len(body), err, len(long))
	}
}

func TestRateLimitWait(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	cases := []struct {
		name   string
		header map[string]string
		prior  int
		want   time.Duration
	}{
		{"retry-after wins", map[string]string{"Retry-After": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000100"}, 0, 3 * time.Second},
		{"until reset", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000100"}, 0, 100*time.Second + RateLimitResetSkew},
		{"reset passed", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1699999999"}, 0, RateLimitResetSkew},
		{"reset ignored unless remaining 0", map[string]string{"X-RateLimit-Remaining": "12", "X-RateLimit-Reset": "1700000100"}, 0, time.Minute},
		{"first secondary", nil, 0, time.Minute},
		{"third secondary", nil, 2, 4 * time.Minute},
		{"many secondaries stay bounded", nil, 500, time.Minute << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			if got, _ := rateLimitWait(h, now, tc.prior); got != tc.want {
				t.Fatalf("wait %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"2", 2 * time.Second, true},
		{" 60 ", time.Minute, true},
		{"0", 0, true},
		{"-5", 0, true},
		{"Wed, 01 May 2024 12:00:30 GMT", 30 * time.Second, true},
		{"Wed, 01 May 2024 11:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestResourceForRequest(t *testing.T) {
	cases := map[string]string{
		"https://api.github.com/repos/o/search/pulls":    resourceCore,
		"https://api.github.com/search/issues?q=x":       resourceSearch,
		"https://api.github.com/search/code?q=x":         resourceCodeSearch,
		"https://api.github.com/graphql":                 resourceGraphQL,
		"https://ghe.example.com/api/v3/search/issues":   resourceSearch,
		"https://ghe.example.com/api/graphql":            resourceGraphQL,
		"https://ghe.example.com/api/v3/repos/o/r/pulls": resourceCore,
	}
	for url, want := range cases {
		req, _ := http.NewRequest("GET", url, nil)
		if got := resourceForRequest(req); got != want {
			t.Errorf("resourceForRequest(%s) = %q, want %q", url, got, want)
		}
	}
}

func TestIsIdempotent(t *testing.T) {
	cases := map[string]bool{
		"GET /repos/o/r":                                  true,
		"PATCH /repos/o/r/check-runs/1":                   true,
		"PUT /repos/o/r/contents/f":                       true,
		"DELETE /repos/o/r/labels/x":                      true,
		"POST /repos/o/r/check-runs":                      false,
		"POST /graphql":                                   false,
		"POST /app/installations/42/access_tokens":        true,
		"POST /api/v3/app/installations/42/access_tokens": true,
		"POST /app/installations/42/suspended":            false,
	}
	for line, want := range cases {
		method, path, _ := strings.Cut(line, " ")
		req, _ := http.NewRequest(method, "https://api.github.com"+path, nil)
		if got := isIdempotent(req); got != want {
			t.Errorf("isIdempotent(%s) = %v, want %v", line, got, want)
		}
	}
}
