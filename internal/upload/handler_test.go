package upload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatuses(t *testing.T) {
	sarif := readFile(t, "testdata/minimal.sarif.json")
	malformed := readFile(t, "testdata/malformed.sarif.json")
	gz := gzipped(t, sarif)
	cases := []struct {
		name   string
		mods   []func(*Config)
		setup  func(e *env) *http.Request
		status int
		errSub string // in the "error" message
		limit  int64
		check  func(t *testing.T, e *env, w http.Header, resp response)
	}{
		{name: "plain SARIF", status: 202, setup: func(e *env) *http.Request { return e.request(bytes.NewReader(sarif)) },
			check: func(t *testing.T, e *env, _ http.Header, resp response) {
				u := e.sink.all()[0]
				if resp.ID != u.ID || resp.Status != "queued" || u.CommitSHA != testSHA || u.Ref != "refs/heads/main" ||
					u.Category != DefaultCategory || u.Size != int64(len(sarif)) || u.Principal.Kind != PrincipalAPIToken ||
					u.Principal.TokenID == "" || u.Owner != testOwner || u.Repo != testRepo {
					t.Errorf("upload %+v, answer %+v", u, resp)
				}
				sum := sha256.Sum256(sarif)
				if u.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(readFile(t, u.Path), sarif) {
					t.Error("stored file differs from the upload")
				}
			}},
		{name: "application/json with charset, category, upper-case sha", status: 202, setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), header("Content-Type", "application/json; charset=utf-8"),
				query("commit_sha="+strings.ToUpper(testSHA)+"&ref=refs/pull/12/merge&category=semgrep/go"))
		}, check: func(t *testing.T, e *env, _ http.Header, _ response) {
			if u := e.sink.all()[0]; u.Category != "semgrep/go" || u.Ref != "refs/pull/12/merge" || u.CommitSHA != testSHA {
				t.Errorf("upload %+v", u)
			}
		}},
		{name: "gzip declared", status: 202, setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(gz), header("Content-Encoding", "gzip"))
		}, check: sameContent(sarif)},
		{name: "gzip by magic bytes only", status: 202, setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(gz))
		}, check: sameContent(sarif)},
		{name: "malformed JSON", status: 400, errSub: "line 8, column 9", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(gzipped(t, malformed)), header("Content-Encoding", "gzip"))
		}, check: func(t *testing.T, _ *env, _ http.Header, resp response) {
			if resp.Line != 8 || resp.Column != 9 || resp.Offset == nil {
				t.Errorf("position %+v", resp)
			}
		}},
		{name: "empty body", status: 400, errSub: "empty body", setup: func(e *env) *http.Request { return e.request(http.NoBody) }},
		{name: "truncated gzip", status: 400, errSub: "invalid gzip", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(gz[:len(gz)/2]))
		}},
		{name: "gzip declared, plain body", status: 400, errSub: "not gzip", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), header("Content-Encoding", "gzip"))
		}},
		{name: "missing commit_sha", status: 400, errSub: "commit_sha is required", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), query("ref=refs/heads/main"))
		}},
		{name: "short commit_sha", status: 400, errSub: "40 hexadecimal", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), query("commit_sha=abc123&ref=refs/heads/main"))
		}},
		{name: "missing ref", status: 400, errSub: "ref is required", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), query("commit_sha="+testSHA))
		}},
		{name: "tag ref", status: 400, errSub: "refs/heads/ or refs/pull/", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), query("commit_sha="+testSHA+"&ref=refs/tags/v1"))
		}},
		{name: "bad branch", status: 400, errSub: "not a valid git branch", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), query("commit_sha="+testSHA+"&ref=refs/heads/a..b"))
		}},
		{name: "bad pull ref", status: 400, errSub: "pull request ref", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), query("commit_sha="+testSHA+"&ref=refs/pull/0/head"))
		}},
		{name: "bad category", status: 400, errSub: "category", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), query("commit_sha="+testSHA+"&ref=refs/heads/main&category=a%20b"))
		}},
		{name: "repeated parameter", status: 400, errSub: "give it once", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), query("commit_sha="+testSHA+"&commit_sha="+testSHA+"&ref=refs/heads/main"))
		}},
		{name: "no Authorization", status: 401, errSub: "authentication required", setup: func(e *env) *http.Request {
			r := e.request(bytes.NewReader(sarif))
			r.Header.Del("Authorization")
			return r
		}, check: wwwAuthenticate(`Bearer realm="conviso"`)},
		{name: "Basic scheme", status: 401, errSub: "malformed Authorization", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), header("Authorization", "Basic YWRtaW46YWRtaW4="))
		}, check: wwwAuthenticate(`Bearer realm="conviso", error="invalid_request"`)},
		{name: "unrecognised token", status: 401, errSub: "unrecognised bearer token", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), bearer("ghp_notours"))
		}, check: wwwAuthenticate(`Bearer realm="conviso", error="invalid_token"`)},
		{name: "wrong API token secret", status: 401, errSub: "invalid API token", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), bearer(e.token[:len(e.token)-1]+flip(e.token[len(e.token)-1])))
		}},
		{name: "revoked API token", status: 401, errSub: "unknown or revoked", setup: func(e *env) *http.Request {
			tok, meta, err := e.tokens.Issue(context.Background(), testOwner, testRepo, "admin", "", 0)
			if err != nil || e.tokens.Revoke(context.Background(), meta.ID) != nil {
				t.Fatal(err)
			}
			return e.request(bytes.NewReader(sarif), bearer(tok))
		}},
		{name: "API token for another repository", status: 403, errSub: "is for acme/web, not acme/api", setup: func(e *env) *http.Request {
			tok, _, err := e.tokens.Issue(context.Background(), testOwner, "web", "admin", "", 0)
			if err != nil {
				t.Fatal(err)
			}
			return e.request(bytes.NewReader(sarif), bearer(tok))
		}, check: wwwAuthenticate(`Bearer realm="conviso", error="insufficient_scope"`)},
		{name: "unknown repository", status: 404, errSub: "no repository acme/api",
			mods: []func(*Config){func(c *Config) {
				c.RepoExists = func(context.Context, string, string) (Repository, bool, error) { return Repository{}, false, nil }
			}},
			setup: func(e *env) *http.Request { return e.request(bytes.NewReader(sarif)) }},
		{name: "invalid repository name", status: 404, errSub: "not a valid GitHub repository name", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), path("/api/v1/repos/acme/a b/sarif"))
		}},
		{name: "Content-Length over the limit", status: 413, errSub: "compress the SARIF log", limit: 100,
			mods:  []func(*Config){func(c *Config) { c.MaxBodyBytes = 100 }},
			setup: func(e *env) *http.Request { return e.request(bytes.NewReader(sarif)) }},
		{name: "text/plain", status: 415, errSub: "unsupported Content-Type", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), header("Content-Type", "text/plain"))
		}},
		{name: "no Content-Type", status: 415, errSub: "Content-Type is required", setup: func(e *env) *http.Request {
			r := e.request(bytes.NewReader(sarif))
			r.Header.Del("Content-Type")
			return r
		}},
		{name: "brotli", status: 415, errSub: "Content-Encoding", setup: func(e *env) *http.Request {
			return e.request(bytes.NewReader(sarif), header("Content-Encoding", "br"))
		}},
		{name: "validator says 422", status: 422, errSub: "runs[0].tool.driver.name is required",
			mods: []func(*Config){func(c *Config) {
				c.Validate = func(context.Context, io.Reader) error {
					return statusErr{status: 422, msg: "runs[0].tool.driver.name is required"}
				}
			}},
			setup: func(e *env) *http.Request { return e.request(bytes.NewReader(sarif)) }},
		{name: "validator says 413 with a limit", status: 413, errSub: "more than 5000 results", limit: 5000,
			mods: []func(*Config){func(c *Config) {
				c.Validate = func(context.Context, io.Reader) error {
					return statusErr{status: 413, limit: 5000, msg: "more than 5000 results"}
				}
			}},
			setup: func(e *env) *http.Request { return e.request(bytes.NewReader(sarif)) }},
		{name: "untyped validator error", status: 400, errSub: "not SARIF 2.1.0",
			mods: []func(*Config){func(c *Config) {
				c.Validate = func(context.Context, io.Reader) error { return errors.New("not SARIF 2.1.0") }
			}},
			setup: func(e *env) *http.Request { return e.request(bytes.NewReader(sarif)) }},
		{name: "sink fails", status: 503, errSub: "retry later", setup: func(e *env) *http.Request {
			e.sink.err = errors.New("queue down")
			return e.request(bytes.NewReader(sarif))
		}, check: func(t *testing.T, _ *env, h http.Header, _ response) {
			if h.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		}},
		{name: "sink refuses a duplicate", status: 409, errSub: "already uploaded", setup: func(e *env) *http.Request {
			e.sink.err = statusErr{status: 409, msg: "already uploaded"}
			return e.request(bytes.NewReader(sarif))
		}},
		{name: "repository lookup fails", status: 503, errSub: "cannot look up",
			mods: []func(*Config){func(c *Config) {
				c.RepoExists = func(context.Context, string, string) (Repository, bool, error) {
					return Repository{}, false, errors.New("GitHub down")
				}
			}},
			setup: func(e *env) *http.Request { return e.request(bytes.NewReader(sarif)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.mods...)
			w, resp := e.do(tc.setup(e))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(resp.Error, tc.errSub) {
				t.Errorf("error %q does not contain %q", resp.Error, tc.errSub)
			}
			if resp.Limit != tc.limit {
				t.Errorf("limit %d, want %d", resp.Limit, tc.limit)
			}
			if n := len(e.sink.all()); (tc.status == 202) != (n == 1) || n > 1 {
				t.Errorf("sink got %d uploads", n)
			}
			if tc.check != nil {
				tc.check(t, e, w.Header(), resp)
			}
			e.assertSpoolEmpty()
		})
	}
}

