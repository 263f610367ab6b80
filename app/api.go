package app

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/config"
)

// coverageWindow is how recent a successful scan must be for a repository
// to count as covered.
const coverageWindow = 7 * 24 * time.Hour

// adminOnly guards the operator API with CONVISO_ADMIN_TOKEN as a bearer
// token; without the setting the API is closed.
func adminOnly(cfg *config.Config, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if cfg.AdminToken == "" {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "the operator API is off: set CONVISO_ADMIN_TOKEN to enable it"})
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(cfg.AdminToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="conviso"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "a valid operator token is required"})
			return
		}
		next(w, r)
	}
}

// coverage serves GET /api/v1/coverage: covered and uncovered repositories
// per organisation and team, each uncovered one with its reason.
func (b *background) coverage(w http.ResponseWriter, r *http.Request) {
	rep, err := b.inventory.CoverageReport(r.Context(), coverageWindow, nil)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// onboarding serves GET /api/v1/onboarding: baseline scan progress per
// installation.
func (b *background) onboarding(w http.ResponseWriter, r *http.Request) {
	progress, err := b.planner.Progress(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"installations": progress})
}
