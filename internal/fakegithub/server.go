package fakegithub

import (
	"crypto/rsa"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a fake api.github.com for one test. Create it with New; it is
// closed, and its violations reported, when the test ends.
type Server struct {
	t      testing.TB
	http   *httptest.Server
	spec   *restSpec
	app    App
	key    *rsa.PrivateKey
	keyPEM []byte
	opts   options

	mu        sync.Mutex
	st        state
	inflight  int
	reqSeq    atomic.Int64
	deliverWG sync.WaitGroup
	holds     holds

	// vmu guards violations, which handlers add while holding mu.
	vmu        sync.Mutex
	violations []Violation
}

// App describes the GitHub App the fake authenticates.
type App struct {
	// ID is the app ID, the JWT issuer.
	ID int64
	// Slug is the app's URL name; its bot user is "<slug>[bot]".
	Slug string
	// Name is the app's display name.
	Name string
	// Owner is the login of the account owning the app.
	Owner string
	// ClientID is the app's OAuth client ID.
	ClientID string
}

type options struct {
	app           App
	keyPEM        []byte
	tokenLifetime time.Duration
	latency       time.Duration
	rateLimit     int
}

// Option configures New.
type Option func(*options)

// WithApp sets the app's identity (ID, slug, name, owner). Zero fields keep
// their defaults.
func WithApp(app App) Option {
	return func(o *options) {
		if app.ID != 0 {
			o.app.ID = app.ID
		}
		if app.Slug != "" {
			o.app.Slug = app.Slug
		}
		if app.Name != "" {
			o.app.Name = app.Name
		}
		if app.Owner != "" {
			o.app.Owner = app.Owner
		}
		if app.ClientID != "" {
			o.app.ClientID = app.ClientID
		}
	}
}

// WithPrivateKey makes the fake verify JWTs with this PEM RSA private key
// instead of a generated one.
func WithPrivateKey(pem []byte) Option { return func(o *options) { o.keyPEM = pem } }

// WithTokenLifetime sets how long installation tokens live (default
// InstallationTokenLifetime). A lifetime under a minute makes ghinstallation
// renew its token on every request.
func WithTokenLifetime(d time.Duration) Option { return func(o *options) { o.tokenLifetime = d } }

// WithLatency delays every API response by d, to make concurrency visible.
func WithLatency(d time.Duration) Option { return func(o *options) { o.latency = d } }

// WithRateLimit sets the primary rate limit per token per hour (default
// InstallationRateLimit); once spent, requests get GitHub's 403.
func WithRateLimit(perHour int) Option { return func(o *options) { o.rateLimit = perHour } }

// New starts a fake GitHub for t. It fails t at once if the embedded
// description cannot be loaded or the key cannot be parsed.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := options{
		app:           App{ID: 424242, Slug: "conviso", Name: "Conviso", Owner: "conviso", ClientID: "Iv1.fakegithub0000001"},
		tokenLifetime: InstallationTokenLifetime,
		rateLimit:     InstallationRateLimit,
	}
	for _, opt := range opts {
		opt(&o)
	}
	spec, err := loadREST()
	if err != nil {
		t.Fatalf("fakegithub: %v", err)
	}
	if err := checkRouteTable(spec); err != nil {
		t.Fatalf("fakegithub: %v", err)
	}
	key, keyPEM, err := appKey(o.keyPEM)
	if err != nil {
		t.Fatalf("fakegithub: %v", err)
	}
	s := &Server{t: t, spec: spec, app: o.app, key: key, keyPEM: keyPEM, opts: o}
	s.st.init()
	s.http = httptest.NewServer(s)
	t.Cleanup(s.close)
	return s
}

// close stops the server and reports the violations left.
func (s *Server) close() {
	s.deliverWG.Wait()
	s.http.Close()
	if v := s.Violations(); len(v) > 0 {
		lines := make([]string, len(v))
		for i, x := range v {
			lines[i] = "  - " + x.String()
		}
		s.t.Errorf("fakegithub: %d request(s) or response(s) broke GitHub's API description or limits:\n%s",
			len(v), strings.Join(lines, "\n"))
	}
}

// URL is the API base URL with a trailing slash, for go-github's BaseURL
// and ghinstallation's BaseURL.
func (s *Server) URL() string { return s.http.URL + "/" }

// apiBase is URL without the trailing slash, for building resource URLs.
func (s *Server) apiBase() string { return s.http.URL }

// App returns the app's identity.
func (s *Server) App() App { return s.app }

// AppID returns the app ID the fake expects as JWT issuer.
func (s *Server) AppID() int64 { return s.app.ID }

// PrivateKeyPEM returns the app's RSA private key in PEM, for the app's config.
func (s *Server) PrivateKeyPEM() []byte { return append([]byte(nil), s.keyPEM...) }

// Violation is one request or response that broke GitHub's description or
// documented limits.
type Violation struct {
	// Kind is "request", "response", "route" or "limit".
	Kind string
	// Method and Path are the request's.
	Method, Path string
	// Operation is "METHOD /template" when the route was found.
	Operation string
	// Message says what was wrong.
	Message string
}

// String formats the violation for a test failure.
func (v Violation) String() string {
	return fmt.Sprintf("[%s] %s %s: %s", v.Kind, v.Method, v.Path, v.Message)
}

// Violations returns the violations recorded so far.
func (s *Server) Violations() []Violation {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// TakeViolations returns the violations recorded so far and clears them, so
// a test that provokes violations on purpose can assert them and still pass.
func (s *Server) TakeViolations() []Violation {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	v := s.violations
	s.violations = nil
	return v
}

func (s *Server) addViolation(v Violation) {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	s.violations = append(s.violations, v)
}