func sameContent(want []byte) func(*testing.T, *env, http.Header, response) {
	return func(t *testing.T, e *env, _ http.Header, _ response) {
		if u := e.sink.all()[0]; !bytes.Equal(readFile(t, u.Path), want) || u.Size != int64(len(want)) {
			t.Error("stored file is not the decompressed upload")
		}
	}
}

func wwwAuthenticate(want string) func(*testing.T, *env, http.Header, response) {
	return func(t *testing.T, _ *env, h http.Header, _ response) {
		if got := h.Get("WWW-Authenticate"); got != want {
			t.Errorf("WWW-Authenticate %q, want %q", got, want)
		}
	}
}

// flip changes a base62 character into another.
func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

func TestRepoExistsCanonicalNameAndID(t *testing.T) {
	var asked []string
	e := newEnv(t, func(c *Config) {
		c.RepoExists = func(_ context.Context, owner, repo string) (Repository, bool, error) {
			asked = append(asked, owner+"/"+repo)
			return Repository{Owner: "Acme", Name: "API", ID: 1001}, true, nil
		}
	})
	w, _ := e.do(e.request(bytes.NewReader(readFile(t, "testdata/minimal.sarif.json")), path("/api/v1/repos/ACME/Api/sarif")))
	if w.Code != 202 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if u := e.sink.all()[0]; u.Owner != "Acme" || u.Repo != "API" || u.RepoID != 1001 || len(asked) != 1 || asked[0] != "ACME/Api" {
		t.Errorf("upload %+v, asked %v", u, asked)
	}
}

