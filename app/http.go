package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Routes.
const (
	// WebhookPath is go-githubapp's (and GitHub Apps') conventional route.
	WebhookPath = githubapp.DefaultWebhookRoute
	HealthPath  = "/healthz"
	ReadyPath   = "/readyz"
)

// readyTimeout bounds the readiness probe's store checks.
const readyTimeout = 2 * time.Second

func newRouter(cfg *config.Config, st store.Store, handlers []githubapp.EventHandler, logger zerolog.Logger,
	bg *background, upload http.Handler, uploads *uploads) http.Handler {
	dispatcher := githubapp.NewEventDispatcher(handlers, cfg.WebhookSecret,
		githubapp.WithScheduler(&jobs.Scheduler{Queue: st}),
		githubapp.WithErrorCallback(webhookError),
		githubapp.WithResponseCallback(webhookAccepted),
	)
	mux := http.NewServeMux()
	mux.Handle("POST "+WebhookPath, verifySignature(cfg.WebhookSecret, cfg.MaxWebhookBytes, dispatcher))
	mux.HandleFunc("GET "+HealthPath, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET "+ReadyPath, readiness(st))
	mux.HandleFunc("GET /api/v1/coverage", adminOnly(cfg, bg.coverage))
	mux.HandleFunc("GET /api/v1/onboarding", adminOnly(cfg, bg.onboarding))
	mux.HandleFunc("GET /api/v1/stale", adminOnly(cfg, bg.stale))
	mux.HandleFunc("GET /api/v1/health", adminOnly(cfg, healthHandler(cfg, st, bg)))
	mux.HandleFunc("GET /api/v1/gate/history", adminOnly(cfg, gateHistoryHandler(st)))
	mux.HandleFunc("GET /api/v1/gate/top-rules", adminOnly(cfg, topRulesHandler(st)))
	mux.HandleFunc("POST /api/v1/policy/simulate", adminOnly(cfg, simulateHandler(cfg, st)))
	mux.Handle(uploadRoute, upload)
	mux.HandleFunc("POST /api/v1/repos/{owner}/{repo}/tokens", adminOnly(cfg, uploads.issueToken))
	mux.HandleFunc("DELETE /api/v1/tokens/{id}", adminOnly(cfg, uploads.revokeToken))
	return hlog.NewHandler(logger)(mux)
}

// verifySignature rejects a webhook before anything else happens: 413 past
// the size limit, 401 when X-Hub-Signature-256 is missing or wrong (the
// SHA-1 header is never accepted). The dispatcher verifies again.
func verifySignature(secret string, maxBytes int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			http.Error(w, fmt.Sprintf("payload larger than %d bytes", maxBytes), http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		sig := r.Header.Get(github.SHA256SignatureHeader)
		if !strings.HasPrefix(sig, "sha256=") || github.ValidateSignature(sig, body, []byte(secret)) != nil {
			hlog.FromRequest(r).Warn().Str(githubapp.LogKeyDeliveryID, r.Header.Get("X-GitHub-Delivery")).
				Bool("signature_present", sig != "").Msg("Rejected webhook with a missing or invalid X-Hub-Signature-256")
			http.Error(w, "missing or invalid X-Hub-Signature-256", http.StatusUnauthorized)
			return
		}
		r.Header.Del(github.SHA1SignatureHeader)
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// webhookAccepted answers 202 once the delivery is durably queued (or was
// already), 200 to pings and 202 to events the app does not handle.
func webhookAccepted(w http.ResponseWriter, r *http.Request, event string, handled bool) {
	if respond := githubapp.GetResponder(r.Context()); respond != nil {
		respond(w, r) // set by the scheduler for a duplicate delivery
		return
	}
	switch {
	case event == "ping":
		writeJSON(w, http.StatusOK, map[string]string{"status": "pong"})
	case handled:
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued"})
	default:
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "ignored"})
	}
}

// webhookError maps dispatcher errors: 400 for a malformed delivery, 503 when
// the queue cannot take it (GitHub then records a failed delivery, which the
// app can redeliver).
func webhookError(w http.ResponseWriter, r *http.Request, err error) {
	logger := zerolog.Ctx(r.Context())
	var ve githubapp.ValidationError
	if errors.As(err, &ve) {
		logger.Warn().Err(ve.Cause).Msg("Invalid webhook")
		http.Error(w, "invalid webhook: "+ve.Cause.Error(), http.StatusBadRequest)
		return
	}
	logger.Error().Err(err).Msg("Could not queue webhook")
	http.Error(w, "could not queue the delivery; please redeliver", http.StatusServiceUnavailable)
}

// readiness reports whether the store and queue answer.
func readiness(st store.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "store": err.Error()})
			return
		}
		stats, err := st.Stats(ctx)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "queue": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"status": "ready", "store": st.Backend(), "queue_ready": stats.Ready, "queue_in_flight": stats.InFlight,
			"queue_dead": stats.Dead, "oldest_job_age_seconds": stats.OldestReadyAge.Seconds(),
		})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
