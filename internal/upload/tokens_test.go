package upload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

func newTokens(t *testing.T) (*Tokens, *boltstore.Store, *fakeClock) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "tokens.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clock := &fakeClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	return &Tokens{KV: st, Now: clock.Now}, st, clock
}

func TestTokenLifecycle(t *testing.T) {
	tokens, st, clock := newTokens(t)
	ctx := context.Background()
	tok, meta, err := tokens.Issue(ctx, "acme", "api", "alice", "semgrep in CI", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, TokenPrefix+meta.ID+"_") || len(tok) != tokenLen {
		t.Errorf("token format: %d characters, prefix %q", len(tok), tok[:len(TokenPrefix)])
	}
	if meta.Owner != "acme" || meta.Repo != "api" || meta.IssuedBy != "alice" || meta.Note != "semgrep in CI" ||
		!meta.CreatedAt.Equal(clock.Now()) || !meta.ExpiresAt.IsZero() {
		t.Errorf("meta %+v", meta)
	}
	got, err := tokens.Verify(ctx, tok, "ACME", "Api")
	if err != nil || got != meta {
		t.Fatalf("verify: %+v %v", got, err)
	}
	if _, err := tokens.Verify(ctx, tok, "acme", "web"); !errors.Is(err, ErrTokenScope) ||
		!strings.Contains(err.Error(), "is for acme/api, not acme/web") {
		t.Errorf("wrong repository: %v", err)
	}
	// Stored hashed: neither the token nor its secret is in the store.
	_, secret, _ := parseToken(tok)
	err = st.Scan(ctx, tokenKeyPrefix, func(key string, value []byte) (bool, error) {
		if key != tokenKeyPrefix+meta.ID || bytes.Contains(value, []byte(secret)) || bytes.Contains(value, []byte(tok)) {
			t.Errorf("stored %s = %s", key, value)
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tokens.Revoke(ctx, meta.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Verify(ctx, tok, "acme", "api"); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("revoked token: %v", err)
	}
	if err := tokens.Revoke(ctx, meta.ID); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("second revoke: %v", err)
	}
	if err := tokens.Revoke(ctx, "../../etc"); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("bad id: %v", err)
	}
}

func TestTokenExpiry(t *testing.T) {
	tokens, _, clock := newTokens(t)
	ctx := context.Background()
	tok, meta, err := tokens.Issue(ctx, "acme", "api", "alice", "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !meta.ExpiresAt.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("expires at %v", meta.ExpiresAt)
	}
	clock.Add(time.Hour - time.Second)
	if _, err := tokens.Verify(ctx, tok, "acme", "api"); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	clock.Add(time.Second)
	if _, err := tokens.Verify(ctx, tok, "acme", "api"); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("at expiry: %v", err)
	}
	if list, err := tokens.List(ctx, "acme", "api"); err != nil || len(list) != 0 {
		t.Errorf("expired token listed: %v %v", list, err)
	}
}

