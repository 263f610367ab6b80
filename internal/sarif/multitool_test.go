package sarif

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMicrosoftValidator runs Microsoft's SARIF validator (the validate
// verb of @microsoft/sarif-multitool, with the SARIF and the GitHub rule
// sets) on Write's output when SARIF_MULTITOOL names its executable; see
// docs/sarif.md for how to install it. Without it the test is skipped: it
// is not required for the suite.
func TestMicrosoftValidator(t *testing.T) {
	tool := os.Getenv("SARIF_MULTITOOL")
	if tool == "" {
		t.Skip("SARIF_MULTITOOL is not set: Microsoft's SARIF validator not run (see docs/sarif.md)")
	}
	tools, fs := importAll(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "export.sarif"), filepath.Join(dir, "validation.sarif")
	var buf bytes.Buffer
	if err := Write(&buf, tools, append(fs, handMadeFindings()...)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), tool, "validate", in, "-o", out, "--log", "ForceOverwrite", "--rule-kind", "Sarif;Gh")
	cmd.Env = append(os.Environ(), "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	console, err := cmd.CombinedOutput()
	t.Logf("%s", console)
	if err != nil {
		t.Fatalf("%s validate: %v", tool, err)
	}
	for _, p := range validatorProblems(t, out) {
		if p.level == "error" {
			t.Errorf("validator error %s: %s", p.rule, p.text)
		} else {
			t.Logf("validator %s %s: %s", p.level, p.rule, p.text)
		}
	}
}

// problem is one finding of the validator.
type problem struct{ level, rule, text string }

// validatorProblems reads the validator's own SARIF log.
func validatorProblems(t *testing.T, path string) []problem {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text      string   `json:"text"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
			Invocations []struct {
				Notifications []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("reading the validator's log: %v", err)
	}
	var out []problem
	for _, run := range log.Runs {
		for _, r := range run.Results {
			text := r.Message.Text
			if text == "" {
				text = strings.Join(r.Message.Arguments, " ")
			}
			out = append(out, problem{level: cmpOr(r.Level, "warning"), rule: r.RuleID, text: text})
		}
		for _, inv := range run.Invocations {
			for _, n := range inv.Notifications {
				out = append(out, problem{level: n.Level, rule: "notification", text: n.Message.Text})
			}
		}
	}
	return out
}
