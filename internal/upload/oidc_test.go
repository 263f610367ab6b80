package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

func TestOIDCUploads(t *testing.T) {
	sarif := readFile(t, "testdata/minimal.sarif.json")
	cases := []struct {
		name   string
		mods   []func(*Config)
		token  func(e *env) string
		status int
		errSub string
	}{
		{name: "valid", status: 202, token: func(e *env) string {
			return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("acme/api", time.Now()))
		}},
		{name: "repository differs only in case", status: 202, token: func(e *env) string {
			return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("Acme/API", time.Now()))
		}},
		{name: "another repository", status: 403, errSub: `for repository "acme/web", not "acme/api"`, token: func(e *env) string {
			return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("acme/web", time.Now()))
		}},
		{name: "repository re-created under the same name", status: 403, errSub: "repository_id 1001 is not the id of acme/api (2002)",
			mods: []func(*Config){func(c *Config) {
				c.RepoExists = func(context.Context, string, string) (Repository, bool, error) {
					return Repository{ID: 2002}, true, nil
				}
			}},
			token: func(e *env) string {
				return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("acme/api", time.Now()))
			}},
		{name: "wrong audience", status: 401, errSub: "audience", token: func(e *env) string {
			c := e.issuer.claims("acme/api", time.Now())
			c["aud"] = "https://github.com/acme"
			return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, c)
		}},
		{name: "expired", status: 401, errSub: "expired", token: func(e *env) string {
			return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("acme/api", time.Now().Add(-time.Hour)))
		}},
		{name: "bad signature", status: 401, errSub: "bad signature", token: func(e *env) string {
			return sign(t, jwt.SigningMethodRS256, otherKey(), testKID, e.issuer.claims("acme/api", time.Now()))
		}},
		{name: "tampered payload", status: 401, errSub: "bad signature", token: func(e *env) string {
			good := sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("acme/api", time.Now()))
			forged := sign(t, jwt.SigningMethodRS256, otherKey(), testKID, e.issuer.claims("acme/api", time.Now().Add(time.Hour)))
			g, f := strings.Split(good, "."), strings.Split(forged, ".")
			return g[0] + "." + f[1] + "." + g[2]
		}},
		{name: "unknown kid", status: 401, errSub: `unknown signing key "key-9"`, token: func(e *env) string {
			return sign(t, jwt.SigningMethodRS256, otherKey(), "key-9", e.issuer.claims("acme/api", time.Now()))
		}},
		{name: "no kid", status: 401, errSub: "names no key", token: func(e *env) string {
			return sign(t, jwt.SigningMethodRS256, issuerKey(), "", e.issuer.claims("acme/api", time.Now()))
		}},
		{name: "alg none", status: 401, errSub: "unexpected signature algorithm", token: func(e *env) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, testKID, e.issuer.claims("acme/api", time.Now()))
		}},
		{name: "HS256 keyed with the public key", status: 401, errSub: "unexpected signature algorithm", token: func(e *env) string {
			pub := jwtPublicPEM(t)
			return sign(t, jwt.SigningMethodHS256, pub, testKID, e.issuer.claims("acme/api", time.Now()))
		}},
		{name: "another issuer", status: 401, errSub: "issued by a different provider", token: func(e *env) string {
			c := e.issuer.claims("acme/api", time.Now())
			c["iss"] = "https://token.actions.githubusercontent.com"
			return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, c)
		}},
		{name: "no repository claim", status: 401, errSub: "no repository claim", token: func(e *env) string {
			c := e.issuer.claims("acme/api", time.Now())
			delete(c, "repository")
			return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, c)
		}},
		{name: "not yet valid", status: 401, errSub: "nbf", token: func(e *env) string {
			c := e.issuer.claims("acme/api", time.Now())
			c["nbf"] = time.Now().Add(time.Hour).Unix()
			return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, c)
		}},
		{name: "garbage JWT", status: 401, errSub: "malformed", token: func(*env) string { return "a.b.c" }},
		{name: "OIDC disabled", status: 401, errSub: "OIDC tokens are not accepted",
			mods: []func(*Config){func(c *Config) { c.OIDC = nil }},
			token: func(e *env) string {
				return sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("acme/api", time.Now()))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.mods...)
			w, resp := e.do(e.request(bytes.NewReader(sarif), bearer(tc.token(e))))
			if w.Code != tc.status || !strings.Contains(resp.Error, tc.errSub) {
				t.Fatalf("status %d (want %d), error %q (want %q)", w.Code, tc.status, resp.Error, tc.errSub)
			}
			if tc.status == 401 && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", w.Header().Get("WWW-Authenticate"))
			}
			e.assertSpoolEmpty()
			if tc.status != 202 {
				return
			}
			p := e.sink.all()[0].Principal
			want := Principal{Kind: PrincipalOIDC, Subject: p.Subject, Repository: p.Repository, RepositoryID: "1001",
				Ref: "refs/heads/main", SHA: testSHA, WorkflowRef: p.Repository + "/.github/workflows/scan.yml@refs/heads/main",
				Actor: "octocat", RunID: "987654321", EventName: "push"}
			if p != want || !strings.EqualFold(p.Repository, "acme/api") {
				t.Errorf("principal %+v", p)
			}
		})
	}
}

