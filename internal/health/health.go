// Package health builds the integration health report behind
// GET /api/v1/health and conviso doctor: is the GitHub App's key accepted,
// can every installation get a token, is the key due for rotation, are
// webhooks delivered, is the store reachable and the queue moving, which
// scanners run. Every dependency is injected, so the checks run against a
// fake GitHub and an in-memory store in tests.
package health

import (
	"context"
	"time"

	"github.com/palantir/go-githubapp/githubapp"

	"github.com/conviso/conviso-github-app/internal/store"
)

// Status is a check's outcome; a report's status is its worst check's.
type Status string

// Outcomes, from best to worst.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

// rank orders statuses from best to worst.
func (s Status) rank() int {
	switch s {
	case Pass:
		return 0
	case Warn:
		return 1
	}
	return 2
}

// Check is one health check's result.
type Check struct {
	// Name identifies the check, e.g. "github_app_jwt".
	Name string `json:"name"`
	// Status is pass, warn or fail.
	Status Status `json:"status"`
	// Detail says what was found.
	Detail string `json:"detail"`
	// Action says what to do about a warning or failure.
	Action string `json:"action,omitempty"`
}

// Report is every check's result.
type Report struct {
	// Status is the worst status of Checks.
	Status Status `json:"status"`
	// CheckedAt is when the checks ran.
	CheckedAt time.Time `json:"checked_at"`
	// Checks are in a fixed order.
	Checks []Check `json:"checks"`
}

// StoreHealth is what the store checks need of a store.Store.
type StoreHealth interface {
	Ping(ctx context.Context) error
	Stats(ctx context.Context) (store.QueueStats, error)
	Backend() string
}

// Scanner names one scanner in use and its version.
type Scanner struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Deps are the report's inputs. A nil GitHub or Store skips its checks
// with a warning.
type Deps struct {
	// GitHub creates app (JWT) and installation clients.
	GitHub githubapp.ClientCreator
	// PrivateKeyPath is the key file (CONVISO_GITHUB_PRIVATE_KEY_PATH);
	// empty when the key came inline, and its age is then unknown.
	PrivateKeyPath string
	// Store is the app's store and queue.
	Store StoreHealth
	// Scanners are the scanners in use.
	Scanners []Scanner
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// CheckTimeout bounds each check (DefaultCheckTimeout when zero).
	CheckTimeout time.Duration
}

// Thresholds.
const (
	// KeyRotationAge is the private key age past which rotation is due.
	KeyRotationAge = 180 * 24 * time.Hour
	// DeliveryWindow is how far back delivery failures are counted.
	DeliveryWindow = 24 * time.Hour
	// DeliveryWarnRate and DeliveryFailRate bound the failed share.
	DeliveryWarnRate = 0.05
	DeliveryFailRate = 0.25
	// StuckQueueAge is the oldest ready job age that signals a stuck queue.
	StuckQueueAge = 5 * time.Minute
	// DefaultCheckTimeout bounds one check.
	DefaultCheckTimeout = 20 * time.Second
)

// Run runs every check and returns the report; it never fails, a check
// that cannot run reports fail or warn itself.
func Run(ctx context.Context, d Deps) Report {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	timeout := d.CheckTimeout
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	checks := []func(context.Context, Deps, time.Time) Check{
		checkJWT, checkInstallations, checkKeyAge, checkDeliveries, checkStore, checkQueue, checkScanners,
	}
	at := now()
	r := Report{Status: Pass, CheckedAt: at.UTC()}
	for _, fn := range checks {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		c := fn(cctx, d, at)
		cancel()
		r.Checks = append(r.Checks, c)
		if c.Status.rank() > r.Status.rank() {
			r.Status = c.Status
		}
	}
	return r
}

// Failed reports whether any check failed.
func (r Report) Failed() bool { return r.Status == Fail }
