package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

// uploadSARIF is a minimal SARIF 2.1.0 log with one high finding.
const uploadSARIF = `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{
 "tool":{"driver":{"name":"semgrep","version":"1.90.0","rules":[{"id":"go.lang.security.injection","shortDescription":{"text":"Command injection"},
   "properties":{"security-severity":"8.1","tags":["CWE-78"]}}]}},
 "results":[{"ruleId":"go.lang.security.injection","level":"error","message":{"text":"user input reaches exec.Command"},
   "locations":[{"physicalLocation":{"artifactLocation":{"uri":"client/github.go"},"region":{"startLine":4,"snippet":{"text":"var token = x"}}}}]}]}]}`

func (h *harness) request(method, path, token, contentType string, body []byte) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestUploadedSARIFGoesThroughTheGate(t *testing.T) {
	h := newHarness(t, "bolt")
	h.extra = map[string]string{"CONVISO_ADMIN_TOKEN": adminToken}
	h.start()
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s", h.logs.String())
		}
	}()
	pr := h.leakOnFeature()
	var issued struct{ Token string }
	var last string
	waitFor(t, "an upload token (last answer: "+last+")", func() bool {
		code, body := h.request(http.MethodPost, "/api/v1/repos/acme/api/tokens", adminToken, "application/json",
			[]byte(`{"note":"ci","issued_by":"operator"}`))
		last = string(body)
		return code == http.StatusCreated && json.Unmarshal(body, &issued) == nil
	})
	q := url.Values{"commit_sha": {pr.HeadSHA()}, "ref": {"refs/pull/1/head"}, "category": {"semgrep"}}
	path := "/api/v1/repos/acme/api/sarif?" + q.Encode()
	if code, body := h.request(http.MethodPost, path, "cvs_wrong", "application/sarif+json", []byte(uploadSARIF)); code != http.StatusUnauthorized {
		t.Fatalf("a wrong token must be refused: %d %s", code, body)
	}
	if code, body := h.request(http.MethodPost, path, issued.Token, "application/sarif+json", []byte("{\"version\": \"2.1.0\",\n\"runs\": [}")); code != http.StatusBadRequest || !strings.Contains(string(body), "line") {
		t.Fatalf("malformed SARIF must be refused with its position: %d %s", code, body)
	}
	if code, body := h.request(http.MethodPost, path, issued.Token, "application/sarif+json", []byte(uploadSARIF)); code != http.StatusAccepted {
		t.Fatalf("upload answered %d %s", code, body)
	}
	var run fakegithub.CheckRun
	waitFor(t, "the semgrep check run", func() bool {
		for _, r := range h.gh.CheckRuns("acme", "api") {
			if r.Name == "Conviso Security Gate / semgrep" && r.Status == "completed" {
				run = r
				return true
			}
		}
		return false
	})
	if run.Conclusion != "failure" || len(run.Annotations) != 1 || run.Annotations[0].Path != "client/github.go" || run.Annotations[0].StartLine != 4 {
		t.Fatalf("uploaded results must gate like the app's own: %q %+v\n%s", run.Conclusion, run.Annotations, run.Output.Summary)
	}
	h.assertNoSecretLeaked(issued.Token)
}
