package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// GitHub's limits on check run output, from the REST description of
// "Create a check run" (https://docs.github.com/rest/checks/runs#create-a-check-run).
const (
	// MaxSummaryLen is the maximum length of output.summary (65535
	// characters); it is applied to bytes, which is never more lenient.
	MaxSummaryLen = 65535
	// MaxAnnotationTitleLen is the maximum size of an annotation title.
	MaxAnnotationTitleLen = 255
	// MaxAnnotationMessageLen is the maximum size of an annotation message (64 KB).
	MaxAnnotationMessageLen = 64 * 1024
	// MaxCheckRunNameLen bounds titles the way the UI shows them.
	maxTitleLen = 1000
)

// MaxAnnotations caps the annotations one check run carries. GitHub accepts
// more through repeated updates, but the Files tab becomes unreadable and each
// 50 cost a request; the summary says how many were left out.
const MaxAnnotations = 1000

// ScannerRun records one scanner's part in a scan.
type ScannerRun struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Files   int      `json:"files"`
	Rules   int      `json:"rules"`
	Skipped []string `json:"skipped,omitempty"`
	Error   string   `json:"error,omitempty"`
	// Truncated is true when the scanner's results were cut short.
	Truncated bool `json:"truncated,omitempty"`
}

// Report is everything a completed check run shows.
type Report struct {
	Findings []findings.Finding
	// Gate is the effective policy the decision applied (zero when the
	// policy was broken).
	Gate policy.Gate
	// Decision is the gate's, with its reasons and policy sources.
	Decision policy.Decision
	// Source is the policy file the decision came from.
	Source   policy.Source
	Scanners []ScannerRun
	// PullRequest is 0 for a push.
	PullRequest int
	// Annotate selects the findings annotated (nil: every new finding).
	Annotate func(findings.Finding) bool
	// Broken lists the problems of a policy that does not parse or
	// validate; the scan then fails closed, or neutral when FailOpen.
	Broken   []string
	FailOpen bool
}

// Output is a rendered check run result.
type Output struct {
	Conclusion  string
	Title       string
	Summary     string
	Annotations []*github.CheckRunAnnotation
}

// Render turns a report into a check run result. It is pure and
// deterministic: the same report always renders the same output.
func Render(r Report) Output {
	newF, oldF := split(r.Findings)
	if len(r.Broken) > 0 {
		return renderBroken(r, newF, oldF)
	}
	out := Output{Conclusion: r.Decision.Conclusion, Title: truncate(r.Decision.Title(), maxTitleLen)}
	if out.Conclusion == "" {
		out.Conclusion = "neutral"
	}
	out.Summary = summary(r, newF, oldF)
	out.Annotations = annotations(newF, r.Annotate)
	return out
}

func split(all []findings.Finding) (newF, oldF []findings.Finding) {
	for _, f := range all {
		if f.New {
			newF = append(newF, f)
		} else {
			oldF = append(oldF, f)
		}
	}
	sortFindings(newF)
	sortFindings(oldF)
	return newF, oldF
}

// sortFindings orders by severity (most severe first), then path and line.
func sortFindings(fs []findings.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.StartLine != b.StartLine {
			return a.StartLine < b.StartLine
		}
		return a.ID < b.ID
	})
}

func bySeverity(fs []findings.Finding) map[findings.Severity]int {
	m := map[findings.Severity]int{}
	for _, f := range fs {
		m[f.Severity]++
	}
	return m
}

func annotationLevel(s findings.Severity) string {
	switch {
	case s >= findings.SeverityHigh:
		return "failure"
	case s == findings.SeverityMedium:
		return "warning"
	default:
		return "notice"
	}
}

// annotations are the new findings the policy's annotate filter keeps, at
// most MaxAnnotations.
func annotations(newF []findings.Finding, keep func(findings.Finding) bool) []*github.CheckRunAnnotation {
	var out []*github.CheckRunAnnotation
	for _, f := range newF {
		if len(out) == MaxAnnotations {
			break
		}
		if keep == nil || keep(f) {
			out = append(out, annotation(f))
		}
	}
	return out
}

