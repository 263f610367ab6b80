package lifecycle

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
	"github.com/conviso/conviso-github-app/internal/store/redisstore"
	"github.com/conviso/conviso-github-app/internal/testutil/redistest"
)

// eachBackend runs fn on both back-ends with two "replicas" of one store:
// for bbolt the same Store (one process holds the file), for Redis two
// Stores on two connections sharing a key prefix.
func eachBackend(t *testing.T, fn func(t *testing.T, replicas [2]store.Store)) {
	t.Run("bolt", func(t *testing.T) {
		s, err := boltstore.Open(t.TempDir() + "/x.db")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		fn(t, [2]store.Store{s, s})
	})
	t.Run("redis", func(t *testing.T) {
		a := redistest.New(t) // skips (or fails in CI) without Redis
		prefix := redistest.Prefix(t)
		fn(t, [2]store.Store{newRedis(t, a, prefix), newRedis(t, redistest.New(t), prefix)})
	})
}

func newRedis(t *testing.T, client redis.UniversalClient, prefix string) store.Store {
	t.Helper()
	s, err := redisstore.New(t.Context(), client, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// result carries a call's value and error to must.
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

// must fails the test on an error and returns the value.
func (r result[T]) must(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func TestTrackerLifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, r [2]store.Store) {
		ctx := t.Context()
		tr := &Tracker{KV: r[0], Locker: r[0], Now: func() time.Time { return hours(10) }}
		changes := try(tr.Record(ctx, mkScan("s1", t0, []findings.Finding{leak("a", high), leak("b", crit)}))).must(t)
		if len(changes) != 2 || changes[0].Event != EventCreated {
			t.Fatalf("s1 changes = %+v", changes)
		}
		raw := try(r[1].Get(ctx, "lifecycle:"+repo+":a")).must(t)
		var stored Record
		if err := json.Unmarshal(raw, &stored); err != nil || stored.Status != StatusCreated || stored.Fingerprint != "a" {
			t.Fatalf("stored JSON %s: %v", raw, err)
		}
		try(tr.Record(ctx, mkScan("s2", hours(1), []findings.Finding{leak("a", high)}))).must(t)
		checkStatuses(t, tr, map[string]Status{"a": StatusIdentified, "b": StatusFixed})
		checkList(t, tr, Filter{}, "a", "b")
		checkList(t, tr, Filter{Status: []Status{StatusFixed}}, "b")
		checkList(t, tr, Filter{Severity: []findings.Severity{crit}, Status: []Status{StatusFixed, StatusCreated}}, "b")
		checkList(t, tr, Filter{Scanner: "semgrep"})

		accepted := try(tr.SetDecision(ctx, repo, "a", StatusRiskAccepted, UserActor("alice"),
			Evidence{CommentURL: "https://github.com/o/r/pull/7#issuecomment-1"})).must(t)
		last := accepted.History[len(accepted.History)-1]
		if accepted.Status != StatusRiskAccepted || last.At != hours(10) || last.Actor != UserActor("alice") {
			t.Fatalf("decision = %+v", accepted)
		}
		if got := try(tr.Record(ctx, mkScan("s3", hours(11), none))).must(t); len(got) != 0 {
			t.Fatalf("a scan changed a Risk Accepted finding: %+v", got)
		}
		_, err := tr.SetDecision(ctx, repo, "a", StatusFalsePositive, UserActor("alice"), Evidence{})
		if !errors.Is(err, ErrTransitionRefused) || !strings.Contains(err.Error(), "revoke the exception") {
			t.Fatalf("Risk Accepted → False Positive: %v", err)
		}
		try(tr.SetDecision(ctx, repo, "a", StatusIdentified, UserActor("alice"), Evidence{Note: "exception expired"})).must(t)
		try(tr.Record(ctx, mkScan("s4", hours(12), none))).must(t)
		checkStatuses(t, tr, map[string]Status{"a": StatusFixed, "b": StatusFixed})
	})
}

