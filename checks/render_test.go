package checks

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func finding(id, rule, path string, line int, sev findings.Severity, isNew bool) findings.Finding {
	return findings.Finding{
		ID: id, Fingerprint: id + "-fp", Scanner: "gitleaks", RuleID: rule, Title: "Detected a " + rule,
		Message: "A credential was committed.", Severity: sev, Path: path, StartLine: line, EndLine: line, New: isNew,
	}
}

// decide applies the server default policy, as a scan without policy
// files does.
func decide(fs []findings.Finding) (policy.Decision, policy.Source) {
	p, _, _ := policy.Merge(nil, nil, nil)
	d := policy.Evaluate(policy.Effective(p, "main"), policy.Input{Findings: fs, Now: time.Unix(0, 0),
		Scanners: []policy.ScannerStatus{{Name: "gitleaks", Ran: true, RulesRun: 200}}})
	return d, p.Source()
}

func report(fs []findings.Finding, pr int) Report {
	d, src := decide(fs)
	return Report{Findings: fs, Decision: d, Source: src, PullRequest: pr,
		Scanners: []ScannerRun{{Name: "gitleaks", Version: "v8.30.1", Files: 42, Rules: 200}}}
}

func sampleReport() Report {
	return report([]findings.Finding{
		finding("f-000000000001", "aws-access-token", "internal/keys.go", 12, findings.SeverityCritical, true),
		finding("f-000000000002", "generic-api-key", "cmd/main.go", 3, findings.SeverityMedium, true),
		finding("f-000000000003", "github-pat", "old/config.go", 7, findings.SeverityHigh, false),
	}, 7)
}

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./checks -update): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from golden file; run go test ./checks -update and review the diff.\n--- got ---\n%s", name, got)
	}
}

func TestRenderBlockedGolden(t *testing.T) {
	out := Render(sampleReport())
	if out.Conclusion != "failure" || !strings.HasPrefix(out.Title, "Blocked: 1 new critical finding") {
		t.Fatalf("conclusion/title = %q / %q", out.Conclusion, out.Title)
	}
	if len(out.Annotations) != 2 {
		t.Fatalf("want 2 annotations (new findings only), got %d", len(out.Annotations))
	}
	a := out.Annotations[0]
	if a.GetPath() != "internal/keys.go" || a.GetStartLine() != 12 || a.GetAnnotationLevel() != "failure" ||
		a.GetTitle() != "Detected a aws-access-token [f-000000000001]" {
		t.Errorf("unexpected first annotation: %+v", a)
	}
	if out.Annotations[1].GetAnnotationLevel() != "warning" {
		t.Errorf("medium must be a warning annotation")
	}
	anns, _ := json.MarshalIndent(out.Annotations, "", "  ")
	golden(t, "blocked.summary.md", out.Summary)
	golden(t, "blocked.annotations.json", string(anns)+"\n")
}

func TestRenderPass(t *testing.T) {
	fs := []findings.Finding{finding("f-1", "generic-api-key", "a.go", 1, findings.SeverityLow, true)}
	out := Render(report(fs, 0))
	if out.Conclusion != "success" || !strings.HasPrefix(out.Title, "Passed") {
		t.Fatalf("got %q %q", out.Conclusion, out.Title)
	}
	if out.Annotations[0].GetAnnotationLevel() != "notice" {
		t.Error("low must be a notice annotation")
	}
}

func TestRenderStaysUnderGitHubLimits(t *testing.T) {
	var fs []findings.Finding
	for i := 0; i < 5000; i++ {
		fs = append(fs, finding(fmt.Sprintf("f-%012d", i), "rule-`|*_<b>@team", strings.Repeat("dir/", 30)+fmt.Sprintf("f%d.go", i), i+1, findings.SeverityHigh, i%2 == 0))
	}
	out := Render(report(fs, 1))
	if len(out.Summary) > MaxSummaryLen {
		t.Fatalf("summary is %d bytes, over %d", len(out.Summary), MaxSummaryLen)
	}
	if !strings.Contains(out.Summary, "left out of this summary") {
		t.Error("summary must say how many findings were left out")
	}
	if len(out.Annotations) != MaxAnnotations {
		t.Errorf("annotations = %d, want the cap %d", len(out.Annotations), MaxAnnotations)
	}
	if !strings.Contains(out.Summary, fmt.Sprintf("Only the first %d new findings are annotated", MaxAnnotations)) {
		t.Error("summary must say annotations were capped")
	}
	for _, a := range out.Annotations {
		if len(a.GetTitle()) > MaxAnnotationTitleLen {
			t.Fatalf("annotation title too long: %d", len(a.GetTitle()))
		}
	}
}

func TestRenderFailureAndSuperseded(t *testing.T) {
	f := RenderFailure("downloading tarball: unexpected status 404 Not Found")
	if f.Conclusion != "failure" || !strings.HasPrefix(f.Title, "Scan failed: downloading tarball") {
		t.Fatalf("failure output: %+v", f)
	}
	s := RenderSuperseded("abc123")
	if s.Conclusion != "neutral" || !strings.Contains(s.Title, "Superseded") || !strings.Contains(s.Summary, "abc123") {
		t.Fatalf("superseded output: %+v", s)
	}
}

func TestRenderBrokenPolicy(t *testing.T) {
	r := report(nil, 3)
	r.Broken = []string{".github/conviso.yml:7:9: gate.max.critcal: unknown key (allowed: critical, high, medium, low)"}
	out := Render(r)
	if out.Conclusion != "failure" || !strings.Contains(out.Title, "gate.max.critcal") || !strings.Contains(out.Summary, "fails closed") {
		t.Fatalf("a broken policy must fail closed and say why: %q %q", out.Conclusion, out.Title)
	}
	r.FailOpen = true
	if out := Render(r); out.Conclusion != "neutral" {
		t.Fatalf("fail-open: %q", out.Conclusion)
	}
}
