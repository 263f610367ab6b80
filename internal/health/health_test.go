package health_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/ghclient"
	"github.com/conviso/conviso-github-app/internal/health"
	"github.com/conviso/conviso-github-app/internal/store"
)

// fakeStore is a StoreHealth with fixed answers.
type fakeStore struct {
	pingErr error
	stats   store.QueueStats
}

func (f fakeStore) Ping(context.Context) error                      { return f.pingErr }
func (f fakeStore) Stats(context.Context) (store.QueueStats, error) { return f.stats, nil }
func (f fakeStore) Backend() string                                 { return "redis" }

func creator(t *testing.T, gh *fakegithub.Server, key []byte) githubapp.ClientCreator {
	t.Helper()
	cc, err := ghclient.NewClientCreator(ghclient.Config{V3APIURL: gh.URL(), AppID: gh.AppID(), PrivateKeyPEM: key}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	return cc
}

func deps(t *testing.T, gh *fakegithub.Server, key []byte) health.Deps {
	return health.Deps{
		GitHub:   creator(t, gh, key),
		Store:    fakeStore{},
		Scanners: []health.Scanner{{Name: "gitleaks", Version: "8.30.1"}},
	}
}

func byName(t *testing.T, r health.Report, name string) health.Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, r.Checks)
	return health.Check{}
}

func TestHealthyPasses(t *testing.T) {
	gh := fakegithub.New(t)
	gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	gh.AddInstallation(fakegithub.InstallationSpec{Account: "globex"})
	r := health.Run(context.Background(), deps(t, gh, gh.PrivateKeyPEM()))
	if r.Status != health.Pass || r.Failed() {
		t.Fatalf("status %s, checks %+v", r.Status, r.Checks)
	}
	if c := byName(t, r, health.NameInstallations); !strings.Contains(c.Detail, "2 of 2") {
		t.Errorf("installations: %+v", c)
	}
	if c := byName(t, r, health.NameScanners); c.Detail != "gitleaks 8.30.1" {
		t.Errorf("scanners: %+v", c)
	}
}

func TestWrongKeyFailsJWTWithAdvice(t *testing.T) {
	gh := fakegithub.New(t)
	gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	r := health.Run(context.Background(), deps(t, gh, other))
	c := byName(t, r, health.NameJWT)
	if c.Status != health.Fail || !strings.Contains(c.Detail, "rejected") || !strings.Contains(c.Action, "private key") {
		t.Errorf("jwt: %+v", c)
	}
	if byName(t, r, health.NameInstallations).Status != health.Fail || !r.Failed() {
		t.Errorf("report: %+v", r)
	}
}

func TestDeliveryFailureRate(t *testing.T) {
	gh := fakegithub.New(t)
	var fail atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if fail.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	send := func(n int) {
		for range n {
			gh.Deliver(srv.URL, "a-webhook-secret-of-16+", gh.PingEvent(srv.URL))
		}
	}
	fail.Store(1)
	send(10) // 1 of 10 failed: warn
	r := health.Run(context.Background(), deps(t, gh, gh.PrivateKeyPEM()))
	if c := byName(t, r, health.NameDeliveries); c.Status != health.Warn || !strings.Contains(c.Detail, "1 of 10") ||
		!strings.Contains(c.Detail, "10.0%") {
		t.Errorf("10%%: %+v", c)
	}
	fail.Store(5)
	send(5) // 6 of 15 failed: fail
	r = health.Run(context.Background(), deps(t, gh, gh.PrivateKeyPEM()))
	if c := byName(t, r, health.NameDeliveries); c.Status != health.Fail || !strings.Contains(c.Detail, "6 of 15") || c.Action == "" {
		t.Errorf("40%%: %+v", c)
	}
	// A day later none of them counts.
	d := deps(t, gh, gh.PrivateKeyPEM())
	d.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	r = health.Run(context.Background(), d)
	if c := byName(t, r, health.NameDeliveries); c.Status != health.Pass {
		t.Errorf("a day later: %+v", c)
	}
}

func TestStuckQueueWarns(t *testing.T) {
	d := health.Deps{Store: fakeStore{stats: store.QueueStats{Ready: 42, OldestReadyAge: 12 * time.Minute}}}
	r := health.Run(context.Background(), d)
	c := byName(t, r, health.NameQueue)
	if c.Status != health.Warn || !strings.Contains(c.Detail, "42 ready") || !strings.Contains(c.Detail, "12m0s") || c.Action == "" {
		t.Errorf("queue: %+v", c)
	}
	d.Store = fakeStore{pingErr: errors.New("connection refused")}
	r = health.Run(context.Background(), d)
	if c := byName(t, r, health.NameStore); c.Status != health.Fail || !strings.Contains(c.Action, "Redis") {
		t.Errorf("store: %+v", c)
	}
}

func TestKeyAge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-200 * 24 * time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	r := health.Run(context.Background(), health.Deps{PrivateKeyPath: path})
	if c := byName(t, r, health.NameKeyAge); c.Status != health.Warn || !strings.Contains(c.Detail, "200 days") {
		t.Errorf("old key: %+v", c)
	}
	if c := byName(t, health.Run(context.Background(), health.Deps{}), health.NameKeyAge); c.Status != health.Pass {
		t.Errorf("inline key: %+v", c)
	}
}
