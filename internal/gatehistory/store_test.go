package gatehistory

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
	"github.com/conviso/conviso-github-app/internal/store/redisstore"
	"github.com/conviso/conviso-github-app/internal/testutil/redistest"
)

var t0 = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)

func backends(t *testing.T) map[string]func(t *testing.T) store.KV {
	return map[string]func(t *testing.T) store.KV{
		"bolt": func(t *testing.T) store.KV {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "h.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			return st
		},
		"redis": func(t *testing.T) store.KV {
			st, err := redisstore.New(t.Context(), redistest.New(t), redisstore.WithPrefix(redistest.Prefix(t)))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
}

// TestListFilters: repository, status and date filters, on both back-ends.
func TestListFilters(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := &Store{KV: open(t), Now: func() time.Time { return t0.Add(48 * time.Hour) }}
			ctx := context.Background()
			for _, e := range []Entry{
				{Repo: "acme/api", Commit: "a1", Status: StatusFailed, At: t0.Add(-72 * time.Hour)},
				{Repo: "acme/api", Commit: "a2", Status: StatusPassed, At: t0},
				{Repo: "acme/api", Commit: "a3", Status: StatusWarning, At: t0.Add(time.Hour), PullRequest: 7},
				{Repo: "acme/web", Commit: "w1", Status: StatusFailed, At: t0.Add(2 * time.Hour)},
				{Repo: "acme/web", Commit: "w2", Status: StatusFailed, At: t0.Add(-40 * 24 * time.Hour)},
			} {
				if _, err := s.Record(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			day := func(d string) time.Time { v, _ := time.Parse(time.DateOnly, d); return v }
			for _, tc := range []struct {
				label string
				f     Filter
				want  string
			}{
				{"repo, all time", Filter{Repo: "acme/api"}, "a3,a2,a1"},
				{"repo, failed", Filter{Repo: "acme/api", Status: []Status{StatusFailed}}, "a1"},
				{"failed, default window", Filter{Status: []Status{StatusFailed}}, "w1,a1"},
				{"day range", Filter{Since: day("2026-11-03"), Until: day("2026-11-04")}, "w1,a3,a2"},
				{"repo day range", Filter{Repo: "acme/api", Since: day("2026-11-03"), Until: day("2026-11-04")}, "a3,a2"},
				{"since exact time", Filter{Since: t0.Add(30 * time.Minute)}, "w1,a3"},
				{"long range", Filter{Since: day("2026-01-01"), Status: []Status{StatusFailed}}, "w1,a1,w2"},
				{"limit", Filter{Repo: "acme/api", Limit: 1}, "a3"},
				{"no match", Filter{Repo: "acme/none"}, ""},
			} {
				got, err := s.List(ctx, tc.f)
				if err != nil {
					t.Fatalf("%s: %v", tc.label, err)
				}
				var commits []string
				for _, e := range got {
					commits = append(commits, e.Commit)
				}
				if strings.Join(commits, ",") != tc.want {
					t.Errorf("%s: got %v, want %s", tc.label, commits, tc.want)
				}
			}
		})
	}
}

// TestRecordErrors: a bad repository or range is an error.
func TestRecordErrors(t *testing.T) {
	s := &Store{KV: backends(t)["bolt"](t)}
	if _, err := s.Record(context.Background(), Entry{Repo: "no-slash"}); err == nil {
		t.Error("recorded a bad repository")
	}
	if _, err := s.List(context.Background(), Filter{Since: t0, Until: t0}); err == nil {
		t.Error("listed an empty range")
	}
	if _, err := ParseStatus("maybe"); err == nil {
		t.Error("parsed a bad status")
	}
}
