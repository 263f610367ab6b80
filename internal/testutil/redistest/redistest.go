// Package redistest connects tests to a real Redis and gives each test its
// own key namespace.
//
// The server is taken from CONVISO_TEST_REDIS_URL (default
// redis://127.0.0.1:6379/0). When it cannot be reached the test is skipped
// with a message saying how to enable it, unless CONVISO_REQUIRE_REDIS=1
// (set in CI), in which case the test fails.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// URLEnv names the environment variable holding the test Redis URL.
	URLEnv = "CONVISO_TEST_REDIS_URL"
	// RequireEnv names the environment variable that, set to 1, turns an
	// unreachable Redis into a test failure instead of a skip.
	RequireEnv = "CONVISO_REQUIRE_REDIS"
	// DefaultURL is used when URLEnv is unset.
	DefaultURL = "redis://127.0.0.1:6379/0"

	pingTimeout = 2 * time.Second
)

// URL returns the Redis URL tests should use.
func URL() string {
	if u := os.Getenv(URLEnv); u != "" {
		return u
	}
	return DefaultURL
}

// New returns a client for the test Redis, closed when the test ends. When
// Redis is unreachable it skips the test, or fails it if RequireEnv is 1.
// Reachability is probed once per test binary, so a missing Redis costs one
// connection timeout, not one per test.
func New(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(URL())
	if err != nil {
		t.Fatalf("redistest: %s is not a valid Redis URL: %v", URLEnv, err)
	}
	if err := probe(); err != nil {
		unreachable(t, opts.Addr, err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// probe pings the test Redis once per process and remembers the outcome.
var probe = sync.OnceValue(func() error {
	opts, err := redis.ParseURL(URL())
	if err != nil {
		return err
	}
	opts.MaxRetries = -1 // fail fast: one dial, no retries
	client := redis.NewClient(opts)
	defer func() { _ = client.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	return client.Ping(ctx).Err()
})

func unreachable(t testing.TB, addr string, err error) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("redistest: Redis at %s is unreachable (%v) and %s=1 requires it", addr, err, RequireEnv)
	}
	t.Skipf("redistest: skipping, Redis at %s is unreachable (%v); start Redis or point %s at one "+
		"to run this test (%s=1 makes this a failure)", addr, err, URLEnv, RequireEnv)
}

// Prefix returns a key prefix unique to this test ("conviso-test:<random>:")
// and deletes every key under it when the test ends, over a connection of
// its own (so the test may close its clients, for example to simulate a
// dying replica).
func Prefix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	prefix := "conviso-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() { deleteKeys(t, prefix) })
	return prefix
}

// deleteKeys removes every key under prefix.
func deleteKeys(t testing.TB, prefix string) {
	opts, err := redis.ParseURL(URL())
	if err != nil {
		t.Errorf("redistest: %s is not a valid Redis URL: %v", URLEnv, err)
		return
	}
	client := redis.NewClient(opts)
	defer func() { _ = client.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := client.Scan(ctx, 0, escapeGlob(prefix)+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("redistest: listing keys under %s: %v", prefix, err)
		return
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := client.Del(ctx, keys[:n]...).Err(); err != nil {
			t.Errorf("redistest: deleting keys under %s: %v", prefix, err)
			return
		}
		keys = keys[n:]
	}
}

func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
