package ghclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// testKeyPEM is an RSA key for signing App JWTs in tests, made once.
var testKeyPEM = sync.OnceValue(func() []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
})

func validConfig() Config {
	return Config{AppID: 1234, PrivateKeyPEM: testKeyPEM(), WebhookSecret: "whsec"}
}

func TestConfigDefaults(t *testing.T) {
	n, err := validConfig().normalized()
	if err != nil {
		t.Fatal(err)
	}
	if n.V3APIURL != DefaultV3APIURL || n.V4APIURL != "https://api.github.com/graphql" {
		t.Errorf("URLs %q, %q", n.V3APIURL, n.V4APIURL)
	}
	if n.UserAgent != DefaultUserAgent || n.Timeout != DefaultTimeout || n.MaxRetryWait != DefaultMaxRetryWait {
		t.Errorf("defaults not applied: %+v", n)
	}
}

func TestV4URLDerivation(t *testing.T) {
	cases := []struct{ v3, v4, want string }{
		{"https://api.github.com", "", "https://api.github.com/graphql"},
		{"https://ghe.example.com/api/v3/", "", "https://ghe.example.com/api/graphql"},
		{"https://ghe.example.com/api/v3", "", "https://ghe.example.com/api/graphql"},
		{"http://127.0.0.1:8080/", "", "http://127.0.0.1:8080/graphql"},
		{"http://127.0.0.1:8080/fake/", "", "http://127.0.0.1:8080/fake/graphql"},
		{"https://api.github.com/", "https://gql.example.com/graphql/", "https://gql.example.com/graphql"},
	}
	for _, tc := range cases {
		cfg := validConfig()
		cfg.V3APIURL, cfg.V4APIURL = tc.v3, tc.v4
		n, err := cfg.normalized()
		if err != nil {
			t.Fatalf("%s: %v", tc.v3, err)
		}
		if n.V4APIURL != tc.want || !strings.HasSuffix(n.V3APIURL, "/") {
			t.Errorf("v3 %q v4 %q: got v3 %q v4 %q, want v4 %q", tc.v3, tc.v4, n.V3APIURL, n.V4APIURL, tc.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
	garbage := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("SECRETKEYMATERIAL")})

	cases := map[string]func(*Config){
		"AppID":             func(c *Config) { c.AppID = 0 },
		"missing key":       func(c *Config) { c.PrivateKeyPEM = nil },
		"garbage key":       func(c *Config) { c.PrivateKeyPEM = garbage },
		"non-RSA key":       func(c *Config) { c.PrivateKeyPEM = ecPEM },
		"relative URL":      func(c *Config) { c.V3APIURL = "api.github.com" },
		"ftp URL":           func(c *Config) { c.V3APIURL = "ftp://api.github.com/" },
		"URL with password": func(c *Config) { c.V3APIURL = "https://u:hunter2@api.github.com/" },
		"bad V4":            func(c *Config) { c.V4APIURL = "graphql" },
		"negative timeout":  func(c *Config) { c.Timeout = -time.Second },
	}
	for name, mutate := range cases {
		cfg := validConfig()
		mutate(&cfg)
		_, err := NewClientCreator(cfg, zerolog.Nop())
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, secret := range []string{"SECRETKEYMATERIAL", "hunter2", "PRIVATE KEY"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error %q quotes a secret", name, err)
			}
		}
	}
}

func TestGitHubAppConfig(t *testing.T) {
	cfg := validConfig()
	cfg.V3APIURL = "https://ghe.example.com/api/v3"
	gc, err := cfg.GitHubAppConfig()
	if err != nil {
		t.Fatal(err)
	}
	if gc.V3APIURL != "https://ghe.example.com/api/v3/" || gc.V4APIURL != "https://ghe.example.com/api/graphql" ||
		gc.App.IntegrationID != 1234 || gc.App.WebhookSecret != "whsec" || gc.App.PrivateKey != string(testKeyPEM()) {
		t.Fatalf("unexpected config %+v", gc)
	}
}

func TestTimeoutNotAboveMaxRetryWaitWarns(t *testing.T) {
	var logs lockedBuffer
	cfg := validConfig()
	cfg.Timeout, cfg.MaxRetryWait = 30*time.Second, time.Minute
	if _, err := NewClientCreator(cfg, zerolog.New(&logs)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "Timeout does not exceed MaxRetryWait") {
		t.Fatalf("no warning logged: %s", logs.String())
	}
}

func TestSystemClockSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (SystemClock{}).Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Sleep returned %v, want context.Canceled", err)
	}
	if err := (SystemClock{}).Sleep(context.Background(), time.Nanosecond); err != nil {
		t.Fatalf("short Sleep returned %v", err)
	}
}

func TestEqualJitterBounds(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 2, time.Second, time.Minute} {
		for range 100 {
			if j := EqualJitter(d); j < d/2 || j > d {
				t.Fatalf("EqualJitter(%v) = %v, outside [d/2, d]", d, j)
			}
		}
	}
}
