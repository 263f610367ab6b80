package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/cli"
	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/simulate"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

// TestSimulateAPI: a looser candidate replayed over seeded history and
// results through the API and the CLI; a broken candidate is a 400 with
// each problem's line and key; expired results are not replayable; the
// top rules count blocks per rule.
func TestSimulateAPI(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	sqli := findings.Finding{ID: "f-1", Fingerprint: "fp-sqli", Scanner: "semgrep", RuleID: "sqli",
		Severity: findings.SeverityHigh, Path: "db.go", StartLine: 3}
	if err := checks.SaveResults(ctx, st, 42, &checks.CommitResults{Commit: "aaaaaaa1",
		Scanners: []checks.ScannerRun{{Name: "semgrep", Rules: 10}}, Findings: []findings.Finding{sqli}}); err != nil {
		t.Fatal(err)
	}
	h := &gatehistory.Store{KV: st}
	at := time.Now().UTC().Add(-time.Hour)
	for _, e := range []gatehistory.Entry{
		{Repo: "acme/api", RepoID: 42, Commit: "aaaaaaa1", PullRequest: 7, Status: gatehistory.StatusFailed, At: at,
			Classified: true, NewFindings: []string{"fp-sqli"}, Blocking: []string{"gate.block_at"}, BlockingRules: []string{"sqli"}},
		{Repo: "acme/api", RepoID: 42, Commit: "expired1", Status: gatehistory.StatusFailed, At: at,
			Classified: true, Blocking: []string{"gate.block_at"}, BlockingRules: []string{"sqli"}},
		{Repo: "other/x", RepoID: 9, Commit: "bbbbbbb1", Status: gatehistory.StatusFailed, At: at, Classified: true},
	} {
		if _, err := h.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &config.Config{AdminToken: "s3cret"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/policy/simulate", adminOnly(cfg, simulateHandler(cfg, st)))
	mux.HandleFunc("GET /api/v1/gate/top-rules", adminOnly(cfg, topRulesHandler(st)))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(query, body string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/policy/simulate?"+query, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.Bytes()
	}

	code, b := post("org=acme&since=30d", "version: 1\ngate:\n  block_at: critical\n")
	var rep simulate.Report
	if err := json.Unmarshal(b, &rep); code != 200 || err != nil {
		t.Fatalf("simulate: %d %s", code, b)
	}
	if rep.Overall.Cases != 1 || rep.Overall.BlockedNow != 1 || rep.Overall.BlockedCandidate != 0 ||
		rep.Skipped[simulate.SkipExpired] != 1 || len(rep.Flipped) != 1 || rep.Drivers[0].String() != "gate.block_at: 1 fewer blocks" {
		t.Errorf("report %s", b)
	}

	code, b = post("repo=acme/api", "version: 1\nmode: block\ngate:\n  max:\n    critcal: 0\n")
	if code != 400 || !strings.Contains(string(b), `"line":2`) || !strings.Contains(string(b), `"key":"mode"`) ||
		!strings.Contains(string(b), `"line":5`) {
		t.Errorf("broken candidate: %d %s", code, b)
	}
	if code, b = post("since=30d", "version: 1\n"); code != 400 {
		t.Errorf("no repo or org: %d %s", code, b)
	}

	var out bytes.Buffer
	api := cli.APIOptions{URL: srv.URL, Token: "s3cret", Out: &out}
	path := filepath.Join(t.TempDir(), "c.yml")
	if err := writeFile(path, "version: 1\ngate:\n  block_at: critical\n"); err != nil {
		t.Fatal(err)
	}
	if code, err := cli.PolicySimulate(ctx, cli.SimulateOptions{APIOptions: api, PolicyPath: path, Repo: "acme/api", Since: "30d"}); code != cli.ExitPass {
		t.Fatalf("cli simulate: %d %v", code, err)
	}
	for _, want := range []string{"acme/api", "1 (100%)", "0 (0%)", "gate.block_at: 1 fewer blocks", "#7", "aaaaaaa"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("cli output lacks %q:\n%s", want, out.String())
		}
	}
	_ = writeFile(path, "mode: block\n")
	if code, err := cli.PolicySimulate(ctx, cli.SimulateOptions{APIOptions: api, PolicyPath: path, Repo: "acme/api"}); code != cli.ExitError ||
		err == nil || !strings.Contains(err.Error(), "line 1: mode:") {
		t.Errorf("cli broken candidate: %d %v", code, err)
	}

	out.Reset()
	if code, err := cli.GateTopRules(ctx, cli.TopRulesOptions{APIOptions: api, Since: "30d"}); code != cli.ExitPass {
		t.Fatalf("cli top-rules: %d %v", code, err)
	}
	if !strings.Contains(out.String(), "sqli") || !strings.Contains(out.String(), "2 ") || !strings.Contains(out.String(), "3 evaluations") {
		t.Errorf("top-rules output:\n%s", out.String())
	}
	api.Token = "wrong"
	if code, _ := cli.GateTopRules(ctx, cli.TopRulesOptions{APIOptions: api}); code != cli.ExitError {
		t.Errorf("a bad token exited %d", code)
	}
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
