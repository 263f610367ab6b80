package storetest

import (
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/store"
)

func lockTests() []namedTest {
	return []namedTest{
		{"Lock/Basics", testLockBasics},
		{"Lock/Expiry", testLockExpiry},
		{"Lock/BadInput", testLockBadInput},
	}
}

func acquire(t *testing.T, s store.Store, key, owner string, ttl time.Duration) bool {
	t.Helper()
	ok, err := s.Acquire(t.Context(), key, owner, ttl)
	mustNil(t, "Acquire", err)
	return ok
}

func refresh(t *testing.T, s store.Store, key, owner string, ttl time.Duration) bool {
	t.Helper()
	ok, err := s.Refresh(t.Context(), key, owner, ttl)
	mustNil(t, "Refresh", err)
	return ok
}

func testLockBasics(t *testing.T, s store.Store) {
	ctx := t.Context()
	if !acquire(t, s, "l", "a", longTTL) {
		t.Fatal("Acquire of a free lock failed")
	}
	if acquire(t, s, "l", "b", longTTL) {
		t.Fatal("Acquire of a held lock by another owner succeeded")
	}
	if !acquire(t, s, "l", "a", longTTL) {
		t.Fatal("re-Acquire by the holder failed")
	}
	if refresh(t, s, "l", "b", longTTL) {
		t.Fatal("Refresh by a non-owner succeeded")
	}
	mustNil(t, "Release by a non-owner", s.Release(ctx, "l", "b"))
	if acquire(t, s, "l", "b", longTTL) {
		t.Fatal("Release by a non-owner freed the lock")
	}
	if !refresh(t, s, "l", "a", longTTL) {
		t.Fatal("Refresh by the holder failed")
	}
	if !acquire(t, s, "other", "b", longTTL) {
		t.Fatal("locks with different keys interfere")
	}
	mustNil(t, "Release", s.Release(ctx, "l", "a"))
	if refresh(t, s, "l", "a", longTTL) {
		t.Fatal("Refresh after Release succeeded")
	}
	if !acquire(t, s, "l", "b", longTTL) {
		t.Fatal("Acquire after Release failed")
	}
	mustNil(t, "Release of a free lock", s.Release(ctx, "free", "a"))
	wantMissing(t, s, "l") // locks are not KV entries
}

func testLockExpiry(t *testing.T, s store.Store) {
	start := time.Now()
	if !acquire(t, s, "l", "a", shortTTL) {
		t.Fatal("Acquire failed")
	}
	eventually(t, "an expired lock to be taken over", func() bool {
		return acquire(t, s, "l", "b", longTTL)
	})
	if elapsed := time.Since(start); elapsed < shortTTL {
		t.Fatalf("lock was taken over after %s; its TTL is %s", elapsed, shortTTL)
	}
	if refresh(t, s, "l", "a", longTTL) {
		t.Fatal("Refresh by the expired holder succeeded")
	}
	mustNil(t, "Release by the expired holder", s.Release(t.Context(), "l", "a"))
	if acquire(t, s, "l", "a", longTTL) {
		t.Fatal("the expired holder's Release freed the new holder's lock")
	}
}

func testLockBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Acquire(ctx, "l", "a", 0); err == nil {
		t.Error("Acquire with zero TTL succeeded")
	}
	if _, err := s.Acquire(ctx, "l", "", longTTL); err == nil {
		t.Error("Acquire with empty owner succeeded")
	}
	if _, err := s.Acquire(ctx, "", "a", longTTL); err == nil {
		t.Error("Acquire with empty key succeeded")
	}
	if _, err := s.Refresh(ctx, "l", "a", -time.Second); err == nil {
		t.Error("Refresh with negative TTL succeeded")
	}
	if err := s.Release(ctx, "", "a"); err == nil {
		t.Error("Release with empty key succeeded")
	}
}
