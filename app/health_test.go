package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/health"
)

// TestHealthAPIReportsAHealthySetup: GET /api/v1/health answers the
// operator token only, with every check of a healthy setup passing.
func TestHealthAPIReportsAHealthySetup(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) { testHealthAPI(t, backend) })
	}
}

func testHealthAPI(t *testing.T, backend string) {
	h := newHarness(t, backend)
	h.extra = map[string]string{"CONVISO_ADMIN_TOKEN": adminToken}
	h.start()
	var rep health.Report
	if code := h.getJSONAuth("/api/v1/health", "wrong-token", &rep); code != http.StatusUnauthorized {
		t.Fatalf("a wrong token got %d, want 401", code)
	}
	if code := h.getJSONAuth("/api/v1/health", adminToken, &rep); code != http.StatusOK {
		t.Fatalf("GET /api/v1/health: %d", code)
	}
	if rep.Status != health.Pass {
		t.Errorf("status %s: %+v\nlogs:\n%s", rep.Status, rep.Checks, h.logs.String())
	}
	got := map[string]health.Check{}
	for _, c := range rep.Checks {
		got[c.Name] = c
	}
	for name, want := range map[string]string{
		health.NameJWT: `"conviso"`, health.NameInstallations: "1 of 1", health.NameStore: backend,
		health.NameScanners: "gitleaks ", health.NameQueue: "ready",
	} {
		if !strings.Contains(got[name].Detail, want) {
			t.Errorf("%s: %+v, want detail with %q", name, got[name], want)
		}
	}
	h.gh.AssertWithinSecondaryLimits(t)
}
