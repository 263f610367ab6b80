package app_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

var findingTitle = regexp.MustCompile(`^.+ \[f-[0-9a-f]{12}\]$`)

// leakOnFeature commits a file with the leaked token on line 4 to branch
// "feature" and opens a pull request from it.
func (h *harness) leakOnFeature() *fakegithub.PullRequest {
	h.repo.Commit(fakegithub.CommitSpec{Branch: "feature", Message: "Add client", Files: map[string]string{
		"client/github.go": "package client\n\n// token for the API\nvar token = \"" + leakedToken + "\"\n",
	}})
	return h.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "feature", Title: "Add client"})
}

func TestPullRequestWithLeakedSecretFailsTheGate(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, backend)
			h.start()
			pr := h.leakOnFeature()
			d := h.deliver(h.gh.PullRequestEvent(pr, "opened"))
			if d.StatusCode != http.StatusAccepted {
				t.Fatalf("webhook answered %d %s", d.StatusCode, d.ResponseBody)
			}
			run := h.completedRun(pr.HeadSHA())
			if run.Name != "Conviso Security Gate" || run.Conclusion != "failure" {
				t.Fatalf("check run %q concluded %q, want a failing Conviso Security Gate", run.Name, run.Conclusion)
			}
			if len(run.Annotations) != 1 {
				t.Fatalf("want one annotation (the new finding only), got %+v", run.Annotations)
			}
			a := run.Annotations[0]
			if a.Path != "client/github.go" || a.StartLine != 4 || a.EndLine != 4 || a.AnnotationLevel != "failure" || !findingTitle.MatchString(a.Title) {
				t.Errorf("unexpected annotation %+v", a)
			}
			if !strings.Contains(run.Output.Title, "Blocked") || !strings.Contains(run.Output.Summary, "| **Total** | **1** | **1** |") {
				t.Errorf("summary must count 1 new and 1 pre-existing finding:\n%s", run.Output.Summary)
			}
			if n := len(h.gh.CheckRuns("acme", "api")); n != 1 {
				t.Errorf("want exactly one check run, got %d", n)
			}
			h.assertNoSecretLeaked(leakedToken, "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8")
		})
	}
}

func TestCleanPullRequestPasses(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	h.repo.Commit(fakegithub.CommitSpec{Branch: "docs", Files: map[string]string{"README.md": "# API\n"}})
	pr := h.repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "docs"})
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if run.Conclusion != "success" || len(run.Annotations) != 0 {
		t.Fatalf("a PR that adds no finding must pass without annotations; got %q with %d annotations",
			run.Conclusion, len(run.Annotations))
	}
}

func TestRedeliveredWebhookRunsOnce(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, backend)
			h.start()
			pr := h.leakOnFeature()
			first := h.deliver(h.gh.PullRequestEvent(pr, "opened"))
			h.completedRun(pr.HeadSHA())
			again := h.gh.Redeliver(first)
			if again.StatusCode != http.StatusOK || !strings.Contains(string(again.ResponseBody), "duplicate") {
				t.Fatalf("redelivery answered %d %s, want 200 duplicate", again.StatusCode, again.ResponseBody)
			}
			h.waitQueueEmpty()
			if n := len(h.gh.CheckRuns("acme", "api")); n != 1 {
				t.Fatalf("the same delivery must do the work once; %d check runs", n)
			}
		})
	}
}

func TestForgedAndOversizedWebhooksAreRejected(t *testing.T) {
	h := newHarness(t, "bolt")
	h.start()
	pr := h.leakOnFeature()
	body := h.gh.PullRequestEvent(pr, "opened").JSON()
	cases := []struct {
		name   string
		header map[string]string
		body   []byte
		want   int
	}{
		{"no signature", nil, body, http.StatusUnauthorized},
		{"wrong secret", map[string]string{"X-Hub-Signature-256": sign("not-the-secret-0123456789", body)}, body, http.StatusUnauthorized},
		{"sha1 only", map[string]string{"X-Hub-Signature": "sha1=0000000000000000000000000000000000000000"}, body, http.StatusUnauthorized},
		{"body changed after signing", map[string]string{"X-Hub-Signature-256": sign(webhookSecret, body)}, append([]byte(" "), body...), http.StatusUnauthorized},
		{"too large", map[string]string{"X-Hub-Signature-256": sign(webhookSecret, make([]byte, 30<<20))}, make([]byte, 30<<20), http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.post(tc.header, tc.body); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
	h.waitQueueEmpty()
	if n := len(h.gh.CheckRuns("acme", "api")); n != 0 {
		t.Fatalf("a rejected webhook must do nothing; %d check runs", n)
	}
}

func TestReadiness(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, backend)
			h.start()
			var ready map[string]any
			if code := h.getJSON("/readyz", &ready); code != http.StatusOK || ready["store"] != backend {
				t.Fatalf("/readyz = %d %v", code, ready)
			}
			var alive map[string]any
			if code := h.getJSON("/healthz", &alive); code != http.StatusOK {
				t.Fatalf("/healthz = %d", code)
			}
		})
	}
}

// waitQueueEmpty waits until /readyz reports nothing queued or running.
func (h *harness) waitQueueEmpty() {
	h.t.Helper()
	waitFor(h.t, "an empty queue", func() bool {
		var ready map[string]any
		code := h.getJSON("/readyz", &ready)
		return code == http.StatusOK && ready["queue_ready"] == float64(0) && ready["queue_in_flight"] == float64(0)
	})
}

func (h *harness) getJSON(path string, v any) int { return h.getJSONAuth(path, "", v) }

// getJSONAuth GETs path with a bearer token (none when empty) and decodes
// the JSON answer into v.
func (h *harness) getJSONAuth(path, token string, v any) int {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.url+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		h.t.Fatalf("%s: %v", path, err)
	}
	return resp.StatusCode
}

const tarballOp = fakegithub.OpTarball
