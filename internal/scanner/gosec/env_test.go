package gosec

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// envMap turns KEY=VALUE pairs into a map, failing on duplicates.
func envMap(t *testing.T, env []string) map[string]string {
	t.Helper()
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("malformed %q", kv)
		}
		if _, dup := m[k]; dup {
			t.Fatalf("%s set twice", k)
		}
		m[k] = v
	}
	return m
}

func TestGoEnvironment(t *testing.T) {
	// Whatever the host says...
	t.Setenv("GOFLAGS", "-toolexec=/usr/bin/env -overlay=x.json")
	t.Setenv("GOPROXY", "https://proxy.golang.org")
	t.Setenv("GOTOOLCHAIN", "go1.99.0")
	t.Setenv("CGO_ENABLED", "1")
	t.Setenv("GOWORK", "/tmp/go.work")
	t.Setenv("GOEXPERIMENT", "arenas")
	t.Setenv("GOPACKAGESDRIVER", "/usr/local/bin/driver")

	s := newScanner(t)
	r := &run{ctx: context.Background(), s: s, root: t.TempDir()}
	cfg := r.config(r.root, "readonly")
	// ... go/packages gets exactly this, and passes nothing else on.
	if !slices.Equal(cfg.Env, s.dirs.goEnv("readonly")) {
		t.Fatalf("config env %q differs from goEnv", cfg.Env)
	}
	env := envMap(t, cfg.Env)
	want := map[string]string{
		"GOPROXY":          "off",
		"GOSUMDB":          "off",
		"GOVCS":            "*:off",
		"GOTOOLCHAIN":      "local",
		"GOWORK":           "off",
		"GO111MODULE":      "on",
		"GOENV":            "off",
		"CGO_ENABLED":      "0",
		"GOPACKAGESDRIVER": "off",
		"GOFLAGS":          "-mod=readonly -buildvcs=false",
		"GOMODCACHE":       s.dirs.modcache,
		"GOPATH":           s.dirs.gopath,
		"HOME":             s.dirs.home,
		"GOCACHE":          s.dirs.gocache,
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s=%q, want %q", k, env[k], v)
		}
	}
	if strings.Contains(env["GOFLAGS"], "toolexec") || strings.Contains(env["GOFLAGS"], "overlay") {
		t.Errorf("GOFLAGS=%q", env["GOFLAGS"])
	}
	if _, ok := env["GOEXPERIMENT"]; ok {
		t.Error("GOEXPERIMENT inherited")
	}
	for k := range env {
		if _, known := want[k]; !known && !slices.Contains([]string{"PATH", "TMPDIR", "GONOSUMDB", "GONOPROXY", "GOPRIVATE", "GOINSECURE"}, k) {
			t.Errorf("unexpected variable %s", k)
		}
	}
	if got := envMap(t, s.dirs.goEnv(""))["GOFLAGS"]; got != "-buildvcs=false" {
		t.Errorf("loose files' GOFLAGS=%q", got)
	}
}

func TestModFlag(t *testing.T) {
	dir := t.TempDir()
	if got := modFlag(dir); got != "readonly" {
		t.Errorf("modFlag without vendor = %q", got)
	}
	if err := writeFile(filepath.Join(dir, "vendor", "modules.txt"), "# example.com/dep v1.0.0\n"); err != nil {
		t.Fatal(err)
	}
	if got := modFlag(dir); got != "vendor" {
		t.Errorf("modFlag with vendor/modules.txt = %q", got)
	}
}

// TestHostSettingsCannotRunTools scans with a host environment that would
// run programs if it reached the go command or go/packages: a -toolexec
// wrapper in GOFLAGS, a gopackagesdriver on PATH and GOPACKAGESDRIVER. Each
// would leave a mark; none may.
func TestHostSettingsCannotRunTools(t *testing.T) {
	bin := t.TempDir()
	mark := filepath.Join(t.TempDir(), "ran")
	script := "#!/bin/sh\necho \"$0 $*\" >> '" + mark + "'\nexit 1\n"
	for _, name := range []string{"toolexec", "gopackagesdriver"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("GOFLAGS", "-toolexec="+filepath.Join(bin, "toolexec"))
	t.Setenv("GOPACKAGESDRIVER", filepath.Join(bin, "gopackagesdriver"))
	t.Setenv("GOPROXY", "https://proxy.golang.org")
	t.Setenv("GOTOOLCHAIN", "auto")

	s := newScannerWith(t, Options{})
	res := scan(t, s, filepath.Join("testdata", "."))
	if _, err := os.Stat(mark); err == nil {
		body, _ := os.ReadFile(mark)
		t.Fatalf("a host tool ran: %s", body)
	}
	if len(res.Findings) == 0 {
		t.Error("no findings")
	}
	if entries, err := os.ReadDir(s.dirs.modcache); err != nil || len(entries) != 0 {
		t.Errorf("module cache holds %v (%v): something was downloaded", entries, err)
	}
}

func TestCloseRemovesPrivateFolders(t *testing.T) {
	cache := t.TempDir()
	s, err := New(Options{GoCache: cache})
	if err != nil {
		t.Fatal(err)
	}
	base := s.dirs.base
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(base); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", base, err)
	}
	if _, err := os.Stat(cache); err != nil {
		t.Errorf("Close removed Options.GoCache: %v", err)
	}
}
