package onboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
	"github.com/conviso/conviso-github-app/internal/store/redisstore"
	"github.com/conviso/conviso-github-app/internal/testutil/redistest"
)

// t0 is the fake clock's start.
var t0 = time.Date(2024, time.May, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a ghclient.Clock that only moves when told; Sleep moves it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
	// onSleep, when set, runs after each Sleep (under no lock).
	onSleep func()
}

func newClock() *fakeClock { return &fakeClock{now: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	if c.onSleep != nil {
		c.onSleep()
	}
	return ctx.Err()
}

// backend opens a store; reopen closes the open one and opens the same
// data again, as a restarted process would.
type backend struct {
	name string
	open func(t *testing.T) store.Store
	cur  store.Store
}

func (b *backend) reopen(t *testing.T) store.Store {
	t.Helper()
	if b.cur != nil {
		if err := b.cur.Close(); err != nil {
			t.Fatalf("closing %s store: %v", b.name, err)
		}
	}
	b.cur = b.open(t)
	return b.cur
}

// forEachBackend runs fn on a bbolt file and on Redis (skipped, or failed
// under CONVISO_REQUIRE_REDIS=1, when Redis is unreachable).
func forEachBackend(t *testing.T, fn func(t *testing.T, b *backend)) {
	t.Run("bolt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "onboard.db")
		b := &backend{name: "bolt", open: func(t *testing.T) store.Store {
			s, err := boltstore.Open(path)
			if err != nil {
				t.Fatalf("boltstore.Open: %v", err)
			}
			return s
		}}
		t.Cleanup(func() { closeStore(b) })
		fn(t, b)
	})
	t.Run("redis", func(t *testing.T) {
		redistest.New(t) // skips (or fails) when Redis is unreachable
		prefix := redistest.Prefix(t)
		b := &backend{name: "redis", open: func(t *testing.T) store.Store {
			s, err := redisstore.Open(context.Background(), redistest.URL(), redisstore.WithPrefix(prefix))
			if err != nil {
				t.Fatalf("redisstore.Open: %v", err)
			}
			return s
		}}
		t.Cleanup(func() { closeStore(b) })
		fn(t, b)
	})
}

func closeStore(b *backend) {
	if b.cur != nil {
		_ = b.cur.Close()
		b.cur = nil
	}
}

// memStore is a bbolt store in a temporary file, for tests that need no
// restart.
func memStore(t *testing.T) store.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "onboard.db"))
	if err != nil {
		t.Fatalf("boltstore.Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// appClient is a go-github client authenticated as the app (JWT).
func appClient(t *testing.T, gh *fakegithub.Server) *github.Client {
	t.Helper()
	atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, gh.AppID(), gh.PrivateKeyPEM())
	if err != nil {
		t.Fatalf("apps transport: %v", err)
	}
	atr.BaseURL = gh.URL()
	c := github.NewClient(&http.Client{Transport: atr})
	if c.BaseURL, err = url.Parse(gh.URL()); err != nil {
		t.Fatalf("base URL: %v", err)
	}
	return c
}

// org is a fake organization with the app installed on all repositories.
type org struct {
	gh    *fakegithub.Server
	inst  *fakegithub.Installation
	repos []*fakegithub.Repo
}

// newOrg builds an organization "acme" of n repositories.
func newOrg(t *testing.T, n int) *org {
	t.Helper()
	gh := fakegithub.New(t)
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	o := &org{gh: gh, inst: inst}
	for i := range n {
		o.addRepo(t, fmt.Sprintf("repo-%03d", i))
	}
	return o
}

func (o *org) addRepo(t *testing.T, name string) *fakegithub.Repo {
	t.Helper()
	r := o.gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: name, InstallationID: o.inst.ID,
		Files: map[string]string{"README.md": "# " + name + "\n"}})
	o.repos = append(o.repos, r)
	return r
}

// decode turns a fake webhook into its go-github event.
func decode[T any](t *testing.T, hook fakegithub.Webhook) *T {
	t.Helper()
	var ev T
	if err := json.Unmarshal(hook.JSON(), &ev); err != nil {
		t.Fatalf("decoding %s webhook: %v", hook.Event, err)
	}
	return &ev
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// diffNames is a Diff as sorted full names ("from -> to" for renames).
type diffNames struct {
	added, removed, renamed, archived, unarchived, updated []string
}

// names returns the repositories' full names.
func names(repos ...*fakegithub.Repo) []string {
	out := make([]string, len(repos))
	for i, r := range repos {
		out[i] = r.FullName()
	}
	return out
}

// summary turns a Diff into names.
func summary(d onboard.Diff) diffNames {
	full := func(rs []onboard.Repo) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.FullName)
		}
		return out
	}
	var renamed []string
	for _, r := range d.Renamed {
		renamed = append(renamed, r.From+" -> "+r.Repo.FullName)
	}
	return diffNames{added: full(d.Added), removed: full(d.Removed), renamed: renamed,
		archived: full(d.Archived), unarchived: full(d.Unarchived), updated: full(d.Updated)}
}

// expect fails t unless d changed exactly want.
func expect(t *testing.T, label string, d onboard.Diff, want diffNames) {
	t.Helper()
	got := summary(d)
	pairs := []struct {
		kind      string
		got, want []string
	}{
		{"added", got.added, want.added}, {"removed", got.removed, want.removed},
		{"renamed", got.renamed, want.renamed}, {"archived", got.archived, want.archived},
		{"unarchived", got.unarchived, want.unarchived}, {"updated", got.updated, want.updated},
	}
	for _, p := range pairs {
		g, w := append([]string(nil), p.got...), append([]string(nil), p.want...)
		sort.Strings(g)
		sort.Strings(w)
		if strings.Join(g, ",") != strings.Join(w, ",") {
			t.Errorf("%s: %s = %v, want %v", label, p.kind, g, w)
		}
	}
}
