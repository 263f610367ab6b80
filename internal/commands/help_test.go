package commands

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestHelpGolden pins Help's text; run with -update after changing the table.
func TestHelpGolden(t *testing.T) {
	path := filepath.Join("testdata", "help.golden")
	got := Help()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestHelpGolden -update ./commands/)", err)
	}
	if got != string(want) {
		t.Errorf("Help() differs from %s (run with -update if intended):\n%s", path, got)
	}
}

// TestHelpCoversTheTable checks that Help and the usages come from the
// table: every command's usage and every exception kind appear, and every
// usage parses as the command it documents once its placeholders are filled.
func TestHelpCoversTheTable(t *testing.T) {
	help := Help()
	fill := strings.NewReplacer(argTarget, fid, kindPlaceholder(), string(TestCode), argUntil, "until:2026-12-31", argReason, "a reason")
	for _, s := range specs {
		if !strings.Contains(help, "`"+s.usage()+"`: "+s.about) {
			t.Errorf("Help() lacks %q", s.usage())
		}
		line := fill.Replace(s.usage())
		got := Parse(line, now)
		if len(got.Commands) != 1 || got.Commands[0].Kind != s.kind {
			t.Errorf("the usage %q, filled in as %q, parses to %+v", s.usage(), line, got)
		}
	}
	for _, k := range exceptionKinds {
		if !strings.Contains(help, "`"+string(k.kind)+"`: "+k.about) {
			t.Errorf("Help() lacks the kind %q", k.kind)
		}
	}
}
