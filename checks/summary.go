package checks

import (
	"fmt"
	"strings"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// maxListed bounds the findings listed in one summary table before the
// length budget is even considered.
const maxListed = 200

// summary renders the Markdown summary, kept under MaxSummaryLen: when the
// tables do not fit, rows are dropped and the summary says how many.
func summary(r Report, newF, oldF []findings.Finding) string {
	var b strings.Builder
	b.WriteString(decisionSection(r))
	b.WriteString(countsTable(newF, oldF))
	tail := scannersSection(r.Scanners) + footer(len(newF))
	budget := MaxSummaryLen - b.Len() - len(tail)
	b.WriteString(findingsSection("New findings", newF, budget*3/4))
	budget = MaxSummaryLen - b.Len() - len(tail)
	if r.PullRequest != 0 {
		b.WriteString(findingsSection("Pre-existing findings (not blocking, not annotated)", oldF, budget))
	}
	b.WriteString(tail)
	return truncate(b.String(), MaxSummaryLen)
}

// decisionSection is the policy's own explanation of its decision: the
// conditions met, exceptions applied, policy files and problems.
func decisionSection(r Report) string {
	return policy.RenderSummary(r.Decision, r.Source) + "\n"
}

func countsTable(newF, oldF []findings.Finding) string {
	nc, oc := bySeverity(newF), bySeverity(oldF)
	var b strings.Builder
	b.WriteString("| Severity | New | Pre-existing |\n|---|---:|---:|\n")
	for s := findings.SeverityCritical; s >= findings.SeverityLow; s-- {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", s, nc[s], oc[s])
	}
	fmt.Fprintf(&b, "| **Total** | **%d** | **%d** |\n\n", len(newF), len(oldF))
	return b.String()
}

// findingsSection lists findings in a table within budget bytes, saying how
// many rows were left out.
func findingsSection(title string, fs []findings.Finding, budget int) string {
	if len(fs) == 0 {
		return ""
	}
	head := fmt.Sprintf("#### %s\n\n| ID | Severity | Rule | Location |\n|---|---|---|---|\n", title)
	const leftOutReserve = 120
	var b strings.Builder
	b.WriteString(head)
	listed := 0
	for _, f := range fs {
		row := fmt.Sprintf("| %s | %s | %s | %s |\n", code(f.ID), f.Severity, code(f.RuleID), code(f.Location()))
		if listed >= maxListed || b.Len()+len(row)+leftOutReserve > budget {
			break
		}
		b.WriteString(row)
		listed++
	}
	if listed < len(fs) {
		fmt.Fprintf(&b, "\n_%d more finding(s) left out of this summary._\n", len(fs)-listed)
	}
	b.WriteString("\n")
	if listed == 0 && budget < len(head)+leftOutReserve {
		return fmt.Sprintf("_%d %s left out of this summary._\n\n", len(fs), strings.ToLower(title))
	}
	return b.String()
}

func scannersSection(runs []ScannerRun) string {
	if len(runs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("#### Scanners\n\n| Scanner | Version | Files | Notes |\n|---|---|---:|---|\n")
	for _, s := range runs {
		notes := ""
		if s.Error != "" {
			notes = "failed: " + s.Error
		} else if len(s.Skipped) > 0 {
			notes = fmt.Sprintf("%d skipped", len(s.Skipped))
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", text(s.Name), text(s.Version), s.Files, text(truncate(notes, 300)))
	}
	b.WriteString("\n")
	return b.String()
}

func footer(newCount int) string {
	var b strings.Builder
	if newCount > MaxAnnotations {
		fmt.Fprintf(&b, "_Only the first %d new findings are annotated._\n\n", MaxAnnotations)
	}
	b.WriteString("<sub>Press **Re-run scan** on this check or comment `/conviso retest` to scan again; " +
		"`/conviso help` lists the commands.</sub>\n")
	return b.String()
}
