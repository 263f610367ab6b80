package upload

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
)

// Kinds of Principal.
const (
	PrincipalOIDC     = "github-actions-oidc"
	PrincipalAPIToken = "api-token"
)

// Principal is who uploaded, for the audit log. It never holds a token.
type Principal struct {
	// Kind is PrincipalOIDC or PrincipalAPIToken.
	Kind string `json:"kind"`

	// TokenID and IssuedBy describe an API token.
	TokenID  string `json:"token_id,omitempty"`
	IssuedBy string `json:"issued_by,omitempty"`

	// The claims of a GitHub Actions OIDC token.
	Subject      string `json:"sub,omitempty"`
	Repository   string `json:"repository,omitempty"`
	RepositoryID string `json:"repository_id,omitempty"`
	Ref          string `json:"ref,omitempty"`
	SHA          string `json:"sha,omitempty"`
	WorkflowRef  string `json:"workflow_ref,omitempty"`
	Actor        string `json:"actor,omitempty"`
	RunID        string `json:"run_id,omitempty"`
	EventName    string `json:"event_name,omitempty"`
}

// MarshalZerologObject writes the principal's non-empty fields to a log event.
func (p Principal) MarshalZerologObject(e *zerolog.Event) {
	for _, f := range [...]struct{ k, v string }{
		{"kind", p.Kind}, {"token_id", p.TokenID}, {"issued_by", p.IssuedBy}, {"sub", p.Subject},
		{"repository", p.Repository}, {"repository_id", p.RepositoryID}, {"ref", p.Ref}, {"sha", p.SHA},
		{"workflow_ref", p.WorkflowRef}, {"actor", p.Actor}, {"run_id", p.RunID}, {"event_name", p.EventName},
	} {
		if f.v != "" {
			e.Str(f.k, f.v)
		}
	}
}

// bearerToken extracts the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, *apiError) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return "", unauthorized("", "authentication required: send Authorization: Bearer <GitHub Actions OIDC token or %s API token>", TokenPrefix)
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	token = strings.TrimSpace(token)
	if len(values) > 1 || !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", unauthorized("invalid_request", "malformed Authorization header: expected one \"Bearer <token>\"")
	}
	return token, nil
}

// authenticate verifies the bearer token for an upload to owner/repo: 401
// when it is not valid, 403 when it is valid for another repository.
func (h *handler) authenticate(ctx context.Context, r *http.Request, owner, repo string) (Principal, *apiError) {
	token, aerr := bearerToken(r)
	if aerr != nil {
		return Principal{}, aerr
	}
	switch {
	case strings.HasPrefix(token, TokenPrefix):
		if h.cfg.Tokens == nil {
			return Principal{}, unauthorized("invalid_token", "API tokens are not accepted by this server")
		}
		return h.apiToken(ctx, token, owner, repo)
	case strings.Count(token, ".") == 2:
		if h.cfg.OIDC == nil {
			return Principal{}, unauthorized("invalid_token", "OIDC tokens are not accepted by this server")
		}
		return h.oidcToken(ctx, token, owner, repo)
	default:
		return Principal{}, unauthorized("invalid_token", "unrecognised bearer token: expected a GitHub Actions OIDC token (a JWT) or a %s API token", TokenPrefix)
	}
}

func (h *handler) apiToken(ctx context.Context, token, owner, repo string) (Principal, *apiError) {
	meta, err := h.cfg.Tokens.Verify(ctx, token, owner, repo)
	switch {
	case errors.Is(err, ErrInvalidToken), errors.Is(err, ErrTokenExpired):
		return Principal{}, unauthorized("invalid_token", "%v", err)
	case errors.Is(err, ErrTokenScope):
		return Principal{}, newError(http.StatusForbidden, "%v", err)
	case err != nil:
		return Principal{}, newError(http.StatusServiceUnavailable, "cannot check the API token right now; retry later").
			withRetry(retryAfterSeconds).withCause(err)
	}
	return Principal{Kind: PrincipalAPIToken, TokenID: meta.ID, IssuedBy: meta.IssuedBy}, nil
}

func (h *handler) oidcToken(ctx context.Context, token, owner, repo string) (Principal, *apiError) {
	c, err := h.cfg.OIDC.Verify(ctx, token)
	switch {
	case errors.Is(err, ErrIssuerUnavailable):
		return Principal{}, newError(http.StatusServiceUnavailable, "cannot verify the OIDC token: its issuer is unreachable; retry later").
			withRetry(retryAfterSeconds).withCause(err)
	case err != nil:
		return Principal{}, unauthorized("invalid_token", "%v", err)
	}
	p := Principal{
		Kind: PrincipalOIDC, Subject: c.Subject, Repository: c.Repository, RepositoryID: c.RepositoryID,
		Ref: c.Ref, SHA: c.SHA, WorkflowRef: c.WorkflowRef, Actor: c.Actor, RunID: c.RunID, EventName: c.EventName,
	}
	if !strings.EqualFold(c.Repository, owner+"/"+repo) {
		return p, newError(http.StatusForbidden, "the OIDC token is for repository %q, not %q", c.Repository, owner+"/"+repo)
	}
	return p, nil
}

// checkRepositoryID compares an OIDC token's repository_id claim with the
// repository's id when both are known: a repository deleted and re-created
// under the same name by someone else has a new id.
func checkRepositoryID(p Principal, repo Repository) *apiError {
	if p.Kind != PrincipalOIDC || p.RepositoryID == "" || repo.ID == 0 {
		return nil
	}
	if p.RepositoryID != strconv.FormatInt(repo.ID, 10) {
		return newError(http.StatusForbidden, "the OIDC token's repository_id %s is not the id of %s/%s (%d)",
			p.RepositoryID, repo.Owner, repo.Name, repo.ID)
	}
	return nil
}
