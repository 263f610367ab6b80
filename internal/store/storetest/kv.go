package storetest

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

func kvTests() []namedTest {
	return []namedTest{
		{"KV/GetPut", testGetPut},
		{"KV/TTL", testKVTTL},
		{"KV/PutIfAbsent", testPutIfAbsent},
		{"KV/CompareAndSwap", testCompareAndSwap},
		{"KV/Delete", testDelete},
		{"KV/Scan", testScan},
		{"KV/ScanStopAndError", testScanStopAndError},
		{"KV/BadInput", testKVBadInput},
	}
}

func wantValue(t *testing.T, s store.Store, key, want string) {
	t.Helper()
	got, err := s.Get(t.Context(), key)
	if err != nil || string(got) != want {
		t.Fatalf("Get(%q) = %q, %v; want %q", key, got, err, want)
	}
}

func wantMissing(t *testing.T, s store.Store, key string) {
	t.Helper()
	if got, err := s.Get(t.Context(), key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want store.ErrNotFound", key, got, err)
	}
}

func isMissing(t *testing.T, s store.Store, key string) bool {
	t.Helper()
	_, err := s.Get(t.Context(), key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return err != nil
}

func put(t *testing.T, s store.Store, key, value string, ttl time.Duration) {
	t.Helper()
	mustNil(t, "Put "+key, s.Put(t.Context(), key, []byte(value), ttl))
}

func testGetPut(t *testing.T, s store.Store) {
	wantMissing(t, s, "a")
	put(t, s, "a", "1", 0)
	wantValue(t, s, "a", "1")
	put(t, s, "a", "2", 0)
	wantValue(t, s, "a", "2")
	put(t, s, "empty", "", 0)
	wantValue(t, s, "empty", "")
	put(t, s, "bin", "\x00\xff\x00", 0)
	wantValue(t, s, "bin", "\x00\xff\x00")
	got, err := s.Get(t.Context(), "a")
	mustNil(t, "Get", err)
	got[0] = 'X' // the caller owns the returned slice
	wantValue(t, s, "a", "2")
}

func testKVTTL(t *testing.T, s store.Store) {
	start := time.Now()
	put(t, s, "short", "v", shortTTL)
	put(t, s, "made-permanent", "v", shortTTL)
	put(t, s, "made-permanent", "v2", 0)
	put(t, s, "long", "v", longTTL)
	eventually(t, "a key with a TTL to expire", func() bool { return isMissing(t, s, "short") })
	if elapsed := time.Since(start); elapsed < shortTTL {
		t.Fatalf("key expired after %s; its TTL is %s", elapsed, shortTTL)
	}
	if keys := scanKeys(t, s, ""); !slices.Equal(keys, []string{"long", "made-permanent"}) {
		t.Fatalf("Scan after expiry = %q; want [long made-permanent]", keys)
	}
	wantValue(t, s, "made-permanent", "v2")
	wantValue(t, s, "long", "v")
}

func testPutIfAbsent(t *testing.T, s store.Store) {
	ctx := t.Context()
	ok, err := s.PutIfAbsent(ctx, "k", []byte("first"), 0)
	if err != nil || !ok {
		t.Fatalf("PutIfAbsent on absent key = %v, %v; want true", ok, err)
	}
	ok, err = s.PutIfAbsent(ctx, "k", []byte("second"), 0)
	if err != nil || ok {
		t.Fatalf("PutIfAbsent on present key = %v, %v; want false", ok, err)
	}
	wantValue(t, s, "k", "first")
	ok, err = s.PutIfAbsent(ctx, "ttl", []byte("a"), shortTTL)
	if err != nil || !ok {
		t.Fatalf("PutIfAbsent with TTL = %v, %v; want true", ok, err)
	}
	eventually(t, "PutIfAbsent to succeed after expiry", func() bool {
		ok, err := s.PutIfAbsent(ctx, "ttl", []byte("b"), 0)
		mustNil(t, "PutIfAbsent", err)
		return ok
	})
	wantValue(t, s, "ttl", "b")
}

func testCompareAndSwap(t *testing.T, s store.Store) {
	ctx := t.Context()
	cas := func(old []byte, value string, ttl time.Duration) bool {
		t.Helper()
		ok, err := s.CompareAndSwap(ctx, "k", old, []byte(value), ttl)
		mustNil(t, "CompareAndSwap", err)
		return ok
	}
	if !cas(nil, "v1", 0) {
		t.Fatal("CAS from absent on an absent key failed")
	}
	if cas(nil, "x", 0) {
		t.Fatal("CAS from absent on a present key succeeded")
	}
	if cas([]byte("wrong"), "x", 0) {
		t.Fatal("CAS with a wrong old value succeeded")
	}
	if !cas([]byte("v1"), "", 0) {
		t.Fatal("CAS with the right old value failed")
	}
	wantValue(t, s, "k", "")
	if cas(nil, "x", 0) || !cas([]byte{}, "v2", shortTTL) {
		t.Fatal("CAS distinguished an empty value from absent wrongly")
	}
	wantValue(t, s, "k", "v2")
	eventually(t, "a CAS-set key to expire", func() bool { return isMissing(t, s, "k") })
	if cas([]byte("v2"), "x", 0) || !cas(nil, "v3", 0) {
		t.Fatal("CAS on an expired key did not treat it as absent")
	}
	wantValue(t, s, "k", "v3")
}

func testDelete(t *testing.T, s store.Store) {
	put(t, s, "k", "v", longTTL)
	mustNil(t, "Delete", s.Delete(t.Context(), "k"))
	wantMissing(t, s, "k")
	mustNil(t, "Delete of a missing key", s.Delete(t.Context(), "k"))
	mustNil(t, "Delete of a never-set key", s.Delete(t.Context(), "never"))
	ok, err := s.PutIfAbsent(t.Context(), "k", []byte("again"), 0)
	if err != nil || !ok {
		t.Fatalf("PutIfAbsent after Delete = %v, %v; want true", ok, err)
	}
}

// scanKeys returns the sorted keys Scan reports for prefix, failing on
// duplicates.
func scanKeys(t *testing.T, s store.Store, prefix string) []string {
	t.Helper()
	seen := map[string]string{}
	err := s.Scan(t.Context(), prefix, func(key string, value []byte) (bool, error) {
		if _, dup := seen[key]; dup {
			t.Errorf("Scan(%q) reported %q twice", prefix, key)
		}
		seen[key] = string(value)
		return true, nil
	})
	mustNil(t, "Scan", err)
	return slices.Sorted(maps.Keys(seen))
}

func testScan(t *testing.T, s store.Store) {
	keys := []string{"repo/1", "repo/2", "repo/3/x", "repos", "rep", "other/1",
		"glob*x", "glob*y", "globz", "glob?", "gl[o]b", "glob\\"}
	for _, k := range keys {
		put(t, s, k, "v:"+k, 0)
	}
	// Queue dedup keys and locks live in their own namespaces.
	_, err := s.Enqueue(t.Context(), &store.Job{Kind: "k", DedupKey: "repo/dedup"}, longTTL)
	mustNil(t, "Enqueue", err)
	_, err = s.Acquire(t.Context(), "repo/lock", "me", longTTL)
	mustNil(t, "Acquire", err)

	cases := map[string][]string{
		"repo/":  {"repo/1", "repo/2", "repo/3/x"},
		"repo":   {"repo/1", "repo/2", "repo/3/x", "repos"},
		"glob*":  {"glob*x", "glob*y"},
		"glob?":  {"glob?"},
		"gl[o]":  {"gl[o]b"},
		"glob\\": {"glob\\"},
		"none":   nil,
	}
	for prefix, want := range cases {
		if got := scanKeys(t, s, prefix); !slices.Equal(got, want) {
			t.Errorf("Scan(%q) = %q; want %q", prefix, got, want)
		}
	}
	all := scanKeys(t, s, "")
	if want := slices.Sorted(slices.Values(keys)); !slices.Equal(all, want) {
		t.Errorf("Scan(\"\") = %q; want %q", all, want)
	}
	_ = s.Scan(t.Context(), "repo/1", func(key string, value []byte) (bool, error) {
		if string(value) != "v:"+key {
			t.Errorf("Scan gave %q = %q; want %q", key, value, "v:"+key)
		}
		return true, nil
	})
}

func testScanStopAndError(t *testing.T, s store.Store) {
	for _, k := range []string{"p/1", "p/2", "p/3"} {
		put(t, s, k, "v", 0)
	}
	calls := 0
	err := s.Scan(t.Context(), "p/", func(string, []byte) (bool, error) {
		calls++
		return false, nil
	})
	if err != nil || calls != 1 {
		t.Fatalf("Scan stopped by fn: %d calls, %v; want 1 call, nil", calls, err)
	}
	boom := errors.New("boom")
	err = s.Scan(t.Context(), "p/", func(key string, _ []byte) (bool, error) {
		return true, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Scan with failing fn = %v; want the fn's error", err)
	}
	// fn may modify the store while scanning.
	err = s.Scan(t.Context(), "p/", func(key string, _ []byte) (bool, error) {
		return true, s.Delete(t.Context(), key)
	})
	mustNil(t, "Scan deleting keys", err)
	if keys := scanKeys(t, s, "p/"); len(keys) != 0 {
		t.Fatalf("keys left after deleting during Scan: %q", keys)
	}
}

func testKVBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.Put(ctx, "k", []byte("v"), -time.Second); err == nil {
		t.Error("Put with negative TTL succeeded")
	}
	if err := s.Put(ctx, "", []byte("v"), 0); err == nil {
		t.Error("Put with empty key succeeded")
	}
	if _, err := s.Get(ctx, ""); err == nil {
		t.Error("Get with empty key succeeded")
	}
	if _, err := s.PutIfAbsent(ctx, "", nil, 0); err == nil {
		t.Error("PutIfAbsent with empty key succeeded")
	}
	if _, err := s.CompareAndSwap(ctx, "k", nil, nil, -time.Second); err == nil {
		t.Error("CompareAndSwap with negative TTL succeeded")
	}
	put(t, s, "nil-value", "", 0)
	mustNil(t, "Put nil value", s.Put(ctx, "nil-value", nil, 0))
	wantValue(t, s, "nil-value", "")
}