func TestTokenRejectsForgeries(t *testing.T) {
	tokens, _, _ := newTokens(t)
	ctx := context.Background()
	tok, meta, err := tokens.Issue(ctx, "acme", "api", "alice", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := tokens.Issue(ctx, "acme", "api", "alice", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, otherSecret, _ := parseToken(other)
	for name, bad := range map[string]string{
		"empty":                  "",
		"no prefix":              tok[len(TokenPrefix):],
		"another prefix":         "ghp_" + tok[len(TokenPrefix):],
		"truncated":              tok[:len(tok)-1],
		"extended":               tok + "0",
		"wrong secret":           tok[:len(tok)-1] + flip(tok[len(tok)-1]),
		"another token's secret": TokenPrefix + meta.ID + "_" + otherSecret,
		"unknown id":             TokenPrefix + "ffffffffffffffff" + tok[len(TokenPrefix)+tokenIDLen:],
		"upper-case id":          TokenPrefix + strings.ToUpper(meta.ID) + tok[len(TokenPrefix)+tokenIDLen:],
		"non-base62 secret":      tok[:len(tok)-1] + "-",
	} {
		if _, err := tokens.Verify(ctx, bad, "acme", "api"); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTokenIssueValidation(t *testing.T) {
	tokens, _, _ := newTokens(t)
	ctx := context.Background()
	for name, args := range map[string]struct {
		owner, repo, by, note string
		ttl                   time.Duration
	}{
		"bad owner":    {"ac me", "api", "alice", "", 0},
		"bad repo":     {"acme", "..", "alice", "", 0},
		"no issuer":    {"acme", "api", " ", "", 0},
		"long note":    {"acme", "api", "alice", strings.Repeat("n", MaxTokenNoteLength+1), 0},
		"negative ttl": {"acme", "api", "alice", "", -time.Second},
	} {
		if _, _, err := tokens.Issue(ctx, args.owner, args.repo, args.by, args.note, args.ttl); err == nil {
			t.Errorf("%s: issued", name)
		}
	}
}

func TestTokenList(t *testing.T) {
	tokens, _, clock := newTokens(t)
	ctx := context.Background()
	var want []string
	for i, repo := range []string{"api", "web", "API"} {
		_, meta, err := tokens.Issue(ctx, "acme", repo, "alice", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if i != 1 {
			want = append(want, meta.ID)
		}
		clock.Add(time.Second)
	}
	list, err := tokens.List(ctx, "acme", "api")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range list {
		got = append(got, m.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("listed %v, want %v (oldest first)", got, want)
	}
	if all, err := tokens.List(ctx, "", ""); err != nil || len(all) != 3 {
		t.Errorf("all: %d %v", len(all), err)
	}
}

func TestTokensConcurrent(t *testing.T) {
	tokens, _, _ := newTokens(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]bool{}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, meta, err := tokens.Issue(ctx, "acme", "api", "alice", "", 0)
			if err == nil {
				_, err = tokens.Verify(ctx, tok, "acme", "api")
			}
			if err == nil {
				err = tokens.Revoke(ctx, meta.ID)
			}
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			seen[tok] = true
		}()
	}
	wg.Wait()
	if len(seen) != 16 {
		t.Errorf("%d distinct tokens", len(seen))
	}
}

// TestNoTokenMaterialInLogs sends accepted and rejected uploads with API
// and OIDC tokens and checks that no token, secret or hash reaches the log.
func TestNoTokenMaterialInLogs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sarif := readFile(t, "testdata/minimal.sarif.json")
	webTok, _, err := e.tokens.Issue(ctx, "acme", "web", "alice", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	revoked, meta, err := e.tokens.Issue(ctx, "acme", "api", "alice", "", 0)
	if err != nil || e.tokens.Revoke(ctx, meta.ID) != nil {
		t.Fatal(err)
	}
	jwtOK := sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("acme/api", time.Now()))
	badAud := e.issuer.claims("acme/api", time.Now())
	badAud["aud"] = "elsewhere"
	jwtBad := sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, badAud)
	jwtWeb := sign(t, jwt.SigningMethodRS256, issuerKey(), testKID, e.issuer.claims("acme/web", time.Now()))
	secrets := []string{e.token, webTok, revoked, jwtOK, jwtBad, jwtWeb}
	for _, tok := range secrets {
		for _, body := range []string{string(sarif), "{not json"} {
			e.do(e.request(strings.NewReader(body), bearer(tok)))
		}
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "Accepted SARIF upload") || !strings.Contains(logs, "Rejected SARIF upload") ||
		!strings.Contains(logs, `"workflow_ref":"acme/api/.github/workflows/scan.yml@refs/heads/main"`) ||
		!strings.Contains(logs, `"run_id":"987654321"`) || !strings.Contains(logs, `"actor":"octocat"`) {
		t.Errorf("audit log lacks entries:\n%s", logs)
	}
	var forbidden []string
	for _, tok := range secrets {
		forbidden = append(forbidden, tok)
		if _, secret, ok := parseToken(tok); ok {
			sum := sha256.Sum256([]byte(secret))
			forbidden = append(forbidden, secret, hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:]))
		} else {
			parts := strings.Split(tok, ".")
			forbidden = append(forbidden, parts[1], parts[2]) // payload and signature
		}
	}
	for _, f := range forbidden {
		if strings.Contains(logs, f) {
			t.Errorf("token material %.12s… in the log", f)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add("cvs_0123456789abcdef_" + strings.Repeat("A", tokenSecretLen))
	f.Add("cvs_")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, secret, ok := parseToken(s)
		if !ok {
			return
		}
		if TokenPrefix+id+"_"+secret != s || !validTokenID(id) || len(secret) != tokenSecretLen {
			t.Errorf("parsed %q into %q and %q", s, id, secret)
		}
	})
}
