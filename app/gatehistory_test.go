package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/cli"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

// TestGateHistoryAPI: the history API needs the operator token, filters by
// repository, status and dates, rejects bad parameters, and the CLI prints
// what it returns.
func TestGateHistoryAPI(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := &gatehistory.Store{KV: st}
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	for _, e := range []gatehistory.Entry{
		{Repo: "acme/api", Commit: "aaaaaaaaa1", Status: gatehistory.StatusFailed, At: at, Reasons: []string{"Blocked: overdue"}},
		{Repo: "acme/api", Commit: "aaaaaaaaa2", Status: gatehistory.StatusPassed, At: at.Add(time.Hour)},
		{Repo: "acme/web", Commit: "bbbbbbbbb1", Status: gatehistory.StatusFailed, At: at},
	} {
		if _, err := h.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(adminOnly(&config.Config{AdminToken: "s3cret"}, gateHistoryHandler(st)))
	defer srv.Close()
	get := func(query, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/gate/history?"+query, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Entries []gatehistory.Entry `json:"entries"`
			Error   string              `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		var commits []string
		for _, e := range body.Entries {
			commits = append(commits, e.Commit)
		}
		return resp.StatusCode, strings.Join(commits, ",") + body.Error
	}
	for _, tc := range []struct {
		query, token string
		code         int
		want         string
	}{
		{"repo=acme/api&since=2026-11-03&until=2026-11-03", "s3cret", 200, "aaaaaaaaa2,aaaaaaaaa1"},
		{"repo=acme/api&status=failed&since=2026-11-01", "s3cret", 200, "aaaaaaaaa1"},
		{"status=failed,warning&since=2026-11-03T00:00:00Z&until=2026-11-04T00:00:00Z", "s3cret", 200, "aaaaaaaaa1,bbbbbbbbb1"},
		{"since=2026-11-04&until=2026-11-05", "s3cret", 200, ""},
		{"status=maybe", "s3cret", 400, `unknown status "maybe" (allowed: passed, warning, failed, off)`},
		{"since=yesterday", "s3cret", 400, `since: "yesterday" is not a date (2026-11-01) or an RFC 3339 time`},
		{"limit=0", "s3cret", 400, `limit: "0" is not a positive whole number`},
		{"", "wrong", 401, "a valid operator token is required"},
	} {
		code, got := get(tc.query, tc.token)
		// Entries at the same instant sort by id: compare as sets when needed.
		if code != tc.code || (got != tc.want && !sameSet(got, tc.want)) {
			t.Errorf("%q: got %d %q, want %d %q", tc.query, code, got, tc.code, tc.want)
		}
	}
	var out strings.Builder
	code, err := cli.GateHistory(context.Background(), cli.GateHistoryOptions{URL: srv.URL, Token: "s3cret",
		Repo: "acme/api", Status: "failed", Since: "2026-11-01", Out: &out})
	if code != cli.ExitPass || err != nil || !strings.Contains(out.String(), "acme/api") ||
		!strings.Contains(out.String(), "FAILED") || !strings.Contains(out.String(), "Blocked: overdue") {
		t.Errorf("cli: %d %v\n%s", code, err, out.String())
	}
}

func sameSet(a, b string) bool {
	as, bs := strings.Split(a, ","), strings.Split(b, ",")
	if len(as) != len(bs) {
		return false
	}
	for _, x := range as {
		if !strings.Contains(","+b+",", ","+x+",") {
			return false
		}
	}
	return true
}
