package app_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/app"
	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/testutil/redistest"
)

const webhookSecret = "e2e-webhook-secret-0123456789"

// leakedToken is a GitHub personal access token that gitleaks' github-pat
// rule detects; it must never leave the scanner.
const leakedToken = "ghp_R7kQ2mV9xL4sT8wB1nC6zY3pJ5dF0hG2aK7e"

// syncBuffer collects the app's logs from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is a fake GitHub with one installation and repository, and the
// real app (real HTTP, signatures, store and queue) pointed at it.
type harness struct {
	t       *testing.T
	gh      *fakegithub.Server
	repo    *fakegithub.Repo
	backend string
	dataDir string
	prefix  string
	logs    *syncBuffer
	url     string
	stop    func()
	// extra overrides the app's environment (set before start).
	extra map[string]string
}

var backends = []string{"bolt", "redis"}

func newHarness(t *testing.T, backend string) *harness {
	t.Helper()
	gh := fakegithub.New(t)
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	repo := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "api", InstallationID: inst.ID, Files: map[string]string{
		"main.go":         "package main\n\nfunc main() {}\n",
		"legacy/creds.go": "package legacy\n\n// old debt, already on main\nconst token = \"ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8\"\n",
	}})
	h := &harness{t: t, gh: gh, repo: repo, backend: backend, dataDir: t.TempDir(), logs: &syncBuffer{}}
	if backend == "redis" {
		redistest.New(t) // fails or skips when Redis is unreachable
		h.prefix = redistest.Prefix(t)
	}
	return h
}

// config builds the app's configuration through the same validation as
// production.
func (h *harness) config(extra map[string]string) *config.Config {
	h.t.Helper()
	env := h.env(extra)
	cfg, err := config.Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		h.t.Fatal(err)
	}
	return cfg
}

// env is the app's environment for this harness, with extra on top.
func (h *harness) env(extra map[string]string) map[string]string {
	env := map[string]string{
		"CONVISO_ADDR":                  "127.0.0.1:0",
		"CONVISO_GITHUB_API_URL":        h.gh.URL(),
		"CONVISO_GITHUB_APP_ID":         strconv.FormatInt(h.gh.AppID(), 10),
		"CONVISO_GITHUB_PRIVATE_KEY":    string(h.gh.PrivateKeyPEM()),
		"CONVISO_GITHUB_WEBHOOK_SECRET": webhookSecret,
		"CONVISO_DATA_DIR":              h.dataDir,
		"CONVISO_LOG_LEVEL":             "debug",
		"CONVISO_WORKERS":               "2",
		"CONVISO_SHUTDOWN_GRACE":        "5s",
		"CONVISO_BASELINE_SCANS":        "off",
		"CONVISO_SCANNERS":              "gitleaks",
	}
	if h.backend == "redis" {
		env["CONVISO_REDIS_URL"] = redistest.URL()
		env["CONVISO_REDIS_PREFIX"] = h.prefix
	}
	for _, m := range []map[string]string{h.extra, extra} {
		for k, v := range m {
			env[k] = v
		}
	}
	return env
}

// start runs the app until the test ends (or stop is called).
func (h *harness) start(opts ...app.Option) {
	h.t.Helper()
	opts = append([]app.Option{app.WithLogOutput(h.logs)}, opts...)
	a, err := app.New(h.config(nil), opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	h.url = "http://" + a.Addr()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				h.t.Errorf("app.Run: %v", err)
			}
		})
	}
	h.t.Cleanup(h.stop)
}

func (h *harness) deliver(w fakegithub.Webhook) fakegithub.Delivery {
	h.t.Helper()
	return h.gh.Deliver(h.url+app.WebhookPath, webhookSecret, w)
}

// completedRun waits for the check run on sha to complete.
func (h *harness) completedRun(sha string) fakegithub.CheckRun {
	h.t.Helper()
	var found fakegithub.CheckRun
	waitFor(h.t, "a completed check run on "+sha, func() bool {
		for _, r := range h.gh.CheckRuns("acme", "api") {
			if r.HeadSHA == sha && r.Status == "completed" {
				found = r
				return true
			}
		}
		return false
	})
	return found
}

// assertNoSecretLeaked checks every request the app sent and every log line.
func (h *harness) assertNoSecretLeaked(secrets ...string) {
	h.t.Helper()
	logs := h.logs.String()
	for _, s := range secrets {
		for _, r := range h.gh.Requests() {
			if strings.Contains(string(r.Body), s) || strings.Contains(r.Query.Encode(), s) {
				h.t.Errorf("secret sent to GitHub in %s %s", r.Method, r.Path)
			}
		}
		if strings.Contains(logs, s) {
			h.t.Errorf("secret written to the logs")
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
