package gitleaks

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenTree is a fixed tree whose findings are recorded in
// testdata/findings.golden.json.
func goldenTree() map[string]string {
	return map[string]string{
		"app/config.yaml": lines("aws:", "  access_key_id: "+awsKey, "  region: eu-west-1"),
		"app/main.go":     lines("package main", "", "// token for the bot", `var token = "`+ghPAT+`"`),
		"deploy/tls.key":  keyBlock,
		"docs/README.md":  lines("Set AWS_ACCESS_KEY_ID, for example to AKIA" + "IOSFODNN7EXAMPLE."),
		"scripts/dup.sh":  lines("export A="+awsKey2, "export B="+awsKey2),
	}
}

func TestGolden(t *testing.T) {
	res := scanFiles(t, goldenTree())
	got, err := json.MarshalIndent(res.Findings, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "findings.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("findings differ from %s (rerun with -update if intended):\n%s", path, got)
	}
}
