package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	bad := filepath.Join(dir, "bad.yml")
	write(t, good, "version: 1\nmode: warn\ngate:\n  block_at: critical\n")
	write(t, bad, "version: 1\nmode: block\ngate:\n  max:\n    critcal: 0\n")
	var out bytes.Buffer
	if code := PolicyValidate(good, &out); code != ExitPass {
		t.Fatalf("valid policy: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := PolicyValidate(bad, &out); code != ExitBlock {
		t.Fatalf("invalid policy: exit %d, want 1", code)
	}
	for _, want := range []string{"bad.yml:2:", "mode", `"block"`, "enforce", "bad.yml:5:", "critcal"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output does not mention %q:\n%s", want, out.String())
		}
	}
	if code := PolicyValidate(filepath.Join(dir, "missing.yml"), &out); code != ExitError {
		t.Fatalf("missing file: exit %d, want 2", code)
	}
}

func TestPolicyExplainShowsWhereValuesComeFrom(t *testing.T) {
	dir := t.TempDir()
	org := filepath.Join(dir, "org.yml")
	repo := filepath.Join(dir, "repo.yml")
	write(t, org, "version: 1\ngate:\n  block_at: critical\nlock: [gate.block_at]\n")
	write(t, repo, "version: 1\nmode: warn\n")
	var out bytes.Buffer
	if code := PolicyExplain(org, repo, "main", &out); code != ExitPass {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	for _, want := range []string{"org.yml", "repo.yml", "gate.block_at", "critical", "mode", "warn"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain does not mention %q:\n%s", want, out.String())
		}
	}
}
