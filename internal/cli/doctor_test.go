package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/health"
)

// healthServer answers GET /api/v1/health with rep to the token "t0k".
func healthServer(t *testing.T, rep health.Report) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/health" || r.Header.Get("Authorization") != "Bearer t0k" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"a valid operator token is required"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rep)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestDoctorTableAndExitCodes(t *testing.T) {
	ok := health.Report{Status: health.Warn, Checks: []health.Check{
		{Name: "github_app_jwt", Status: health.Pass, Detail: "app \"conviso\" accepted the JWT"},
		{Name: "queue", Status: health.Warn, Detail: "3 ready", Action: "raise CONVISO_WORKERS"},
	}}
	var out bytes.Buffer
	code, err := Doctor(context.Background(), DoctorOptions{URL: healthServer(t, ok), Token: "t0k", Out: &out})
	if err != nil || code != ExitPass {
		t.Fatalf("warn only: code %d, err %v", code, err)
	}
	for _, want := range []string{"CHECK", "STATUS", "DETAIL", "WHAT TO DO", "github_app_jwt", "PASS", "queue", "WARN", "raise CONVISO_WORKERS", "health: WARN"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}

	bad := health.Report{Status: health.Fail, Checks: []health.Check{{Name: "store", Status: health.Fail, Detail: "down", Action: "start Redis"}}}
	out.Reset()
	code, err = Doctor(context.Background(), DoctorOptions{URL: healthServer(t, bad), Token: "t0k", Out: &out})
	if err != nil || code != ExitBlock || !strings.Contains(out.String(), "FAIL") {
		t.Fatalf("failed check: code %d, err %v\n%s", code, err, out.String())
	}

	code, err = Doctor(context.Background(), DoctorOptions{URL: healthServer(t, ok), Token: "wrong", Out: &out})
	if code != ExitError || err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong token: code %d, err %v", code, err)
	}
	t.Setenv("CONVISO_URL", "")
	t.Setenv("CONVISO_ADMIN_TOKEN", "")
	if code, err = Doctor(context.Background(), DoctorOptions{Out: &out}); code != ExitError || err == nil {
		t.Fatalf("no URL: code %d, err %v", code, err)
	}
}
