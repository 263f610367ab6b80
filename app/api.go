package app

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/store"
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

// gateHistoryHandler serves GET /api/v1/gate/history: gate evaluations,
// newest first, filtered by repo (owner/name), status (passed, warning,
// failed, off; repeatable or comma-separated), since and until (dates,
// 2026-11-01, or RFC 3339 times; until's date is inclusive) and limit.
func gateHistoryHandler(kv store.KV) http.HandlerFunc {
	history := &gatehistory.Store{KV: kv}
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := historyFilter(r.URL.Query())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		entries, err := history.List(r.Context(), f)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		if entries == nil {
			entries = []gatehistory.Entry{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	}
}

// historyFilter reads the gate history query parameters.
func historyFilter(q url.Values) (gatehistory.Filter, error) {
	f := gatehistory.Filter{Repo: q.Get("repo")}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			st, err := gatehistory.ParseStatus(s)
			if err != nil {
				return f, err
			}
			f.Status = append(f.Status, st)
		}
	}
	var err error
	if f.Since, err = parseWhen(q.Get("since"), false); err != nil {
		return f, fmt.Errorf("since: %w", err)
	}
	if f.Until, err = parseWhen(q.Get("until"), true); err != nil {
		return f, fmt.Errorf("until: %w", err)
	}
	if l := q.Get("limit"); l != "" {
		if f.Limit, err = strconv.Atoi(l); err != nil || f.Limit < 1 {
			return f, fmt.Errorf("limit: %q is not a positive whole number", l)
		}
	}
	return f, nil
}

// parseWhen reads a date (2026-11-01, UTC; the end of that day when end
// is true) or an RFC 3339 time; "" is the zero time.
func parseWhen(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2026-11-01) or an RFC 3339 time", s)
	}
	return t, nil
}

// stale serves GET /api/v1/stale: repositories with pushes but no scan
// since then ("scanner results stopped arriving").
func (b *background) stale(w http.ResponseWriter, r *http.Request) {
	repos, err := b.inventory.Stale(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"repositories": repos})
}
