package upload

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// GitHubActionsIssuer is the issuer of GitHub.com's Actions OIDC tokens
// (https://docs.github.com/en/actions/reference/security/oidc). On GitHub
// Enterprise Server it is https://HOSTNAME/_services/token.
const GitHubActionsIssuer = "https://token.actions.githubusercontent.com"

// DefaultAudience is the audience a workflow requests for the app
// (core.getIDToken("conviso"), or &audience=conviso on the request URL).
const DefaultAudience = "conviso"

// OIDC client defaults (ours).
const (
	// DefaultKeyRefreshInterval is the least time between two fetches of the
	// issuer's keys caused by tokens naming an unknown key id, so that forged
	// tokens cannot make the app hammer the issuer.
	DefaultKeyRefreshInterval = time.Minute
	// keyMaxAge is how long fetched keys are used before a refresh is tried.
	keyMaxAge = time.Hour
	// discoveryRetry is how long a failed discovery is remembered.
	discoveryRetry = 10 * time.Second
	// oidcHTTPTimeout bounds each request to the issuer.
	oidcHTTPTimeout = 10 * time.Second
	// maxIssuerDocumentBytes bounds the discovery document and key set.
	maxIssuerDocumentBytes = 1 << 20
)

// ErrIssuerUnavailable is returned when the OIDC issuer's discovery document
// or keys cannot be fetched (the app answers 503).
var ErrIssuerUnavailable = errors.New("OIDC issuer unavailable")

// OIDCConfig configures an OIDCVerifier.
type OIDCConfig struct {
	// IssuerURL is the token issuer; GitHubActionsIssuer when empty. Its
	// keys are found through IssuerURL + "/.well-known/openid-configuration".
	IssuerURL string
	// Audience must be in the token's aud claim; DefaultAudience when empty.
	Audience string
	// HTTPClient fetches discovery and keys; one with a 10 s timeout when nil.
	HTTPClient *http.Client
	// KeyRefreshInterval: DefaultKeyRefreshInterval when 0.
	KeyRefreshInterval time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// ActionsClaims are the claims of a GitHub Actions OIDC token that the app
// checks or records (all are strings in GitHub's tokens).
type ActionsClaims struct {
	Subject         string `json:"sub"`
	Repository      string `json:"repository"`
	RepositoryID    string `json:"repository_id"`
	RepositoryOwner string `json:"repository_owner"`
	Ref             string `json:"ref"`
	SHA             string `json:"sha"`
	WorkflowRef     string `json:"workflow_ref"`
	Actor           string `json:"actor"`
	RunID           string `json:"run_id"`
	EventName       string `json:"event_name"`
}

// OIDCVerifier verifies GitHub Actions OIDC tokens. It discovers the issuer
// lazily, on the first token, and retries a failed discovery after 10 s. It
// is safe for concurrent use.
type OIDCVerifier struct {
	cfg OIDCConfig

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	failedAt time.Time
	failure  error
}

// NewOIDCVerifier returns a verifier for cfg; it makes no request yet.
func NewOIDCVerifier(cfg OIDCConfig) *OIDCVerifier {
	if cfg.IssuerURL == "" {
		cfg.IssuerURL = GitHubActionsIssuer
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: oidcHTTPTimeout}
	}
	if cfg.KeyRefreshInterval <= 0 {
		cfg.KeyRefreshInterval = DefaultKeyRefreshInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &OIDCVerifier{cfg: cfg}
}

// Verify checks raw's signature (RS256 only, with a key of the issuer),
// issuer, audience and expiry, and returns its claims. It does not check the
// repository: the caller compares ActionsClaims.Repository with its target.
// Errors wrap ErrIssuerUnavailable when the issuer cannot be reached.
func (v *OIDCVerifier) Verify(ctx context.Context, raw string) (ActionsClaims, error) {
	verifier, err := v.load(ctx)
	if err != nil {
		return ActionsClaims{}, err
	}
	// go-oidc formats the key set's errors with %v; a flag in the context
	// tells an unreachable issuer from a bad token.
	unavailable := new(bool)
	tok, err := verifier.Verify(context.WithValue(ctx, unavailableKey{}, unavailable), raw)
	if err != nil {
		if *unavailable {
			return ActionsClaims{}, fmt.Errorf("%w: %w", ErrIssuerUnavailable, err)
		}
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return ActionsClaims{}, fmt.Errorf("OIDC token expired at %s", expired.Expiry.UTC().Format(time.RFC3339))
		}
		return ActionsClaims{}, fmt.Errorf("invalid OIDC token: %w", err)
	}
	var c ActionsClaims
	if err := tok.Claims(&c); err != nil {
		return ActionsClaims{}, fmt.Errorf("invalid OIDC token: reading its claims: %w", err)
	}
	if c.Repository == "" {
		return ActionsClaims{}, errors.New("invalid OIDC token: no repository claim (not a GitHub Actions token)")
	}
	return c, nil
}

