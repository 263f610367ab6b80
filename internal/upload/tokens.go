package upload

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

// TokenPrefix starts every API token, so that secret scanners (and people)
// recognise a leaked one.
const TokenPrefix = "cvs_"

// Token layout: TokenPrefix, tokenIDLen lower-case hex digits, "_", and
// tokenSecretLen base62 characters encoding tokenSecretBytes random bytes.
const (
	tokenIDBytes     = 8
	tokenIDLen       = 2 * tokenIDBytes
	tokenSecretBytes = 32
	tokenSecretLen   = 43 // ceil(256 / log2(62))
	tokenLen         = len(TokenPrefix) + tokenIDLen + 1 + tokenSecretLen
	tokenKeyPrefix   = "upload:token:"
	// MaxTokenNoteLength bounds a token's note.
	MaxTokenNoteLength = 200
	// issueAttempts bounds retries after an (astronomically unlikely) id collision.
	issueAttempts = 3
)

// Errors of Tokens.
var (
	// ErrInvalidToken: malformed, unknown, revoked or wrong secret (401).
	ErrInvalidToken = errors.New("invalid API token")
	// ErrTokenExpired: the token was valid but its expiry passed (401).
	ErrTokenExpired = errors.New("API token expired")
	// ErrTokenScope: the token is valid but for another repository (403).
	ErrTokenScope = errors.New("API token is for another repository")
	// ErrTokenNotFound: Revoke was given an unknown id.
	ErrTokenNotFound = errors.New("API token not found")
)

