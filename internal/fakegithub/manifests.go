package fakegithub

import (
	"crypto/sha256"
	"encoding/hex"
)

// OpManifestConversion is GitHub's manifest-flow code exchange.
const OpManifestConversion = "POST /app-manifests/{code}/conversions"

// ManifestCode is the one code the fake converts (as GitHub's redirect to the
// manifest's redirect_url would carry); any other code gets GitHub's 404.
func (s *Server) ManifestCode() string { return "mc" + s.derive("code")[:20] }

// ManifestWebhookSecret is the webhook secret the conversion returns.
func (s *Server) ManifestWebhookSecret() string { return "whsec-" + s.derive("webhook")[:32] }

// ManifestClientSecret is the OAuth client secret the conversion returns.
func (s *Server) ManifestClientSecret() string { return s.derive("client")[:40] }

// derive is a value fixed per fake (per app key), so the fake needs no state.
func (s *Server) derive(purpose string) string {
	sum := sha256.Sum256(append([]byte(purpose+":"), s.keyPEM...))
	return hex.EncodeToString(sum[:])
}

// convertManifest serves POST /app-manifests/{code}/conversions: it returns
// the fake's own app with its private key, so the app can then sign JWTs the
// fake accepts.
func (c *call) convertManifest() reply {
	if c.params["code"] != c.s.ManifestCode() {
		return c.notFound()
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	app := c.s.appJSON()
	app["client_secret"] = c.s.ManifestClientSecret()
	app["webhook_secret"] = c.s.ManifestWebhookSecret()
	app["pem"] = string(c.s.keyPEM)
	return created(app)
}
