package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestUploadWithActionsOIDC(t *testing.T) {
	var got struct{ path, query, auth, body string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/oidc":
			if r.Header.Get("Authorization") != "Bearer req-token" || r.URL.Query().Get("audience") != "conviso" {
				http.Error(w, "bad", http.StatusForbidden)
				return
			}
			_, _ = io.WriteString(w, `{"value":"id-token"}`)
		default:
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, "not gzip", http.StatusBadRequest)
				return
			}
			b, _ := io.ReadAll(zr)
			got.path, got.query, got.auth, got.body = r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), string(b)
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, `{"status":"queued"}`)
		}
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "r.sarif")
	write(t, file, `{"version":"2.1.0","runs":[]}`)
	env := map[string]string{
		"CONVISO_URL": srv.URL, "GITHUB_REPOSITORY": "acme/api", "GITHUB_SHA": strings.Repeat("a", 40),
		"GITHUB_REF": "refs/heads/main", "ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL + "/oidc?x=1",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-token",
	}
	var out bytes.Buffer
	code, err := Upload(context.Background(), UploadArgs{SARIFPath: file, Category: "semgrep", Out: &out,
		Env: func(k string) string { return env[k] }})
	if err != nil || code != ExitPass {
		t.Fatalf("exit %d (%v): %s", code, err, out.String())
	}
	if got.path != "/api/v1/repos/acme/api/sarif" || got.auth != "Bearer id-token" ||
		!strings.Contains(got.query, "category=semgrep") || got.body != `{"version":"2.1.0","runs":[]}` {
		t.Fatalf("unexpected upload %+v", got)
	}
}

func TestUploadNeedsCredentials(t *testing.T) {
	file := filepath.Join(t.TempDir(), "r.sarif")
	write(t, file, `{}`)
	env := map[string]string{"CONVISO_URL": "http://127.0.0.1:1", "GITHUB_REPOSITORY": "acme/api", "GITHUB_SHA": "a", "GITHUB_REF": "r"}
	code, err := Upload(context.Background(), UploadArgs{SARIFPath: file, Out: &bytes.Buffer{}, Env: func(k string) string { return env[k] }})
	if code != ExitError || err == nil || !strings.Contains(err.Error(), "CONVISO_TOKEN") {
		t.Fatalf("exit %d (%v)", code, err)
	}
}