// load discovers the issuer once.
func (v *OIDCVerifier) load(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	if v.failure != nil && v.cfg.Now().Sub(v.failedAt) < discoveryRetry {
		return nil, v.failure
	}
	ctx, cancel := context.WithTimeout(ctx, oidcHTTPTimeout)
	defer cancel()
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, v.cfg.HTTPClient), v.cfg.IssuerURL)
	var doc struct {
		JWKSURL string `json:"jwks_uri"`
	}
	if err == nil {
		err = provider.Claims(&doc)
	}
	if err == nil && doc.JWKSURL == "" {
		err = errors.New("the discovery document has no jwks_uri")
	}
	if err != nil {
		v.failure = fmt.Errorf("%w: discovering %s: %w", ErrIssuerUnavailable, v.cfg.IssuerURL, err)
		v.failedAt = v.cfg.Now()
		return nil, v.failure
	}
	keys := &keySet{url: doc.JWKSURL, client: v.cfg.HTTPClient, now: v.cfg.Now, minRefresh: v.cfg.KeyRefreshInterval}
	v.verifier = oidc.NewVerifier(v.cfg.IssuerURL, keys, &oidc.Config{
		ClientID:             v.cfg.Audience,
		SupportedSigningAlgs: []string{oidc.RS256},
		Now:                  v.cfg.Now,
	})
	v.failure = nil
	return v.verifier, nil
}

// unavailableKey is the context key of the flag keySet raises when it cannot
// fetch any key.
type unavailableKey struct{}

// keySet is the issuer's signing keys, fetched from its jwks_uri, cached, and
// fetched again for an unknown key id at most once per minRefresh.
type keySet struct {
	url        string
	client     *http.Client
	now        func() time.Time
	minRefresh time.Duration

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	fetchedAt time.Time // last attempt, successful or not
}

// VerifySignature implements oidc.KeySet: it returns the payload of a JWS
// signed with RS256 by one of the issuer's keys, named by its kid.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, fmt.Errorf("malformed JWT: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("a JWT must have exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	if kid == "" {
		return nil, errors.New("the JWT header names no key (kid)")
	}
	key, err := k.key(ctx, kid)
	if err != nil {
		return nil, err
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, fmt.Errorf("bad signature: %w", err)
	}
	return payload, nil
}

// key returns the key named kid, refreshing the set when it is stale or
// lacks kid (no more often than minRefresh).
func (k *keySet) key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	age := k.now().Sub(k.fetchedAt)
	found := findKey(k.keys, kid)
	if (found == nil && (k.fetchedAt.IsZero() || age >= k.minRefresh)) || (found != nil && age >= keyMaxAge) {
		keys, err := k.fetch(ctx)
		k.fetchedAt = k.now()
		switch {
		case err == nil:
			k.keys = keys
			found = findKey(keys, kid)
		case len(k.keys) == 0:
			if flag, ok := ctx.Value(unavailableKey{}).(*bool); ok {
				*flag = true
			}
			return nil, fmt.Errorf("%w: %w", ErrIssuerUnavailable, err)
		}
	}
	if found == nil {
		return nil, fmt.Errorf("unknown signing key %q", kid)
	}
	return found, nil
}

func findKey(keys []jose.JSONWebKey, kid string) *jose.JSONWebKey {
	for i := range keys {
		if keys[i].KeyID == kid {
			return &keys[i]
		}
	}
	return nil
}

// fetch downloads the key set and keeps the RSA signing keys.
func (k *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, oidcHTTPTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching the issuer's keys: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the issuer's keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the issuer's keys: %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxIssuerDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the issuer's keys: %w", err)
	}
	if len(body) > maxIssuerDocumentBytes {
		return nil, fmt.Errorf("fetching the issuer's keys: larger than %d bytes", maxIssuerDocumentBytes)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decoding the issuer's keys: %w", err)
	}
	var keys []jose.JSONWebKey
	for _, key := range set.Keys {
		_, isRSA := key.Key.(*rsa.PublicKey)
		if isRSA && key.KeyID != "" && (key.Use == "" || key.Use == "sig") &&
			(key.Algorithm == "" || strings.EqualFold(key.Algorithm, string(jose.RS256))) {
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("the issuer publishes no RSA signing key")
	}
	return keys, nil
}
