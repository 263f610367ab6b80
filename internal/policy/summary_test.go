package policy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./policy -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s", path, got)
	}
}

func orgRepo(t *testing.T, branch string) (*Policy, Gate) {
	t.Helper()
	org := parseFile(t, "org.yml")
	org.Source = orgSrc
	repo := parseFile(t, "repo.yml")
	repo.Source = repoSrc
	p, _, _ := Merge(nil, org, repo)
	return p, Effective(p, branch)
}

func TestSummaryGolden(t *testing.T) {
	crit := findings.SeverityCritical
	until := now.Add(10 * 24 * time.Hour)
	cases := []struct {
		name   string
		policy func(t *testing.T) (*Policy, Gate)
		in     Input
	}{
		{"passed", func(t *testing.T) (*Policy, Gate) { p, _, _ := Merge(nil, nil, nil); return p, Effective(p, "main") },
			Input{Scanners: ok, Findings: []findings.Finding{fnd("f-000000000001", medium)}}},
		{"blocked", func(t *testing.T) (*Policy, Gate) { return orgRepo(t, "main") }, Input{
			Scanners: ok,
			Findings: []findings.Finding{
				fnd("f-3fa9c2e1a0b4", crit, rule("aws-access-token"), at("internal/keys.go", 12)),
				fnd("f-000000000002", medium, at("cmd/a.go", 1)), fnd("f-000000000003", medium, at("cmd/b.go", 2)),
				fnd("f-000000000004", high, rule("jwt"), at("auth/token.go", 9)),
				fnd("f-000000000005", high, at("testdata/fake.pem", 1)),
				fnd("f-000000000006", high, tags("example"), at("docs/example.go", 4)),
				fnd("f-000000000007", crit, old, at("legacy/old.go", 7)),
			},
			Exceptions: []Exception{
				{FindingID: "f-000000000004", Kind: KindAcceptedRisk, Until: until, ApprovedBy: "alice",
					ApprovedVia: []string{"@acme/appsec", "@acme/appsec-leads"}},
				{RuleID: "retired-rule", Kind: KindFalsePositive, Until: until, ApprovedBy: "bob", ApprovedVia: []string{"@acme/appsec"}},
				{FindingID: "f-3fa9c2e1a0b4", Kind: KindWontFix, Until: until, ApprovedBy: "bob", ApprovedVia: []string{"@acme/appsec"}},
				{FindingID: "f-000000000002", Kind: KindFalsePositive, Until: now.Add(-time.Hour), ApprovedBy: "bob"},
			},
		}},
		{"release-scope-all", func(t *testing.T) (*Policy, Gate) { return orgRepo(t, "release/2.0") },
			Input{Scanners: ok, Findings: []findings.Finding{fnd("f-000000000007", high, old, at("legacy/old.go", 7))}}},
		{"warn", func(t *testing.T) (*Policy, Gate) { return orgRepo(t, "sandbox/try") },
			Input{Scanners: ok, Findings: []findings.Finding{fnd("f-000000000001", crit)}}},
		{"fail-open", func(t *testing.T) (*Policy, Gate) {
			p, _, _ := merge(t, "", "on_scanner_failure: fail-open")
			return p, Effective(p, "main")
		}, Input{Scanners: append([]ScannerStatus{{Name: "semgrep", Ran: true, RulesRun: 40, Truncated: true}}, ok...)}},
		{"off", func(t *testing.T) (*Policy, Gate) {
			p, _, _ := merge(t, "", "mode: off")
			return p, Effective(p, "main")
		}, Input{Findings: []findings.Finding{fnd("f-000000000001", crit)}}},
		{"problems", func(t *testing.T) (*Policy, Gate) {
			p, _, _ := merge(t, "gate: {max: {high: 0}}\nlock: [gate.max, mode]", "mode: warn\ngate: {max: {high: 3}}\nlock: [mode]")
			return p, Effective(p, "main")
		}, Input{Scanners: ok}},
		{"hostile", func(t *testing.T) (*Policy, Gate) {
			p, _, _ := merge(t, "", "gate: {always_block: {rules: [\"x|y\"]}}\nignore: [{paths: [\"a/**\"], reason: \"@team see <b>[link](http://e.vil)</b>\"}]\n"+
				"exceptions: {approvers: [\"@acme/appsec\"]}")
			return p, Effective(p, "main")
		}, Input{
			Scanners: []ScannerStatus{{Name: "sem`grep", Error: "<script>alert(1)</script> @admin\n| broken | table"}},
			Findings: []findings.Finding{
				fnd("f-1`|`@x", crit, rule("x|y"), at("src/`evil`|@octocat\n# head.go", 3)),
				fnd("f-000000000009", high, rule("**bold** @everyone #1"), at("a/b.go", 1)),
			},
			Exceptions: []Exception{{RuleID: "<img src=x>", Kind: KindFalsePositive, Until: until, ApprovedBy: "@evil\n| x |",
				ApprovedVia: []string{"@acme/appsec"}}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, g := tc.policy(t)
			tc.in.Now = now
			d := Evaluate(g, tc.in)
			out := RenderSummary(d, p.Source())
			golden(t, "summary-"+tc.name+".golden", out)
			checkMarkdownSafe(t, out)
		})
	}
}

// checkMarkdownSafe: outside code spans, no @mention, #reference, HTML or
// unescaped pipe in a table row survives.
func checkMarkdownSafe(t *testing.T, md string) {
	t.Helper()
	for _, line := range strings.Split(md, "\n") {
		prose := stripCode(line)
		for i := 0; i < len(prose); i++ {
			switch prose[i] {
			case '@':
				if !strings.HasPrefix(prose[i+1:], "\u200d") {
					t.Errorf("@ not neutralised in %q", line)
				}
			case '<':
				if !strings.HasPrefix(prose[i:], "<sub>") && !strings.HasPrefix(prose[i:], "</sub>") {
					t.Errorf("raw < in %q", line)
				}
			}
		}
		if strings.HasPrefix(line, "| ") {
			cells := strings.Count(strings.ReplaceAll(prose, `\|`, ""), "|")
			header := strings.Count(strings.ReplaceAll(stripCode(tableHeaderOf(md, line)), `\|`, ""), "|")
			if cells != header {
				t.Errorf("row %q has %d pipes, its header %d", line, cells, header)
			}
		}
	}
}

// tableHeaderOf finds the header row of the table holding row.
func tableHeaderOf(md, row string) string {
	lines := strings.Split(md, "\n")
	header := ""
	for _, l := range lines {
		if strings.HasPrefix(l, "| ") && header == "" {
			header = l
		}
		if !strings.HasPrefix(l, "|") {
			header = ""
		}
		if l == row {
			return header
		}
	}
	return row
}

// stripCode removes inline code spans (a run of n backticks up to the next
// run of exactly n) from a line.
func stripCode(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		end := closing(line, i+n, n)
		if end < 0 {
			b.WriteString(line[i:])
			break
		}
		i = end + n
	}
	return b.String()
}

