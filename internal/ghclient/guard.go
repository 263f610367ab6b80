package ghclient

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// guard remembers, per credential and rate-limit resource, the windows whose
// x-ratelimit-remaining fell below a threshold, so that further requests on
// them can pause until the window resets instead of spending its last
// units (or being refused). It is safe for concurrent use.
//
// Credentials are told apart by a truncated SHA-256 of the Authorization
// header; neither the header nor the hash is logged. Entries exist only
// while a window is low and are dropped once it has reset, so the map stays
// as small as the number of nearly exhausted credentials.
type guard struct {
	threshold int

	mu    sync.Mutex
	until map[guardKey]time.Time
}

// guardKey identifies one rate-limit window.
type guardKey struct {
	credential string
	resource   string
}

// newGuard returns a guard pausing below threshold, or nil (a disabled
// guard) when threshold is not positive.
func newGuard(threshold int) *guard {
	if threshold <= 0 {
		return nil
	}
	return &guard{threshold: threshold, until: make(map[guardKey]time.Time)}
}

// credentialKey fingerprints the request's Authorization header. Requests
// without one share the empty key, as GitHub counts them per IP address.
func credentialKey(req *http.Request) string {
	auth := req.Header.Get("Authorization")
	if auth == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(auth))
	return hex.EncodeToString(sum[:12])
}

// observe records the rate-limit headers of resp, the answer to req.
func (g *guard) observe(req *http.Request, resp *http.Response, now time.Time) {
	if g == nil {
		return
	}
	remaining, ok := parseRemaining(resp.Header)
	if !ok {
		return
	}
	key := guardKey{credential: credentialKey(req), resource: resourceForResponse(req, resp)}
	reset, hasReset := parseReset(resp.Header)

	g.mu.Lock()
	defer g.mu.Unlock()
	if remaining >= g.threshold || !hasReset || !reset.After(now) {
		delete(g.until, key)
		return
	}
	g.pruneLocked(now)
	g.until[key] = reset
}

// wait returns how long req should pause before being sent: until the
// reset of its window if that window is low, else zero.
func (g *guard) wait(req *http.Request, now time.Time) time.Duration {
	if g == nil {
		return 0
	}
	key := guardKey{credential: credentialKey(req), resource: resourceForRequest(req)}

	g.mu.Lock()
	defer g.mu.Unlock()
	reset, ok := g.until[key]
	if !ok {
		return 0
	}
	if !reset.After(now) {
		delete(g.until, key)
		return 0
	}
	return untilReset(reset, now)
}

// pruneLocked drops windows that have reset. g.mu must be held.
func (g *guard) pruneLocked(now time.Time) {
	for key, reset := range g.until {
		if !reset.After(now) {
			delete(g.until, key)
		}
	}
}

// size returns the number of low windows remembered (for tests).
func (g *guard) size() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.until)
}
