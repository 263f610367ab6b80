package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
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

// loadYAML loads a YAML config file with body on top of the valid
// environment.
func loadYAML(t *testing.T, body string) (*Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(p, envFrom(validEnv(t)))
}

func TestExternalScanners(t *testing.T) {
	c, err := loadYAML(t, `external_scanners:
  - name: semgrep
    command: ["sh", "-c", "scan", "--sarif", "--output={{output}}", "{{dir}}"]
    timeout: 5m
    version_command: ["sh", "--version"]
    ok_exit_codes: [0, 1, 1]
  - name: trivy_fs-2
    command: ["/bin/sh", "{{output}}"]
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ExternalScanners) != 2 {
		t.Fatalf("external scanners: %+v", c.ExternalScanners)
	}
	sg, tv := c.ExternalScanners[0], c.ExternalScanners[1]
	if sg.Name != "semgrep" || !filepath.IsAbs(sg.Command[0]) || sg.Command[4] != "--output={{output}}" ||
		sg.Timeout != 5*time.Minute || !filepath.IsAbs(sg.VersionCommand[0]) || len(sg.OKExitCodes) != 2 {
		t.Errorf("semgrep: %+v", sg)
	}
	if tv.Timeout != DefaultExternalTimeout || len(tv.OKExitCodes) != 1 || tv.OKExitCodes[0] != 0 || tv.VersionCommand != nil {
		t.Errorf("defaults: %+v", tv)
	}
	if slices.Contains(c.Scanners, "semgrep") {
		t.Errorf("external scanners are not built-ins: %v", c.Scanners)
	}
}

func TestExternalScannersNotFromEnv(t *testing.T) {
	env := validEnv(t)
	env["CONVISO_EXTERNAL_SCANNERS"] = "semgrep"
	c, err := Load("", envFrom(env))
	if err != nil || len(c.ExternalScanners) != 0 {
		t.Fatalf("external scanners come from YAML only: %+v, %v", c, err)
	}
}

func TestExternalScannerErrors(t *testing.T) {
	const ok = `["sh", "{{output}}"]`
	entry := func(name, command, extra string) string {
		return "external_scanners:\n  - name: first\n    command: " + ok +
			"\n  - name: " + name + "\n    command: " + command + "\n" + extra
	}
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"bad name", entry("Sem grep", ok, ""), []string{"external_scanners[1].name", `"Sem grep"`, "allowed: 1 to 41 of a-z"}},
		{"long name", entry(strings.Repeat("a", 42), ok, ""), []string{"external_scanners[1].name", "allowed"}},
		{"empty name", entry(`""`, ok, ""), []string{"external_scanners[1].name", `""`}},
		{"builtin name", entry("gosec", ok, ""), []string{"external_scanners[1].name", `"gosec"`, "gitleaks, gosec, osv"}},
		{"duplicate name", entry("first", ok, ""), []string{"external_scanners[1].name", "already"}},
		{"empty command", entry("x", "[]", ""), []string{"external_scanners[1].command", "is empty"}},
		{"missing command", entry("x", "", ""), []string{"external_scanners[1].command", "is empty"}},
		{"not found", entry("x", `["no-such-scanner-xyz", "{{output}}"]`, ""), []string{"external_scanners[1].command", `"no-such-scanner-xyz"`, "not an executable", "PATH"}},
		{"not executable", entry("x", `["NOEXEC", "{{output}}"]`, ""), []string{"external_scanners[1].command", "plain.txt", "not an executable"}},
		{"relative", entry("x", `["./bin/scan", "{{output}}"]`, ""), []string{"external_scanners[1].command", `"./bin/scan"`, "relative path"}},
		{"no output", entry("x", `["sh", "{{dir}}"]`, ""), []string{"external_scanners[1].command", "no {{output}}"}},
		{"unknown placeholder", entry("x", `["sh", "{{output}}", "--token={{token}}"]`, ""), []string{"external_scanners[1].command", "{{token}}", `"--token={{token}}"`, "allowed: {{dir}}, {{output}}"}},
		{"version not found", entry("x", ok, "    version_command: [\"no-such-scanner-xyz\"]\n"), []string{"external_scanners[1].version_command", "not an executable"}},
		{"version placeholder", entry("x", ok, "    version_command: [\"sh\", \"{{dir}}\"]\n"), []string{"external_scanners[1].version_command", "{{dir}}", "allowed: none"}},
		{"bad timeout", entry("x", ok, "    timeout: soon\n"), []string{"external_scanners[1].timeout", `"soon"`, "up to 1h"}},
		{"negative timeout", entry("x", ok, "    timeout: -1m\n"), []string{"external_scanners[1].timeout", `"-1m"`}},
		{"long timeout", entry("x", ok, "    timeout: 2h\n"), []string{"external_scanners[1].timeout", `"2h"`, "up to 1h"}},
		{"exit code", entry("x", ok, "    ok_exit_codes: [0, 256]\n"), []string{"external_scanners[1].ok_exit_codes", "256", "0 to 255"}},
		{"unknown key", entry("x", ok, "    shell: true\n"), []string{"--config", "shell"}},
		{"not a list", "external_scanners: semgrep\n", []string{"--config", "external_scanners"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plain := filepath.Join(t.TempDir(), "plain.txt")
			if err := os.WriteFile(plain, []byte("not a program"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadYAML(t, strings.ReplaceAll(tc.yaml, "NOEXEC", plain))
			if err == nil {
				t.Fatal("expected an error")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}
