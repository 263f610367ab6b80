package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// writeTable prints findings by severity (most severe first), then the
// scanners and the gate's decision.
func writeTable(w io.Writer, fs []findings.Finding, runs []checks.ScannerRun, d policy.Decision) {
	sorted := append([]findings.Finding(nil), fs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Severity != sorted[j].Severity {
			return sorted[i].Severity > sorted[j].Severity
		}
		return sorted[i].Location() < sorted[j].Location()
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tSTATUS\tRULE\tLOCATION\tID")
	for _, f := range sorted {
		status := "existing"
		if f.New {
			status = "NEW"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(f.Severity.String()), status, oneLine(f.RuleID), oneLine(f.Location()), f.ID)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	for _, r := range runs {
		fmt.Fprintf(w, "scanner %s %s: %d files", r.Name, r.Version, r.Files)
		if len(r.Skipped) > 0 {
			fmt.Fprintf(w, ", %d skipped", len(r.Skipped))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\ngate: %s\n", strings.ToUpper(string(d.Outcome)))
	for _, r := range d.Reasons {
		fmt.Fprintf(w, "  %s\n", oneLine(r.String()))
	}
}

// oneLine keeps untrusted text (paths, rule ids) from breaking the table.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }), " ")
}
