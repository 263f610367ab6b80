package policy

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// FuzzParse: Parse never panics; it returns either a *ValidationError
// naming the file, or a File that passes Validate and that Merge,
// Effective, Evaluate and RenderSummary handle, as org and as repo file.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/policies/*.yml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{DefaultYAML, "", "mode: block\n", "gate:\n  max:\n    critcal: 1\n", "a: &a [*a]\n",
		"branches: [{match: \"{a,b}/**\", mode: warn}]\n", "lock: [gate]\n", "ignore: [{paths: [\"[\"], reason: x}]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(name, data)
		if err != nil {
			var ve *ValidationError
			if file != nil || !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("Parse = %v, %v", file, err)
			}
			for _, e := range ve.Errors {
				if e.File != name || e.Msg == "" {
					t.Fatalf("bad error %#v", e)
				}
			}
			return
		}
		if err := file.Validate(); err != nil {
			t.Fatalf("accepted file does not re-validate: %v\n%q", err, data)
		}
		exercise(t, file)
	})
}

func exercise(t *testing.T, file *File) {
	org, repo := *file, *file
	org.Source, repo.Source = orgSrc, repoSrc
	p, _, _ := Merge(nil, &org, &repo)
	in := Input{Now: time.Unix(1.7e9, 0), Scanners: []ScannerStatus{{Name: "gitleaks", Ran: true, RulesRun: 1}},
		Findings: []findings.Finding{fnd("f-1", findings.SeverityCritical, tags("secret"), cwe("CWE-798")),
			fnd("f-2", findings.SeverityLow, old, at("testdata/a.go", 1))},
		Exceptions: []Exception{{FindingID: "f-1", Kind: KindTestCode, Until: time.Unix(1.8e9, 0), ApprovedBy: "alice"}}}
	for _, branch := range []string{"main", "release/1.0", "sandbox/a/b", ""} {
		d := Evaluate(Effective(p, branch), in)
		if d.Outcome == "" || d.Conclusion == "" && d.Outcome != OutcomeOff {
			t.Fatalf("empty decision %+v", d)
		}
		if s := RenderSummary(d, p.Source()); len(s) > MaxSummaryBytes {
			t.Fatalf("summary of %d bytes", len(s))
		}
	}
}