func annotation(f findings.Finding) *github.CheckRunAnnotation {
	suffix := " [" + f.ID + "]"
	title := truncate(strings.Join(strings.Fields(orElse(f.Title, f.RuleID)), " "), MaxAnnotationTitleLen-len(suffix)) + suffix
	msg := fmt.Sprintf("%s\n\nRule: %s (%s, severity %s). Finding id: %s.\n"+
		"Fix the code and push: the check runs again. If this is a false positive or an accepted risk, "+
		"comment on the pull request: /conviso exception %s <false-positive|accepted-risk|wont-fix|test-code> <reason>",
		orElse(f.Message, f.Title), f.RuleID, f.Scanner, f.Severity, f.ID, f.ID)
	a := &github.CheckRunAnnotation{
		Path:            github.String(f.Path),
		StartLine:       github.Int(max(f.StartLine, 1)),
		EndLine:         github.Int(max(f.EndLine, f.StartLine, 1)),
		AnnotationLevel: github.String(annotationLevel(f.Severity)),
		Title:           github.String(title),
		Message:         github.String(truncate(msg, MaxAnnotationMessageLen)),
	}
	// GitHub accepts columns only when the annotation is on one line.
	if f.StartLine == f.EndLine && f.StartColumn > 0 && f.EndColumn >= f.StartColumn {
		a.StartColumn = github.Int(f.StartColumn)
		a.EndColumn = github.Int(f.EndColumn)
	}
	return a
}

func orElse(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// RenderFailure is the result of a scan that could not finish: it fails
// closed, with the reason in the title. reason must not hold secrets.
func RenderFailure(reason string) Output {
	reason = strings.Join(strings.Fields(reason), " ")
	return Output{
		Conclusion: "failure",
		Title:      truncate("Scan failed: "+reason, maxTitleLen),
		Summary: truncate("### ❌ Scan failed\n\nThe security scan did not complete, so the gate fails closed.\n\n"+
			"Reason: "+code(reason)+"\n\nPress **Re-run scan** on this check (or comment `/conviso retest`) to try again; if it keeps failing, ask your AppSec team.\n", MaxSummaryLen),
	}
}

// RenderSuperseded is the result of a scan replaced by a newer commit.
func RenderSuperseded(newSHA string) Output {
	return Output{
		Conclusion: "neutral",
		Title:      "Superseded by a newer commit",
		Summary: "A newer commit " + code(newSHA) + " was pushed; its scan replaces this one, " +
			"so this result was not reported.\n",
	}
}

// RenderInterrupted is what the watchdog writes on a check run whose job
// died without completing it.
func RenderInterrupted() Output {
	return RenderFailure("the scan was interrupted (the worker running it stopped); press Re-run to scan again")
}

// renderBroken reports a policy that does not parse or validate: every
// problem with its file, line and key, then the findings; the gate fails
// closed (or neutral when the last valid org policy says fail-open).
func renderBroken(r Report, newF, oldF []findings.Finding) Output {
	out := Output{Conclusion: "failure", Title: truncate("Policy invalid: "+r.Broken[0], maxTitleLen)}
	effect := "The gate fails closed until the policy is fixed."
	if r.FailOpen {
		out.Conclusion = "neutral"
		effect = "The organisation's policy says fail-open, so the gate only warns until the policy is fixed."
	}
	var b strings.Builder
	b.WriteString("### ❌ The security policy is invalid\n\n" + effect + "\n\n")
	for _, p := range r.Broken {
		b.WriteString("- " + code(p) + "\n")
	}
	b.WriteString("\n")
	b.WriteString(countsTable(newF, oldF))
	b.WriteString(scannersSection(r.Scanners))
	out.Summary = truncate(b.String(), MaxSummaryLen)
	return out
}