// TokenMeta describes an API token; it never holds the token or its hash.
type TokenMeta struct {
	// ID identifies the token; it is part of the token but not secret, and
	// is what logs and the audit trail name.
	ID string `json:"id"`
	// Owner and Repo are the one repository the token may upload to.
	Owner string `json:"owner"`
	Repo  string `json:"repo"`
	// IssuedBy is the administrator who issued the token.
	IssuedBy string `json:"issued_by"`
	// Note says what the token is for.
	Note string `json:"note,omitempty"`
	// CreatedAt is when the token was issued.
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// tokenRecord is what the store holds under tokenKeyPrefix+ID.
type tokenRecord struct {
	TokenMeta
	// Hash is SHA-256 of the secret part: the secret has 256 random bits,
	// so a fast hash is enough (nothing to brute-force).
	Hash []byte `json:"hash"`
}

// Tokens issues and verifies repository-scoped API tokens, stored hashed
// under keys "upload:token:<id>". It is safe for concurrent use.
type Tokens struct {
	// KV stores the tokens.
	KV store.KV
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Issue creates a token for owner/repo. ttl 0 means it never expires. The
// plaintext is returned once and never stored; show it to the administrator
// and forget it.
func (t *Tokens) Issue(ctx context.Context, owner, repo, issuedBy, note string, ttl time.Duration) (string, TokenMeta, error) {
	switch {
	case !validName(owner) || !validName(repo):
		return "", TokenMeta{}, fmt.Errorf("issuing an API token: invalid repository %q", owner+"/"+repo)
	case strings.TrimSpace(issuedBy) == "":
		return "", TokenMeta{}, errors.New("issuing an API token: issuedBy is required")
	case len(note) > MaxTokenNoteLength:
		return "", TokenMeta{}, fmt.Errorf("issuing an API token: note longer than %d bytes", MaxTokenNoteLength)
	case ttl < 0:
		return "", TokenMeta{}, errors.New("issuing an API token: negative ttl")
	}
	now := t.now().UTC()
	meta := TokenMeta{Owner: owner, Repo: repo, IssuedBy: issuedBy, Note: note, CreatedAt: now}
	if ttl > 0 {
		meta.ExpiresAt = now.Add(ttl)
	}
	for range issueAttempts {
		id, secret, err := newTokenParts()
		if err != nil {
			return "", TokenMeta{}, fmt.Errorf("issuing an API token: %w", err)
		}
		meta.ID = id
		hash := sha256.Sum256([]byte(secret))
		value, err := json.Marshal(tokenRecord{TokenMeta: meta, Hash: hash[:]})
		if err != nil {
			return "", TokenMeta{}, fmt.Errorf("issuing an API token: %w", err)
		}
		stored, err := t.KV.PutIfAbsent(ctx, tokenKeyPrefix+id, value, ttl)
		if err != nil {
			return "", TokenMeta{}, fmt.Errorf("issuing an API token: storing it: %w", err)
		}
		if stored {
			return TokenPrefix + id + "_" + secret, meta, nil
		}
	}
	return "", TokenMeta{}, errors.New("issuing an API token: could not find a free id")
}

// Verify checks a plaintext token for an upload to owner/repo. It returns
// ErrInvalidToken, ErrTokenExpired or ErrTokenScope (wrapped, with a message
// naming both repositories), or a store error.
func (t *Tokens) Verify(ctx context.Context, plaintext, owner, repo string) (TokenMeta, error) {
	id, secret, ok := parseToken(plaintext)
	if !ok {
		return TokenMeta{}, fmt.Errorf("%w: not a %s token", ErrInvalidToken, TokenPrefix)
	}
	rec, err := t.get(ctx, id)
	if errors.Is(err, ErrTokenNotFound) {
		return TokenMeta{}, fmt.Errorf("%w: unknown or revoked", ErrInvalidToken)
	}
	if err != nil {
		return TokenMeta{}, err
	}
	hash := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(hash[:], rec.Hash) != 1 {
		return TokenMeta{}, fmt.Errorf("%w: unknown or revoked", ErrInvalidToken)
	}
	if !rec.ExpiresAt.IsZero() && !t.now().Before(rec.ExpiresAt) {
		return TokenMeta{}, fmt.Errorf("%w at %s", ErrTokenExpired, rec.ExpiresAt.Format(time.RFC3339))
	}
	if !strings.EqualFold(rec.Owner, owner) || !strings.EqualFold(rec.Repo, repo) {
		return TokenMeta{}, fmt.Errorf("%w: token %s is for %s/%s, not %s/%s", ErrTokenScope, rec.ID, rec.Owner, rec.Repo, owner, repo)
	}
	return rec.TokenMeta, nil
}

// Revoke deletes a token; it returns ErrTokenNotFound for an unknown id.
func (t *Tokens) Revoke(ctx context.Context, id string) error {
	if _, err := t.get(ctx, id); err != nil {
		return fmt.Errorf("revoking API token %q: %w", id, err)
	}
	if err := t.KV.Delete(ctx, tokenKeyPrefix+id); err != nil {
		return fmt.Errorf("revoking API token %q: %w", id, err)
	}
	return nil
}

// List returns the live tokens of owner/repo (case-insensitive), oldest
// first; with owner and repo both empty it returns every live token.
func (t *Tokens) List(ctx context.Context, owner, repo string) ([]TokenMeta, error) {
	all := owner == "" && repo == ""
	now := t.now()
	var out []TokenMeta
	err := t.KV.Scan(ctx, tokenKeyPrefix, func(key string, value []byte) (bool, error) {
		var rec tokenRecord
		if err := json.Unmarshal(value, &rec); err != nil {
			return false, fmt.Errorf("decoding %s: %w", key, err)
		}
		expired := !rec.ExpiresAt.IsZero() && !now.Before(rec.ExpiresAt)
		if !expired && (all || strings.EqualFold(rec.Owner, owner) && strings.EqualFold(rec.Repo, repo)) {
			out = append(out, rec.TokenMeta)
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing API tokens: %w", err)
	}
	slices.SortFunc(out, func(a, b TokenMeta) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// get loads a token's record; ErrTokenNotFound when absent.
func (t *Tokens) get(ctx context.Context, id string) (tokenRecord, error) {
	if !validTokenID(id) {
		return tokenRecord{}, ErrTokenNotFound
	}
	value, err := t.KV.Get(ctx, tokenKeyPrefix+id)
	if errors.Is(err, store.ErrNotFound) {
		return tokenRecord{}, ErrTokenNotFound
	}
	if err != nil {
		return tokenRecord{}, fmt.Errorf("loading API token %s: %w", id, err)
	}
	var rec tokenRecord
	if err := json.Unmarshal(value, &rec); err != nil {
		return tokenRecord{}, fmt.Errorf("decoding API token %s: %w", id, err)
	}
	return rec, nil
}

// newTokenParts draws a new id and secret from crypto/rand.
func newTokenParts() (id, secret string, err error) {
	buf := make([]byte, tokenIDBytes+tokenSecretBytes)
	if _, err := rand.Read(buf); err != nil {
		return "", "", fmt.Errorf("reading random bytes: %w", err)
	}
	secret = new(big.Int).SetBytes(buf[tokenIDBytes:]).Text(62)
	secret = strings.Repeat("0", tokenSecretLen-len(secret)) + secret
	return hex.EncodeToString(buf[:tokenIDBytes]), secret, nil
}

// parseToken splits a token into its id and secret.
func parseToken(s string) (id, secret string, ok bool) {
	if len(s) != tokenLen || !strings.HasPrefix(s, TokenPrefix) {
		return "", "", false
	}
	rest := s[len(TokenPrefix):]
	id, secret = rest[:tokenIDLen], rest[tokenIDLen+1:]
	if rest[tokenIDLen] != '_' || !validTokenID(id) {
		return "", "", false
	}
	for i := 0; i < len(secret); i++ {
		if c := secret[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "", "", false
		}
	}
	return id, secret, true
}

// validTokenID reports whether id is tokenIDLen lower-case hex digits.
func validTokenID(id string) bool {
	if len(id) != tokenIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