// jwtPublicPEM is the issuer's public key as PEM bytes, the secret of an
// algorithm-confusion attack.
func jwtPublicPEM(t *testing.T) []byte {
	t.Helper()
	return []byte("-----BEGIN PUBLIC KEY-----\n" + issuerKey().PublicKey.N.Text(16) + "\n-----END PUBLIC KEY-----\n")
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestOIDCKeyRotationAndRefreshThrottle(t *testing.T) {
	iss := newFakeIssuer(t)
	clock := &fakeClock{now: time.Now()}
	v := NewOIDCVerifier(OIDCConfig{IssuerURL: iss.srv.URL, HTTPClient: iss.srv.Client(), Now: clock.Now})
	ctx := context.Background()
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, iss.claims("acme/api", clock.Now()))); err != nil {
		t.Fatal(err)
	}
	if n := iss.fetches.Load(); n != 1 {
		t.Fatalf("%d key fetches, want 1", n)
	}
	// Forged tokens naming unknown keys do not make the app fetch again.
	for range 20 {
		_, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, otherKey(), "forged", iss.claims("acme/api", clock.Now())))
		if err == nil || !strings.Contains(err.Error(), "unknown signing key") {
			t.Fatalf("error %v", err)
		}
	}
	if n := iss.fetches.Load(); n != 1 {
		t.Fatalf("%d key fetches after forged tokens, want 1", n)
	}
	// The issuer rotates to a new key; once the refresh interval passed it
	// is fetched.
	iss.publish("key-2", &otherKey().PublicKey)
	clock.Add(DefaultKeyRefreshInterval)
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, otherKey(), "key-2", iss.claims("acme/api", clock.Now()))); err != nil {
		t.Fatal(err)
	}
	if n := iss.fetches.Load(); n != 2 {
		t.Fatalf("%d key fetches, want 2", n)
	}
	// Cached keys are refreshed after keyMaxAge; a failed refresh keeps them.
	clock.Add(keyMaxAge)
	iss.srv.Close()
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, iss.claims("acme/api", clock.Now()))); err != nil {
		t.Fatalf("stale keys not kept when the issuer is down: %v", err)
	}
}

func TestOIDCIssuerUnavailable(t *testing.T) {
	iss := newFakeIssuer(t)
	claims := iss.claims("acme/api", time.Now())
	iss.srv.Close()
	e := newEnv(t, func(c *Config) {
		c.OIDC = NewOIDCVerifier(OIDCConfig{IssuerURL: iss.srv.URL, HTTPClient: iss.srv.Client()})
	})
	tok := sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, claims)
	for range 2 { // the second answer comes from the remembered failure
		w, resp := e.do(e.request(bytes.NewReader(readFile(t, "testdata/minimal.sarif.json")), bearer(tok)))
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(resp.Error, "issuer is unreachable") || w.Header().Get("Retry-After") == "" {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

func TestOIDCKeysUnavailable(t *testing.T) {
	// Discovery works but the key set answers 500.
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", 500) })
	srv = httptest.NewServer(mux)
	defer srv.Close()
	v := NewOIDCVerifier(OIDCConfig{IssuerURL: srv.URL, HTTPClient: srv.Client()})
	claims := jwt.MapClaims{"iss": srv.URL, "aud": DefaultAudience, "exp": time.Now().Add(time.Minute).Unix(), "repository": "acme/api"}
	_, err := v.Verify(context.Background(), sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, claims))
	if !errors.Is(err, ErrIssuerUnavailable) || !strings.Contains(err.Error(), "500") {
		t.Fatalf("error %v", err)
	}
}

func TestOIDCDefaults(t *testing.T) {
	v := NewOIDCVerifier(OIDCConfig{})
	if v.cfg.IssuerURL != GitHubActionsIssuer || v.cfg.Audience != DefaultAudience || v.cfg.HTTPClient == nil ||
		v.cfg.KeyRefreshInterval != DefaultKeyRefreshInterval {
		t.Errorf("defaults %+v", v.cfg)
	}
}
