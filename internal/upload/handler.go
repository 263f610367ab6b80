package upload

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Route is the pattern to register NewHandler's handler under (Go 1.22
// http.ServeMux syntax); the handler reads the owner and repo path values.
const Route = "POST /api/v1/repos/{owner}/{repo}/sarif"

// Size limits of an upload.
const (
	// DefaultMaxBodyBytes bounds the request body as sent (compressed or
	// not), like GitHub code scanning: "For each gzip-compressed SARIF file,
	// SARIF upload supports a maximum size of 10 MB"
	// (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/uploading-a-sarif-file-to-github#uploading-a-code-scanning-analysis-with-github-actions).
	DefaultMaxBodyBytes int64 = 10 << 20
	// DefaultMaxDecompressedBytes bounds the SARIF log once decompressed,
	// against gzip bombs. Ours: GitHub documents no decompressed limit; 100
	// MB is 10 times the compressed one, which typical SARIF reaches.
	DefaultMaxDecompressedBytes int64 = 100 << 20
	// DefaultMaxConcurrent bounds the uploads spooled at once, so the spool
	// directory holds at most DefaultMaxConcurrent × MaxDecompressedBytes.
	DefaultMaxConcurrent = 4
)

// Timeouts and retry hints (ours).
const (
	// acceptTimeout bounds Sink.Accept; it runs even when the client has
	// gone, so that an upload is never left half-queued.
	acceptTimeout = 30 * time.Second
	// retryAfterSeconds is the Retry-After of 503 answers.
	retryAfterSeconds = 10
)

// Repository is a repository the app serves, as Config.RepoExists reports it.
type Repository struct {
	// Owner and Name are the canonical spelling (GitHub's names are
	// case-insensitive); the path's spelling when empty.
	Owner, Name string
	// ID is GitHub's repository id; 0 when unknown.
	ID int64
}

// Upload is a validated SARIF log handed to a Sink.
type Upload struct {
	// ID identifies the upload (32 hex digits); the client gets it back.
	ID string `json:"id"`
	// Owner, Repo and RepoID name the repository (RepoID 0 when unknown).
	Owner  string `json:"owner"`
	Repo   string `json:"repo"`
	RepoID int64  `json:"repo_id,omitempty"`
	// CommitSHA (40 lower-case hex digits), Ref and Category are the query
	// parameters.
	CommitSHA string `json:"commit_sha"`
	Ref       string `json:"ref"`
	Category  string `json:"category"`
	// Path is the spooled, decompressed, validated SARIF log. The file is
	// synced and closed; the Sink owns it once Accept returns nil.
	Path string `json:"path"`
	// Size is its size in bytes and SHA256 its hex digest.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Principal is who uploaded it.
	Principal Principal `json:"principal"`
	// ReceivedAt is when the request arrived.
	ReceivedAt time.Time `json:"received_at"`
}

// Sink takes validated uploads. Accept must either take ownership of
// u.Path (move it, typically with os.Rename to a directory on the same file
// system as Config.SpoolDir, and queue the work) and return nil, or return
// an error and keep nothing: the handler then deletes u.Path. An error
// implementing StatusCoder chooses the status; others answer 503.
type Sink interface {
	Accept(ctx context.Context, u Upload) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, u Upload) error

// Accept calls f.
func (f SinkFunc) Accept(ctx context.Context, u Upload) error { return f(ctx, u) }

