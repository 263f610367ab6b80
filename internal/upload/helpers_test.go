package upload

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v4"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

const (
	testSHA   = "0123456789abcdef0123456789abcdef01234567"
	testOwner = "acme"
	testRepo  = "api"
	testKID   = "key-1"
)

// Test keys, generated once per test binary.
var (
	issuerKey = sync.OnceValue(func() *rsa.PrivateKey { return mustKey() })
	otherKey  = sync.OnceValue(func() *rsa.PrivateKey { return mustKey() })
)

func mustKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// fakeIssuer is an in-process OIDC issuer: discovery and JWKS over httptest.
type fakeIssuer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetches atomic.Int32
}

func newFakeIssuer(t *testing.T) *fakeIssuer {
	t.Helper()
	f := &fakeIssuer{keys: map[string]*rsa.PublicKey{testKID: &issuerKey().PublicKey}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.srv.URL, "jwks_uri": f.srv.URL + "/.well-known/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /.well-known/jwks", func(w http.ResponseWriter, _ *http.Request) {
		f.fetches.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		var set jose.JSONWebKeySet
		for kid, k := range f.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: "RS256", Use: "sig"})
		}
		_ = json.NewEncoder(w).Encode(set)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIssuer) publish(kid string, k *rsa.PublicKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[kid] = k
}

// claims are valid GitHub Actions claims for repo, issued now.
func (f *fakeIssuer) claims(repo string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": f.srv.URL, "aud": DefaultAudience, "sub": "repo:" + repo + ":ref:refs/heads/main",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"repository": repo, "repository_id": "1001", "repository_owner": "acme", "ref": "refs/heads/main",
		"sha": testSHA, "workflow_ref": repo + "/.github/workflows/scan.yml@refs/heads/main",
		"actor": "octocat", "run_id": "987654321", "event_name": "push",
	}
}

// sign signs claims with key under kid using method.
func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recordingSink moves accepted files to dir and records the uploads.
type recordingSink struct {
	dir     string
	mu      sync.Mutex
	uploads []Upload
	err     error                       // returned instead of accepting
	hook    func(context.Context) error // runs first when set
}

func (s *recordingSink) Accept(ctx context.Context, u Upload) error {
	if s.hook != nil {
		if err := s.hook(ctx); err != nil {
			return err
		}
	}
	if s.err != nil {
		return s.err
	}
	dst := filepath.Join(s.dir, u.ID+".sarif.json")
	if err := os.Rename(u.Path, dst); err != nil {
		return err
	}
	u.Path = dst
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads = append(s.uploads, u)
	return nil
}

func (s *recordingSink) all() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a handler wired to a bbolt store, a fake issuer and a recording sink.
type env struct {
	t       *testing.T
	spool   string
	tokens  *Tokens
	issuer  *fakeIssuer
	sink    *recordingSink
	logs    *syncBuffer
	handler http.Handler
	token   string // an API token for acme/api
}

func newEnv(t *testing.T, mods ...func(*Config)) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := &env{t: t, spool: filepath.Join(dir, "spool"), tokens: &Tokens{KV: st}, issuer: newFakeIssuer(t),
		sink: &recordingSink{dir: filepath.Join(dir, "accepted")}, logs: &syncBuffer{}}
	if err := os.MkdirAll(e.sink.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	e.token, _, err = e.tokens.Issue(context.Background(), testOwner, testRepo, "admin", "ci", 0)
	if err != nil {
		t.Fatal(err)
	}
	logger := zerolog.New(e.logs)
	cfg := Config{
		SpoolDir: e.spool, Sink: e.sink, Tokens: e.tokens, Logger: &logger,
		OIDC: NewOIDCVerifier(OIDCConfig{IssuerURL: e.issuer.srv.URL, HTTPClient: e.issuer.srv.Client()}),
	}
	for _, m := range mods {
		m(&cfg)
	}
	mux := http.NewServeMux()
	mux.Handle(Route, NewHandler(cfg))
	e.handler = mux
	return e
}

// request builds an upload to acme/api with sensible defaults.
func (e *env) request(body io.Reader, opts ...func(*http.Request)) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/repos/acme/api/sarif?commit_sha="+testSHA+"&ref=refs/heads/main", body)
	r.Header.Set("Content-Type", "application/sarif+json")
	r.Header.Set("Authorization", "Bearer "+e.token)
	for _, o := range opts {
		o(r)
	}
	return r
}

func (e *env) do(r *http.Request) (*httptest.ResponseRecorder, response) {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	var resp response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		e.t.Fatalf("answer is not JSON: %v: %q", err, w.Body.String())
	}
	return w, resp
}

// assertSpoolEmpty fails when a spooled file was left behind.
func (e *env) assertSpoolEmpty() {
	e.t.Helper()
	entries, err := os.ReadDir(e.spool)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		e.t.Fatal(err)
	}
	for _, de := range entries {
		e.t.Errorf("spool file left behind: %s", de.Name())
	}
}

// response is any answer of the endpoint.
type response struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
	Limit  int64  `json:"limit"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Offset *int64 `json:"offset"`
}

func header(k, v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set(k, v) } }

func query(q string) func(*http.Request) {
	return func(r *http.Request) { r.URL.RawQuery = q }
}

func path(p string) func(*http.Request) { return func(r *http.Request) { r.URL.Path = p } }

func bearer(tok string) func(*http.Request) { return header("Authorization", "Bearer "+tok) }

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// statusErr is a validator or sink error with a status and an optional limit.
type statusErr struct {
	status int
	limit  int64
	msg    string
}

func (e statusErr) Error() string   { return e.msg }
func (e statusErr) HTTPStatus() int { return e.status }
func (e statusErr) Limit() int64    { return e.limit }

func httptestRecorder(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func chtimes(t *testing.T, name string, when time.Time) {
	t.Helper()
	if err := os.Chtimes(name, when, when); err != nil {
		t.Fatal(err)
	}
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