func closing(line string, from, n int) int {
	for j := from; j < len(line); {
		if line[j] != '`' {
			j++
			continue
		}
		m := 0
		for j+m < len(line) && line[j+m] == '`' {
			m++
		}
		if m == n {
			return j
		}
		j += m
	}
	return -1
}

// TestSummaryBudget: a huge decision still fits in MaxSummaryBytes and says
// what it left out.
func TestSummaryBudget(t *testing.T) {
	g := gate(t, "exceptions: {approvers: [alice]}\nignore: [{paths: [\"x/**\"], reason: r}]")
	var in Input
	for i := 0; i < 3000; i++ {
		long := strings.Repeat("p", 300)
		in.Findings = append(in.Findings, fnd("f-"+strings.Repeat("a", 12)+string(rune('a'+i%26)), high, at(long+"/f.go", i)))
		in.Exceptions = append(in.Exceptions, Exception{FindingID: "gone-" + long, Kind: KindFalsePositive, Until: now.Add(time.Hour), ApprovedBy: "alice"})
		in.Scanners = append(in.Scanners, ScannerStatus{Name: "s" + strings.Repeat("x", 60), Error: long})
	}
	in.Now = now
	out := RenderSummary(Evaluate(g, in), Source{})
	if len(out) > MaxSummaryBytes || !strings.Contains(out, "more") {
		t.Errorf("summary is %d bytes (limit %d)", len(out), MaxSummaryBytes)
	}
	checkMarkdownSafe(t, out)
}