// Config configures NewHandler. SpoolDir, Sink and at least one of Tokens
// and OIDC are required.
type Config struct {
	// SpoolDir holds uploads while they are received and validated; it is
	// created (0700) when missing. See RemoveStaleSpool.
	SpoolDir string
	// Sink takes validated uploads.
	Sink Sink
	// Validate checks the decompressed SARIF log (ValidateJSON when nil).
	// Its error message is returned to the client: 400 by default, or the
	// status of a StatusCoder (e.g. 413 or 422), with "limit" from a
	// LimitReporter and line/column from *json.SyntaxError,
	// *json.UnmarshalTypeError or an OffsetReporter.
	Validate func(ctx context.Context, r io.Reader) error
	// RepoExists, when set, is asked after authentication; ok false answers
	// 404. A non-zero Repository.ID is compared with an OIDC token's
	// repository_id claim.
	RepoExists func(ctx context.Context, owner, repo string) (r Repository, ok bool, err error)
	// Tokens verifies repository-scoped API tokens (nil: not accepted).
	Tokens *Tokens
	// OIDC verifies GitHub Actions OIDC tokens (nil: not accepted).
	OIDC *OIDCVerifier
	// MaxBodyBytes: DefaultMaxBodyBytes when 0.
	MaxBodyBytes int64
	// MaxDecompressedBytes: DefaultMaxDecompressedBytes when 0.
	MaxDecompressedBytes int64
	// MaxConcurrent: DefaultMaxConcurrent when 0.
	MaxConcurrent int
	// Logger receives the audit log; the request context's logger
	// (zerolog.Ctx, set by hlog.NewHandler) when nil.
	Logger *zerolog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

type handler struct {
	cfg Config
	sem chan struct{}
}

// NewHandler returns the upload endpoint. It panics when cfg lacks SpoolDir,
// Sink, or both Tokens and OIDC: a wiring mistake, found at start-up.
func NewHandler(cfg Config) http.Handler {
	switch {
	case cfg.SpoolDir == "":
		panic("upload: Config.SpoolDir is required")
	case cfg.Sink == nil:
		panic("upload: Config.Sink is required")
	case cfg.Tokens == nil && cfg.OIDC == nil:
		panic("upload: Config.Tokens or Config.OIDC is required, or no upload can be authenticated")
	}
	if cfg.Validate == nil {
		cfg.Validate = ValidateJSON
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxDecompressedBytes <= 0 {
		cfg.MaxDecompressedBytes = DefaultMaxDecompressedBytes
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &handler{cfg: cfg, sem: make(chan struct{}, cfg.MaxConcurrent)}
}

// ServeHTTP handles one upload and writes its audit log line.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	logger := h.cfg.Logger
	if logger == nil {
		logger = zerolog.Ctx(r.Context())
	}
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	up, aerr := h.serve(w, r, owner, repo)
	if aerr != nil {
		ev := logger.Warn()
		if aerr.status >= 500 {
			ev = logger.Error()
		}
		ev = ev.Str("owner", owner).Str("repo", repo)
		for _, f := range [...]struct{ k, v string }{{"upload_id", up.ID}, {"commit_sha", up.CommitSHA}, {"ref", up.Ref}, {"category", up.Category}} {
			if f.v != "" {
				ev = ev.Str(f.k, f.v)
			}
		}
		ev.Object("principal", up.Principal).Int("status", aerr.status).Str("reason", aerr.msg).
			AnErr("cause", aerr.cause).Msg("Rejected SARIF upload")
		aerr.write(w)
		return
	}
	logger.Info().Str("upload_id", up.ID).Str("owner", up.Owner).Str("repo", up.Repo).Int64("repo_id", up.RepoID).
		Str("commit_sha", up.CommitSHA).Str("ref", up.Ref).Str("category", up.Category).Int64("size", up.Size).
		Str("sha256", up.SHA256).Object("principal", up.Principal).Msg("Accepted SARIF upload")
	writeJSON(w, http.StatusAccepted, map[string]string{"id": up.ID, "status": "queued"})
}

// serve runs the checks in order: 404 (impossible names), 401, 403, 404,
// 400 (parameters), 415, 413,
// 400/422 (body), then hands the upload to the sink. The returned Upload
// carries the principal even on error, for the log.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, owner, repo string) (Upload, *apiError) {
	ctx := r.Context()
	up := Upload{Owner: owner, Repo: repo, ReceivedAt: h.cfg.Now().UTC()}
	if owner == "" || repo == "" {
		return up, newError(http.StatusInternalServerError, "the upload route must be registered as %q", Route)
	}
	if !validName(owner) || !validName(repo) { // like an unknown route: no such repository can exist
		return up, newError(http.StatusNotFound, "no repository %s/%s: not a valid GitHub repository name", owner, repo)
	}
	var aerr *apiError
	if up.Principal, aerr = h.authenticate(ctx, r, owner, repo); aerr != nil {
		return up, aerr
	}
	if aerr := h.lookup(ctx, &up); aerr != nil {
		return up, aerr
	}
	p, aerr := parseParams(r.URL.Query())
	if aerr != nil {
		return up, aerr
	}
	up.CommitSHA, up.Ref, up.Category = p.sha, p.ref, p.category
	gzipDeclared, aerr := checkEncoding(r.Header)
	if aerr != nil {
		return up, aerr
	}
	if r.ContentLength > h.cfg.MaxBodyBytes {
		return up, newError(http.StatusRequestEntityTooLarge,
			"request body larger than %d bytes; compress the SARIF log with gzip (Content-Encoding: gzip) or upload fewer results",
			h.cfg.MaxBodyBytes).withLimit(h.cfg.MaxBodyBytes)
	}
	select {
	case h.sem <- struct{}{}:
		defer func() { <-h.sem }()
	default:
		return up, newError(http.StatusServiceUnavailable, "too many uploads in progress; retry later").withRetry(retryAfterSeconds)
	}
	return h.receive(w, r, up, gzipDeclared)
}

// lookup asks RepoExists about the repository (404 when it is not served)
// and checks an OIDC token's repository_id against it.
func (h *handler) lookup(ctx context.Context, up *Upload) *apiError {
	if h.cfg.RepoExists == nil {
		return nil
	}
	repo, ok, err := h.cfg.RepoExists(ctx, up.Owner, up.Repo)
	switch {
	case err != nil:
		return newError(http.StatusServiceUnavailable, "cannot look up the repository right now; retry later").
			withRetry(retryAfterSeconds).withCause(err)
	case !ok:
		return newError(http.StatusNotFound, "no repository %s/%s is served by this app (is the app installed on it?)", up.Owner, up.Repo)
	}
	if repo.Owner == "" || repo.Name == "" {
		repo.Owner, repo.Name = up.Owner, up.Repo
	}
	if aerr := checkRepositoryID(up.Principal, repo); aerr != nil {
		return aerr
	}
	up.Owner, up.Repo, up.RepoID = repo.Owner, repo.Name, repo.ID
	return nil
}

// receive spools and validates the body, then hands it to the sink; the
// spooled file is removed on every error before Accept succeeds.
func (h *handler) receive(w http.ResponseWriter, r *http.Request, up Upload, gzipDeclared bool) (_ Upload, aerr *apiError) {
	ctx := r.Context()
	id, err := newUploadID()
	if err != nil {
		return up, newError(http.StatusInternalServerError, "cannot create an upload id").withCause(err)
	}
	up.ID = id
	sp, aerr := spool(w, r, h.cfg.SpoolDir, gzipDeclared, h.cfg.MaxBodyBytes, h.cfg.MaxDecompressedBytes)
	if aerr != nil {
		return up, aerr
	}
	up.Path, up.Size, up.SHA256 = sp.path, sp.size, sp.sha256
	defer func() {
		if aerr != nil {
			if err := os.Remove(sp.path); err != nil && !errors.Is(err, fs.ErrNotExist) && aerr.cause == nil {
				aerr.cause = fmt.Errorf("removing the spool file: %w", err)
			}
		}
	}()
	if aerr := h.validate(ctx, sp); aerr != nil {
		return up, aerr
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), acceptTimeout)
	defer cancel()
	if err := h.cfg.Sink.Accept(actx, up); err != nil {
		status, ok := statusOf(err)
		if !ok {
			return up, newError(http.StatusServiceUnavailable, "cannot queue the upload right now; retry later").
				withRetry(retryAfterSeconds).withCause(err)
		}
		return up, newError(status, "%v", err).withLimit(limitOf(err)).withCause(err)
	}
	return up, nil
}

