package ghclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"
	"github.com/shurcooL/githubv4"
)

const (
	e2eInstallation = 42
	e2eToken        = "ghs_e2eInstallationTokenDoNotLog"
)

// fakeGitHub mints installation tokens (accepting any well-formed JWT) and
// serves a few scripted API endpoints that demand the minted token.
type fakeGitHub struct {
	*httptest.Server
	mu           sync.Mutex
	tokensMinted int
	hits         map[string]int
	bodies       map[string][]string
	userAgents   []string
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{hits: map[string]int{}, bodies: map[string][]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	route := r.Method + " " + r.URL.Path
	f.mu.Lock()
	f.hits[route]++
	hit := f.hits[route]
	f.bodies[route] = append(f.bodies[route], string(body))
	f.userAgents = append(f.userAgents, r.UserAgent())
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-RateLimit-Remaining", "4990")
	if route == "POST /app/installations/42/access_tokens" {
		f.mintToken(w, r, hit)
		return
	}
	if r.Header.Get("Authorization") != "token "+e2eToken {
		writeJSON(w, http.StatusUnauthorized, `{"message":"Bad credentials"}`)
		return
	}
	f.api(w, route, hit)
}

func (f *fakeGitHub) mintToken(w http.ResponseWriter, r *http.Request, attempt int) {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.Count(auth, ".") != 2 {
		writeJSON(w, http.StatusUnauthorized, `{"message":"A JSON web token could not be decoded"}`)
		return
	}
	if attempt == 1 {
		writeJSON(w, http.StatusBadGateway, `{"message":"Server Error"}`)
		return
	}
	f.mu.Lock()
	f.tokensMinted++
	f.mu.Unlock()
	resp, _ := json.Marshal(map[string]any{"token": e2eToken, "expires_at": time.Now().Add(time.Hour).UTC()})
	writeJSON(w, http.StatusCreated, string(resp))
}

func (f *fakeGitHub) api(w http.ResponseWriter, route string, hit int) {
	switch route {
	case "GET /repos/o/r":
		writeScripted(w, hit, http.StatusBadGateway, `{"id":1,"name":"r","full_name":"o/r"}`)
	case "PATCH /repos/o/r/check-runs/7":
		writeScripted(w, hit, http.StatusGatewayTimeout, `{"id":7,"status":"completed"}`)
	case "GET /repos/o/r/pulls/1":
		if hit == 1 {
			w.Header().Set("Retry-After", "2")
		}
		writeScripted(w, hit, http.StatusTooManyRequests, `{"number":1}`)
	case "POST /repos/o/r/issues/1/comments":
		writeJSON(w, http.StatusBadGateway, `{"message":"Server Error"}`)
	case "GET /repos/o/r/contents/secret":
		writeJSON(w, http.StatusForbidden, permissionBody)
	case "POST /graphql":
		writeJSON(w, http.StatusOK, `{"data":{"viewer":{"login":"conviso-bot"}}}`)
	default:
		writeJSON(w, http.StatusNotFound, `{"message":"Not Found"}`)
	}
}

// writeScripted fails the first hit with failStatus and answers ok after.
func writeScripted(w http.ResponseWriter, hit, failStatus int, ok string) {
	if hit == 1 {
		writeJSON(w, failStatus, `{"message":"try again"}`)
		return
	}
	writeJSON(w, http.StatusOK, ok)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fakeGitHub) snapshot() (minted, attempts int, hits map[string]int, bodies map[string][]string, agents []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokensMinted, f.hits["POST /app/installations/42/access_tokens"], f.hits, f.bodies, f.userAgents
}

// wireCounter is a base transport counting what reaches the network.
type wireCounter struct {
	mu sync.Mutex
	n  int
}

func (w *wireCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.n++
	w.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (w *wireCounter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

func newE2ECreator(t *testing.T, gh *fakeGitHub, clock Clock, logs io.Writer, wire http.RoundTripper) (*github.Client, *githubv4.Client) {
	t.Helper()
	cfg := validConfig()
	cfg.V3APIURL = gh.URL
	cfg.UserAgent = "conviso-e2e"
	cc, err := NewClientCreator(cfg, zerolog.New(logs), WithClock(clock), WithJitter(noJitter), WithBaseTransport(wire))
	if err != nil {
		t.Fatal(err)
	}
	client, err := cc.NewInstallationClient(e2eInstallation)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := cc.NewInstallationClient(e2eInstallation); err != nil || again != client {
		t.Fatalf("installation client not cached: %v", err)
	}
	v4, err := cc.NewInstallationV4Client(e2eInstallation)
	if err != nil {
		t.Fatal(err)
	}
	return client, v4
}

func TestEndToEndThroughGoGitHub(t *testing.T) {
	gh := newFakeGitHub(t)
	clock := newFakeClock()
	var logs lockedBuffer
	wire := &wireCounter{}
	client, _ := newE2ECreator(t, gh, clock, &logs, wire)
	ctx := context.Background() // no logger: the creator's logger is used

	if repo, _, err := client.Repositories.Get(ctx, "o", "r"); err != nil || repo.GetFullName() != "o/r" {
		t.Fatalf("Repositories.Get: %v, %v", repo, err)
	}
	update := github.UpdateCheckRunOptions{Name: "Conviso", Status: github.String("completed"), Conclusion: github.String("success")}
	if _, _, err := client.Checks.UpdateCheckRun(ctx, "o", "r", 7, update); err != nil {
		t.Fatalf("UpdateCheckRun: %v", err)
	}
	if pr, _, err := client.PullRequests.Get(ctx, "o", "r", 1); err != nil || pr.GetNumber() != 1 {
		t.Fatalf("PullRequests.Get: %v, %v", pr, err)
	}
	_, _, err := client.Issues.CreateComment(ctx, "o", "r", 1, &github.IssueComment{Body: github.String("hi")})
	if errResp := new(github.ErrorResponse); !errors.As(err, &errResp) || errResp.Response.StatusCode != 502 {
		t.Fatalf("CreateComment: %v, want the 502 as *github.ErrorResponse", err)
	}
	_, _, _, err = client.Repositories.GetContents(ctx, "o", "r", "secret", nil)
	if errResp := new(github.ErrorResponse); !errors.As(err, &errResp) || errResp.Response.StatusCode != 403 {
		t.Fatalf("GetContents: %v, want the 403 as *github.ErrorResponse", err)
	}

	minted, attempts, hits, bodies, agents := gh.snapshot()
	if minted != 1 || attempts != 2 {
		t.Errorf("tokens minted %d in %d attempts, want 1 in 2 (one 502 retried), then reused", minted, attempts)
	}
	wantHits := map[string]int{
		"GET /repos/o/r": 2, "PATCH /repos/o/r/check-runs/7": 2, "GET /repos/o/r/pulls/1": 2,
		"POST /repos/o/r/issues/1/comments": 1, "GET /repos/o/r/contents/secret": 1,
	}
	if total := attempts + 2 + 2 + 2 + 1 + 1; wire.count() != total {
		t.Errorf("base transport sent %d requests, want %d", wire.count(), total)
	}
	for route, want := range wantHits {
		if hits[route] != want {
			t.Errorf("%s hit %d times, want %d", route, hits[route], want)
		}
	}
	if patch := bodies["PATCH /repos/o/r/check-runs/7"]; len(patch) != 2 || patch[0] != patch[1] || !strings.Contains(patch[0], `"completed"`) {
		t.Errorf("PATCH bodies %q, want the same body twice", patch)
	}
	if want := []time.Duration{time.Second, time.Second, time.Second, 2 * time.Second}; !slices.Equal(clock.Sleeps(), want) {
		t.Errorf("waits %v, want %v (token 502, GET 502, PATCH 504, 429 Retry-After 2)", clock.Sleeps(), want)
	}
	for _, ua := range agents {
		if !strings.HasPrefix(ua, "conviso-e2e") && !strings.HasPrefix(ua, "Go-http-client") {
			t.Errorf("User-Agent %q", ua)
		}
	}
	assertLogsSafe(t, logs.String(), `"message":"github_request"`, `"message":"github_request_retry"`, `"status":502`)
}

// assertLogsSafe checks that out has every wanted fragment and no credential.
func assertLogsSafe(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	for _, secret := range []string{e2eToken, "Bearer", "eyJ", "Authorization", "PRIVATE KEY"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}
}

func TestEndToEndContextLoggerAndGraphQL(t *testing.T) {
	gh := newFakeGitHub(t)
	var defaultLogs, ctxLogs lockedBuffer
	_, v4 := newE2ECreator(t, gh, newFakeClock(), &defaultLogs, http.DefaultTransport)
	ctx := zerolog.New(&ctxLogs).WithContext(context.Background())

	var q struct {
		Viewer struct{ Login githubv4.String }
	}
	if err := v4.Query(ctx, &q, nil); err != nil || q.Viewer.Login != "conviso-bot" {
		t.Fatalf("GraphQL query: %q, %v", q.Viewer.Login, err)
	}

	if minted, _, hits, _, _ := gh.snapshot(); minted != 1 || hits["POST /graphql"] != 1 {
		t.Errorf("minted %d tokens, %d GraphQL hits; want 1 and 1", minted, hits["POST /graphql"])
	}
	if !strings.Contains(ctxLogs.String(), `"path":"`+gh.URL+`/graphql"`) || strings.Contains(defaultLogs.String(), "github_request") {
		t.Errorf("request not logged through the context's logger:\nctx: %s\ndefault: %s", ctxLogs.String(), defaultLogs.String())
	}
	assertLogsSafe(t, ctxLogs.String(), `"message":"github_request_retry"`)
}
