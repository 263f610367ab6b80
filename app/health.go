package app

import (
	"net/http"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/health"
	"github.com/conviso/conviso-github-app/internal/store"
)

// healthHandler serves GET /api/v1/health: the integration health report
// (package health) as JSON. It answers 200 whatever the checks found; the
// report's status says pass, warn or fail.
func healthHandler(cfg *config.Config, st store.Store, bg *background) http.HandlerFunc {
	scanners := make([]health.Scanner, 0, len(bg.scanners))
	for _, s := range bg.scanners {
		scanners = append(scanners, health.Scanner{Name: s.Name(), Version: s.Version()})
	}
	// The key file's age is known only when the key came from a file.
	deps := health.Deps{GitHub: bg.gh, PrivateKeyPath: cfg.PrivateKeyPath, Store: st, Scanners: scanners}
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, health.Run(r.Context(), deps))
	}
}
