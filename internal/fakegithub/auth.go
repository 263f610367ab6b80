package fakegithub

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// token is one installation access token.
type token struct {
	value     string
	inst      *Installation
	expiresAt time.Time
	revoked   bool
	// repos restricts the token to these repositories ("owner/name",
	// lower case) when the token request named some.
	repos map[string]bool
}

var (
	keyOnce sync.Once
	keyVal  *rsa.PrivateKey
	keyErr  error
)

// appKey parses pemKey, or returns a key generated once per process (RSA
// key generation is slow under -race).
func appKey(pemKey []byte) (*rsa.PrivateKey, []byte, error) {
	if pemKey != nil {
		k, err := jwt.ParseRSAPrivateKeyFromPEM(pemKey)
		if err != nil {
			return nil, nil, fmt.Errorf("parse app private key: %w", err)
		}
		return k, pemKey, nil
	}
	keyOnce.Do(func() { keyVal, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if keyErr != nil {
		return nil, nil, fmt.Errorf("generate app private key: %w", keyErr)
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(keyVal)}
	return keyVal, pem.EncodeToMemory(block), nil
}

// credentials splits the Authorization header into scheme and value.
func credentials(r *http.Request) (scheme, value string) {
	scheme, value, _ = strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.ToLower(scheme), strings.TrimSpace(value)
}

// authorize checks the request's credentials for the route.
func (c *call) authorize(rt route) (reply, bool) {
	switch rt.auth {
	case authNone:
		return reply{}, false
	case authJWT:
		return c.authorizeJWT()
	}
	return c.authorizeToken()
}

func (c *call) authorizeJWT() (reply, bool) {
	scheme, value := credentials(c.r)
	if scheme != "bearer" {
		return errorReply(http.StatusUnauthorized, "A JSON web token could not be decoded", docsURL(c.route.Operation)), true
	}
	if err := c.s.verifyJWT(value); err != nil {
		return errorReply(http.StatusUnauthorized, err.Error(), docsURL(c.route.Operation)), true
	}
	c.auth = "jwt"
	return reply{}, false
}

// verifyJWT checks an app JWT as GitHub does: RS256 signed by the app's
// key, iss the app ID, iat not in the future, exp at most 10 minutes ahead.
func (s *Server) verifyJWT(raw string) error {
	claims := &jwt.RegisteredClaims{}
	keyFn := func(*jwt.Token) (any, error) { return &s.key.PublicKey, nil }
	if _, err := jwt.ParseWithClaims(raw, claims, keyFn, jwt.WithValidMethods([]string{"RS256"})); err != nil {
		//lint:ignore ST1005 GitHub's own message, echoed as GitHub words it
		return fmt.Errorf("A JSON web token could not be decoded: %w", err)
	}
	now := time.Now()
	switch {
	case claims.Issuer != strconv.FormatInt(s.app.ID, 10) && claims.Issuer != s.app.ClientID:
		return fmt.Errorf("'Issuer' claim ('iss') must be an Integer (or the app's client ID), got %q", claims.Issuer)
	case claims.IssuedAt == nil || claims.IssuedAt.After(now.Add(JWTClockDrift)):
		return fmt.Errorf("'Issued at' claim ('iat') must be an Integer representing a time in the past")
	case claims.ExpiresAt == nil || claims.ExpiresAt.After(now.Add(MaxJWTLifetime+JWTClockDrift)):
		return fmt.Errorf("'Expiration time' claim ('exp') is too far in the future")
	}
	return nil
}

func (c *call) authorizeToken() (reply, bool) {
	_, value := credentials(c.r)
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.st.tokens[value]
	if tok == nil || tok.revoked || time.Now().After(tok.expiresAt) {
		return errorReply(http.StatusUnauthorized, "Bad credentials", docsURL(c.route.Operation)), true
	}
	if tok.inst.suspended {
		return errorReply(http.StatusForbidden, "This installation has been suspended", docsURL(c.route.Operation)), true
	}
	c.auth, c.tok, c.inst = "token", tok, tok.inst
	if owner, ok := c.params["owner"]; ok {
		return c.bindRepo(owner, c.params["repo"])
	}
	if org, ok := c.params["org"]; ok && !strings.EqualFold(org, tok.inst.Account) {
		return errorReply(http.StatusForbidden, "Resource not accessible by integration", docsURL(c.route.Operation)), true
	}
	return reply{}, false
}

// bindRepo resolves {owner}/{repo}; a repository the token cannot see is
// a 404, as on GitHub. Callers hold s.mu.
func (c *call) bindRepo(owner, name string) (reply, bool) {
	repo := c.s.st.repos[repoKey(owner, name)]
	if repo == nil || repo.deleted || !c.tok.canSee(repo) {
		return c.notFound(), true
	}
	c.repo = repo
	return reply{}, false
}

// canSee reports whether the token covers repo.
func (t *token) canSee(repo *Repo) bool {
	if repo.installationID != t.inst.ID {
		return false
	}
	return t.repos == nil || t.repos[repoKey(repo.owner, repo.name)]
}

// newTokenValue returns a token shaped like GitHub's: "ghs_" and 36
// alphanumerics.
func newTokenValue() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 36)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(fmt.Sprintf("fakegithub: crypto/rand: %v", err))
		}
		b[i] = alphabet[n.Int64()]
	}
	return "ghs_" + string(b)
}

// ExpireTokens revokes every live token of the installation, so the app's
// next request with one gets 401 and must fetch a new token.
func (s *Server) ExpireTokens(installationID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.st.tokens {
		if t.inst.ID == installationID {
			t.revoked = true
		}
	}
}

// TokensIssued counts the access tokens issued for the installation.
func (s *Server) TokensIssued(installationID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.st.tokens {
		if t.inst.ID == installationID {
			n++
		}
	}
	return n
}

// InstallationToken issues a token directly, for tests that need one
// without going through the app.
func (s *Server) InstallationToken(installationID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.st.installations[installationID]
	if inst == nil {
		s.t.Fatalf("fakegithub: no installation %d", installationID)
	}
	return s.issueToken(inst, nil).value
}

// issueToken creates a token. Callers hold s.mu.
func (s *Server) issueToken(inst *Installation, repos map[string]bool) *token {
	t := &token{value: newTokenValue(), inst: inst, expiresAt: time.Now().Add(s.opts.tokenLifetime), repos: repos}
	s.st.tokens[t.value] = t
	return t
}
