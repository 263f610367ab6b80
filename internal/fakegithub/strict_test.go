package fakegithub_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

// raw sends a request with an installation token, bypassing any client
// library, and returns the status and decoded body.
func raw(t *testing.T, gh *fakegithub.Server, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(gh.URL(), "/")+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func annotations(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"path": "src/main.go", "start_line": i + 1, "end_line": i + 1,
			"annotation_level": "warning", "message": fmt.Sprintf("finding %d", i)}
	}
	return out
}

func TestCheckRunStrictness(t *testing.T) {
	f := newFixture(t)
	tok := f.gh.InstallationToken(f.inst.ID)
	sha := f.pr.HeadSHA()
	create := func(extra map[string]any) (int, map[string]any) {
		body := map[string]any{"name": "conviso", "head_sha": sha}
		for k, v := range extra {
			body[k] = v
		}
		return raw(t, f.gh, tok, "POST", "/repos/acme/api/check-runs", body)
	}
	cases := []struct {
		name   string
		extra  map[string]any
		status int
		want   string
	}{
		{"51 annotations", map[string]any{"output": map[string]any{"title": "t", "summary": "s", "annotations": annotations(51)}}, 422, "annotations"},
		{"summary too long", map[string]any{"output": map[string]any{"title": "t", "summary": strings.Repeat("x", 65536)}}, 422, "summary"},
		{"text too long", map[string]any{"output": map[string]any{"title": "t", "summary": "s", "text": strings.Repeat("é", 65536)}}, 422, "text"},
		{"bad conclusion", map[string]any{"conclusion": "passed"}, 422, "conclusion"},
		{"bad annotation level", map[string]any{"output": map[string]any{"title": "t", "summary": "s",
			"annotations": []map[string]any{{"path": "a", "start_line": 1, "end_line": 1, "annotation_level": "error", "message": "m"}}}}, 422, "annotation_level"},
		{"output without title", map[string]any{"output": map[string]any{"summary": "s"}}, 422, "title"},
		{"completed without conclusion", map[string]any{"status": "completed"}, 422, "conclusion"},
	}
	for _, tc := range cases {
		status, body := create(tc.extra)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d (%v)", tc.name, status, tc.status, body)
		}
		v := f.gh.TakeViolations()
		if len(v) != 1 || !strings.Contains(v[0].Message, tc.want) {
			t.Errorf("%s: violations = %v, want one mentioning %q", tc.name, v, tc.want)
		}
	}
	if runs := f.gh.CheckRuns("acme", "api"); len(runs) != 0 {
		t.Errorf("rejected requests created %d check runs", len(runs))
	}
}

func TestCheckRunAnnotationsAccumulate(t *testing.T) {
	f := newFixture(t)
	tok := f.gh.InstallationToken(f.inst.ID)
	status, run := raw(t, f.gh, tok, "POST", "/repos/acme/api/check-runs", map[string]any{
		"name": "conviso", "head_sha": f.pr.HeadSHA(), "status": "in_progress",
		"output": map[string]any{"title": "Scanning", "summary": "…", "annotations": annotations(50)},
	})
	if status != 201 {
		t.Fatalf("create: %d %v", status, run)
	}
	path := fmt.Sprintf("/repos/acme/api/check-runs/%v", run["id"])
	status, upd := raw(t, f.gh, tok, "PATCH", path, map[string]any{
		"conclusion": "failure", "output": map[string]any{"title": "2 findings", "summary": "done", "annotations": annotations(30)},
	})
	if status != 200 {
		t.Fatalf("update: %d %v", status, upd)
	}
	runs := f.gh.CheckRuns("acme", "api")
	if len(runs) != 1 {
		t.Fatalf("runs = %d", len(runs))
	}
	r := runs[0]
	if len(r.Annotations) != 80 || r.Status != "completed" || r.Conclusion != "failure" || r.CompletedAt.IsZero() {
		t.Errorf("run = %d annotations, %s/%s, completed_at %v", len(r.Annotations), r.Status, r.Conclusion, r.CompletedAt)
	}
	if r.Output.Title != "2 findings" || len(r.Updates) != 2 {
		t.Errorf("output = %+v, updates = %d", r.Output, len(r.Updates))
	}
	if out := upd["output"].(map[string]any); out["annotations_count"] != float64(80) {
		t.Errorf("annotations_count = %v", out["annotations_count"])
	}
	status, list := raw(t, f.gh, tok, "GET", "/repos/acme/api/commits/feature/check-runs", nil)
	if status != 200 || list["total_count"] != float64(1) {
		t.Errorf("list for ref: %d %v", status, list["total_count"])
	}
}

func TestUnknownRouteAndQueryLimits(t *testing.T) {
	f := newFixture(t)
	tok := f.gh.InstallationToken(f.inst.ID)
	if status, _ := raw(t, f.gh, tok, "GET", "/repos/acme/api/no-such-thing", nil); status != 404 {
		t.Errorf("unknown route: %d", status)
	}
	if v := f.gh.TakeViolations(); len(v) != 1 || v[0].Kind != "route" {
		t.Errorf("violations = %v", v)
	}
	if status, _ := raw(t, f.gh, tok, "GET", "/repos/acme/api/pulls/1/files?per_page=101", nil); status != 200 {
		t.Errorf("per_page=101: %d, want 200 as GitHub caps it", status)
	}
	if v := f.gh.TakeViolations(); len(v) != 1 || v[0].Kind != "limit" {
		t.Errorf("per_page violations = %v", v)
	}
	if status, _ := raw(t, f.gh, tok, "GET", "/repos/acme/api/pulls/abc", nil); status != 404 {
		t.Errorf("bad path param: %d", status)
	}
	if v := f.gh.TakeViolations(); len(v) != 1 || v[0].Kind != "request" {
		t.Errorf("path param violations = %v", v)
	}
}

func TestAuthorization(t *testing.T) {
	f := newFixture(t)
	other := f.gh.AddInstallation(fakegithub.InstallationSpec{Account: "globex"})
	f.gh.AddRepo(fakegithub.RepoSpec{Owner: "globex", Name: "web", InstallationID: other.ID})
	tok := f.gh.InstallationToken(f.inst.ID)
	if status, _ := raw(t, f.gh, tok, "GET", "/repos/globex/web", nil); status != 404 {
		t.Errorf("other installation's repo: %d, want 404", status)
	}
	if status, _ := raw(t, f.gh, "ghs_bogus", "GET", "/repos/acme/api", nil); status != 401 {
		t.Errorf("bogus token: %d, want 401", status)
	}
	f.gh.ExpireTokens(f.inst.ID)
	if status, _ := raw(t, f.gh, tok, "GET", "/repos/acme/api", nil); status != 401 {
		t.Errorf("expired token: %d, want 401", status)
	}
	f.gh.SetSuspended(other.ID, true)
	if status, _ := raw(t, f.gh, f.gh.InstallationToken(other.ID), "GET", "/repos/globex/web", nil); status != 403 {
		t.Errorf("suspended installation: %d, want 403", status)
	}
	req, _ := http.NewRequest("GET", f.gh.URL()+"app", nil)
	req.Header.Set("Authorization", "Bearer not.a.jwt")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("bad JWT: %d", resp.StatusCode)
	}
	if v := f.gh.TakeViolations(); len(v) != 0 {
		t.Errorf("auth failures are not violations: %v", v)
	}
}
