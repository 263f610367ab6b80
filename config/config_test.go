package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testKey(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func envFrom(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func validEnv(t *testing.T) map[string]string {
	return map[string]string{
		"CONVISO_GITHUB_APP_ID":         "42",
		"CONVISO_GITHUB_PRIVATE_KEY":    testKey(t),
		"CONVISO_GITHUB_WEBHOOK_SECRET": "0123456789abcdef-secret",
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load("", envFrom(validEnv(t)))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != DefaultAddr || c.GitHubAPIURL != DefaultGitHubAPIURL || c.GitHubWebURL != DefaultGitHubWebURL ||
		c.DataDir != DefaultDataDir || c.LogFormat != "json" || c.LogLevel != "info" || c.AppID != 42 ||
		c.CheckName != DefaultCheckName || c.Workers != DefaultWorkers || c.MaxWebhookBytes != DefaultMaxWebhookBytes ||
		c.JobLease != DefaultJobLease || c.ShutdownGrace != DefaultShutdownGrace || c.ScanTimeout != DefaultScanTimeout {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantSub []string
	}{
		{"missing app id", map[string]string{"CONVISO_GITHUB_APP_ID": ""}, []string{"CONVISO_GITHUB_APP_ID", "required"}},
		{"bad app id", map[string]string{"CONVISO_GITHUB_APP_ID": "abc"}, []string{"CONVISO_GITHUB_APP_ID", `"abc"`, "positive integer"}},
		{"bad key", map[string]string{"CONVISO_GITHUB_PRIVATE_KEY": "not a key"}, []string{"CONVISO_GITHUB_PRIVATE_KEY", "PEM"}},
		{"both keys", map[string]string{"CONVISO_GITHUB_PRIVATE_KEY_PATH": "/x.pem"}, []string{"not both"}},
		{"short secret", map[string]string{"CONVISO_GITHUB_WEBHOOK_SECRET": "short"}, []string{"CONVISO_GITHUB_WEBHOOK_SECRET", "at least 16"}},
		{"log format", map[string]string{"CONVISO_LOG_FORMAT": "xml"}, []string{"CONVISO_LOG_FORMAT", `"xml"`, "json, console"}},
		{"log level", map[string]string{"CONVISO_LOG_LEVEL": "loud"}, []string{"CONVISO_LOG_LEVEL", "trace, debug"}},
		{"api url", map[string]string{"CONVISO_GITHUB_API_URL": "ftp://x"}, []string{"CONVISO_GITHUB_API_URL", "http(s)"}},
		{"redis url", map[string]string{"CONVISO_REDIS_URL": "http://u:hunter2@h"}, []string{"CONVISO_REDIS_URL", "redis://"}},
		{"workers", map[string]string{"CONVISO_WORKERS": "0"}, []string{"CONVISO_WORKERS", "from 1 to 256"}},
		{"timeout", map[string]string{"CONVISO_SCAN_TIMEOUT": "-1s"}, []string{"CONVISO_SCAN_TIMEOUT", "positive duration"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := validEnv(t)
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := Load("", envFrom(env))
			if err == nil {
				t.Fatal("expected an error")
			}
			msg := err.Error()
			for _, s := range tc.wantSub {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not mention %q", msg, s)
				}
			}
			if strings.Contains(msg, "hunter2") || strings.Contains(msg, "0123456789abcdef-secret") {
				t.Errorf("error leaks a secret: %q", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

func TestYAMLAndEnvPrecedence(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyPath, []byte(testKey(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "conviso.yml")
	yml := "addr: \":9000\"\ngithub_app_id: \"7\"\ngithub_private_key_path: " + keyPath +
		"\ngithub_webhook_secret: from-yaml-0123456789\nscan_timeout: 2m\nlog_format: console\n"
	if err := os.WriteFile(cfgPath, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(cfgPath, envFrom(map[string]string{"CONVISO_ADDR": ":9100"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9100" || c.AppID != 7 || c.ScanTimeout != 2*time.Minute || c.LogFormat != "console" {
		t.Fatalf("unexpected config: %+v", c)
	}
}

func TestYAMLUnknownKey(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yml")
	if err := os.WriteFile(p, []byte("adress: \":1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p, envFrom(validEnv(t)))
	if err == nil || !strings.Contains(err.Error(), "adress") || !strings.Contains(err.Error(), "allowed keys") {
		t.Fatalf("want unknown-key error, got %v", err)
	}
}
