package setup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/config"
)

// stateLifetime is how long a registration started from the form may take.
const stateLifetime = time.Hour

var orgRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}$`)

// Options configure a setup Server.
type Options struct {
	// Setup are the loaded settings (addresses, URLs, data directory).
	Setup *config.Setup
	// Manifest is the app manifest in YAML (app.yml).
	Manifest []byte
	// HTTPClient calls GitHub's API; nil for a client with a timeout.
	HTTPClient *http.Client
	// Log receives the server's logs; nil for none.
	Log io.Writer
	// PrintCredentials, when set, receives the stored credentials as
	// environment assignments for a secret manager (explicit opt-in).
	PrintCredentials io.Writer
}

// Server is the self-registration server.
type Server struct {
	opts   Options
	log    zerolog.Logger
	mu     sync.Mutex
	states map[string]time.Time
	done   chan struct{}
	once   sync.Once
}

// New checks the manifest and builds the server.
func New(opts Options) (*Server, error) {
	if opts.Setup == nil {
		return nil, errors.New("setup: no settings")
	}
	if _, err := manifestJSON(opts.Manifest, "http://localhost"); err != nil {
		return nil, err
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	log := zerolog.Nop()
	if opts.Log != nil {
		log = zerolog.New(opts.Log).With().Timestamp().Logger()
	}
	return &Server{opts: opts, log: log, states: map[string]time.Time{}, done: make(chan struct{})}, nil
}

// Done is closed once the credentials are stored.
func (s *Server) Done() <-chan struct{} { return s.done }

// Handler serves the form (/) and GitHub's redirect (CallbackPath).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.form)
	mux.HandleFunc("GET "+CallbackPath, s.callback)
	return mux
}

// Serve serves on ln until the credentials are stored (nil) or ctx ends
// (ctx's error); it lets the last page finish before returning.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.log.Info().Str("addr", ln.Addr().String()).
		Msg("No GitHub App credentials: open this server's / in a browser to register the app")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var result error
	select {
	case <-s.done:
	case <-ctx.Done():
		result = ctx.Err()
	case err := <-errc:
		return fmt.Errorf("setup server: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("setup server shutdown: %w", err)
	}
	return result
}

// ListenAndServe listens on the configured address and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.opts.Setup.Addr)
	if err != nil {
		return &config.Error{Setting: "CONVISO_ADDR", Problem: fmt.Sprintf("cannot listen on %s: %v", s.opts.Setup.Addr, err)}
	}
	return s.Serve(ctx, ln)
}

// form serves the page that posts the manifest to GitHub.
func (s *Server) form(w http.ResponseWriter, r *http.Request) {
	target := "settings/apps/new"
	if org := r.URL.Query().Get("org"); org != "" {
		if !orgRE.MatchString(org) {
			render(w, http.StatusBadRequest, "error", "The org parameter is not a GitHub organization name.")
			return
		}
		target = "organizations/" + org + "/settings/apps/new"
	}
	manifest, err := manifestJSON(s.opts.Manifest, s.publicURL(r))
	if err != nil {
		render(w, http.StatusInternalServerError, "error", err.Error())
		return
	}
	state, err := s.newState()
	if err != nil {
		render(w, http.StatusInternalServerError, "error", err.Error())
		return
	}
	action := s.opts.Setup.GitHubWebURL + target + "?state=" + url.QueryEscape(state)
	render(w, http.StatusOK, "form", map[string]any{"Action": action, "Manifest": string(manifest)})
}

// publicURL is CONVISO_PUBLIC_URL, or this request's origin when unset.
func (s *Server) publicURL(r *http.Request) string {
	if s.opts.Setup.PublicURL != "" {
		return s.opts.Setup.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) newState() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating the state: %w", err)
	}
	state := hex.EncodeToString(b)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, exp := range s.states {
		if now.After(exp) {
			delete(s.states, k)
		}
	}
	s.states[state] = now.Add(stateLifetime)
	return state, nil
}

// takeState reports whether state was issued and is live, and forgets it.
func (s *Server) takeState(state string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.states[state]
	delete(s.states, state)
	return ok && time.Now().Before(exp)
}

// callback exchanges GitHub's code for the credentials and stores them.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("state") == "" || !s.takeState(q.Get("state")) {
		s.log.Warn().Msg("Setup callback refused: unknown or expired state")
		render(w, http.StatusBadRequest, "error", "Unknown or expired state: start the registration from this server's page.")
		return
	}
	if q.Get("code") == "" {
		render(w, http.StatusBadRequest, "error", "GitHub's redirect carries no code.")
		return
	}
	creds, err := convert(r.Context(), s.opts.HTTPClient, s.opts.Setup.GitHubAPIURL, q.Get("code"))
	if err != nil {
		s.log.Error().Err(err).Msg("Registering the GitHub App failed")
		render(w, http.StatusBadGateway, "error", err.Error())
		return
	}
	path, err := config.WriteCredentials(s.opts.Setup.DataDir, creds)
	if err != nil {
		s.log.Error().Err(err).Msg("Storing the GitHub App credentials failed")
		render(w, http.StatusInternalServerError, "error", "Storing the credentials failed: "+err.Error())
		return
	}
	s.log.Info().Int64("app_id", creds.ID).Str("slug", creds.Slug).Str("file", path).
		Msg("GitHub App registered; credentials stored")
	if s.opts.PrintCredentials != nil {
		printCredentials(s.opts.PrintCredentials, creds)
	}
	render(w, http.StatusOK, "done", map[string]any{"Slug": creds.Slug, "Path": path})
	s.once.Do(func() { close(s.done) })
}

// printCredentials writes the credentials as environment assignments (the
// private key with its newlines written \n, as CONVISO_GITHUB_PRIVATE_KEY
// accepts).
func printCredentials(w io.Writer, c config.Credentials) {
	fmt.Fprintf(w, "CONVISO_GITHUB_APP_ID=%s\nCONVISO_GITHUB_WEBHOOK_SECRET=%s\nCONVISO_GITHUB_PRIVATE_KEY=%s\n",
		strconv.FormatInt(c.ID, 10), c.WebhookSecret, strings.ReplaceAll(strings.TrimSpace(c.PEM), "\n", `\n`))
	fmt.Fprintf(w, "# OAuth client (not used by conviso-app): client_id=%s client_secret=%s\n", c.ClientID, c.ClientSecret)
}