// validate runs Config.Validate on the spooled file.
func (h *handler) validate(ctx context.Context, sp spooled) *apiError {
	f, err := os.Open(sp.path)
	if err != nil {
		return newError(http.StatusServiceUnavailable, "cannot read the upload back; retry later").
			withRetry(retryAfterSeconds).withCause(fmt.Errorf("opening the spool file: %w", err))
	}
	defer f.Close()
	verr := h.cfg.Validate(ctx, f)
	if verr == nil {
		return nil
	}
	status, ok := statusOf(verr)
	if !ok {
		status = http.StatusBadRequest
	}
	aerr := newError(status, "%v", verr).withLimit(limitOf(verr))
	if status >= 500 {
		aerr = newError(status, "cannot validate the upload right now; retry later").withRetry(retryAfterSeconds).withCause(verr)
	}
	if off := jsonOffset(verr); off >= 0 && status < 500 {
		aerr.offset = off
		if line, col, err := position(sp.path, off); err == nil {
			aerr.line, aerr.col = line, col
			if !strings.Contains(aerr.msg, "line ") {
				aerr.msg = fmt.Sprintf("%s (line %d, column %d)", aerr.msg, line, col)
			}
		}
	}
	return aerr
}

// newUploadID returns 16 random bytes in hex.
func newUploadID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}