func checkStatuses(t *testing.T, tr *Tracker, want map[string]Status) {
	t.Helper()
	for fp, st := range want {
		if rec := try(tr.Get(t.Context(), repo, fp)).must(t); rec.Status != st {
			t.Errorf("%s is %s, want %s", fp, rec.Status, st)
		}
	}
}

func checkList(t *testing.T, tr *Tracker, f Filter, want ...string) {
	t.Helper()
	var got []string
	for _, r := range try(tr.List(t.Context(), repo, f)).must(t) {
		got = append(got, r.Fingerprint)
	}
	if !slices.Equal(got, want) {
		t.Errorf("List(%+v) = %v, want %v", f, got, want)
	}
}

func TestTrackerErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, r [2]store.Store) {
		ctx := t.Context()
		tr := &Tracker{KV: r[0], Locker: r[0]}
		if _, err := tr.Get(ctx, repo, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(missing) = %v", err)
		}
		if _, err := tr.SetDecision(ctx, repo, "missing", StatusInProgress, UserActor("a"), Evidence{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetDecision(missing) = %v", err)
		}
		if _, err := tr.List(ctx, "o:r", Filter{}); err == nil || !strings.Contains(err.Error(), "contains ':'") {
			t.Errorf("List(o:r) = %v", err)
		}
		if _, err := tr.Get(ctx, repo, " "); err == nil || !strings.Contains(err.Error(), "fingerprint is empty") {
			t.Errorf("Get(blank) = %v", err)
		}
		if _, err := tr.Record(ctx, Scan{RepoID: repo}); err == nil || !strings.Contains(err.Error(), "scan id is empty") {
			t.Errorf("Record(invalid) = %v", err)
		}
		if _, err := (&Tracker{KV: r[0]}).Record(ctx, mkScan("s1", t0, none)); err == nil ||
			!strings.Contains(err.Error(), "needs both a KV and a Locker") {
			t.Errorf("Record without Locker = %v", err)
		}
	})
}

// TestTrackerRepositoriesAreSeparate: repository "12" must not see the
// records of "123", whose keys share a prefix with its own.
func TestTrackerRepositoriesAreSeparate(t *testing.T) {
	eachBackend(t, func(t *testing.T, r [2]store.Store) {
		tr := &Tracker{KV: r[0], Locker: r[0]}
		for _, id := range []string{"12", "123"} {
			sc := mkScan("s-"+id, t0, []findings.Finding{leak("fp-"+id, high)})
			sc.RepoID = id
			try(tr.Record(t.Context(), sc)).must(t)
		}
		recs := try(tr.List(t.Context(), "12", Filter{})).must(t)
		if len(recs) != 1 || recs[0].Fingerprint != "fp-12" || recs[0].RepoID != "12" {
			t.Fatalf("repository 12 lists %+v", recs)
		}
	})
}

// dump returns every lifecycle key and value in the store.
func dump(t *testing.T, kv store.KV) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := kv.Scan(t.Context(), "lifecycle", func(k string, v []byte) (bool, error) {
		out[k] = string(v)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTrackerIdempotentScanID(t *testing.T) {
	eachBackend(t, func(t *testing.T, r [2]store.Store) {
		ctx := t.Context()
		tr := &Tracker{KV: r[0], Locker: r[0]}
		s1 := mkScan("s1", t0, []findings.Finding{leak("a", high)})
		try(tr.Record(ctx, s1)).must(t)
		before := dump(t, r[0])
		if got := try(tr.Record(ctx, s1)).must(t); len(got) != 0 || !maps.Equal(dump(t, r[0]), before) {
			t.Fatalf("recording s1 twice changed %+v", got)
		}
		try(tr.Record(ctx, mkScan("s2", hours(1), none))).must(t)
		before = dump(t, r[0])
		if got := try(tr.Record(ctx, s1)).must(t); len(got) != 0 || !maps.Equal(dump(t, r[0]), before) {
			t.Fatalf("recording s1 after s2 changed %+v", got)
		}
		checkStatuses(t, tr, map[string]Status{"a": StatusFixed})
		if len(before) != 2 || before[MetaPrefix+repo] == "" {
			t.Fatalf("keys = %v", slices.Sorted(maps.Keys(before)))
		}
	})
}