func TestRouteMisregistered(t *testing.T) {
	e := newEnv(t)
	h := NewHandler(Config{SpoolDir: e.spool, Sink: e.sink, Tokens: e.tokens})
	w := httptestRecorder(h, e.request(http.NoBody))
	if w.Code != 500 || !strings.Contains(w.Body.String(), Route) {
		t.Errorf("status %d: %s", w.Code, w.Body)
	}
}

func TestNewHandlerPanicsOnMissingConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no spool dir": {Sink: &recordingSink{}, Tokens: &Tokens{}},
		"no sink":      {SpoolDir: t.TempDir(), Tokens: &Tokens{}},
		"no auth":      {SpoolDir: t.TempDir(), Sink: &recordingSink{}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			NewHandler(cfg)
		})
	}
}

func TestSpoolDirCreated(t *testing.T) {
	e := newEnv(t)
	w, _ := e.do(e.request(bytes.NewReader(readFile(t, "testdata/minimal.sarif.json"))))
	if w.Code != 202 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	e.assertSpoolEmpty()
}

func TestSinkContextOutlivesClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var sinkCtxErr error
	e := newEnv(t)
	e.sink.hook = func(sctx context.Context) error {
		cancel() // the client goes away while the upload is being queued
		sinkCtxErr = sctx.Err()
		if _, ok := sctx.Deadline(); !ok {
			return errors.New("no deadline")
		}
		return nil
	}
	r := e.request(bytes.NewReader(readFile(t, "testdata/minimal.sarif.json"))).WithContext(ctx)
	w, _ := e.do(r)
	if w.Code != 202 || sinkCtxErr != nil {
		t.Errorf("status %d, sink context error %v", w.Code, sinkCtxErr)
	}
}

func TestRemoveStaleSpool(t *testing.T) {
	dir := t.TempDir()
	old, fresh, other := dir+"/sarif-upload-1.json", dir+"/sarif-upload-2.json", dir+"/keep.txt"
	for _, f := range []string{old, fresh, other} {
		writeFile(t, f, "{}")
	}
	past := time.Now().Add(-2 * time.Hour)
	for _, f := range []string{old, other} {
		chtimes(t, f, past)
	}
	if err := RemoveStaleSpool(dir, time.Hour); err != nil {
		t.Fatal(err)
	}
	if exists(old) || !exists(fresh) || !exists(other) {
		t.Errorf("old %v fresh %v other %v", exists(old), exists(fresh), exists(other))
	}
	if err := RemoveStaleSpool(dir+"/missing", time.Hour); err != nil {
		t.Error(err)
	}
}
