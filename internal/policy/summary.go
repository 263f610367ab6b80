package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaxSummaryBytes bounds RenderSummary's output, leaving room in a check
// run summary (65535 characters) for the findings tables.
const MaxSummaryBytes = 24 << 10

// maxCell bounds one untrusted value in the summary.
const maxCell = 120

// RenderSummary renders the decision as a Markdown section: the outcome,
// each reason, the policy file (src, normally Policy.Source()) and the
// files it refines with their commits, then the exceptions applied, stale
// and rejected, the ignored findings and any policy problems. Untrusted
// text (rule ids, paths, scanner errors, logins, reasons) is escaped so it
// cannot break the Markdown or mention anyone. The output is at most
// MaxSummaryBytes; rows that do not fit are counted, not shown.
func RenderSummary(d Decision, src Source) string {
	s := &section{budget: MaxSummaryBytes - 400}
	s.line(heading(d) + "\n")
	for i, r := range d.Reasons {
		if !s.fits(reasonMarkdown(r)) {
			s.line(fmt.Sprintf("- …and %d more condition(s).", len(d.Reasons)-i))
			break
		}
		s.line(reasonMarkdown(r))
	}
	if t := agingSection(d); t != "" && s.fits(t) {
		s.line(t)
	}
	s.line("\n" + policyLine(d, src) + "\n")
	s.table("Exceptions applied", "", []string{"Finding", "Rule", "Location", "Kind", "Approved by", "Until"},
		excusedRows(d.Excused))
	s.table("Stale exceptions", "_They match no finding in this scan: remove them._",
		[]string{"Exception", "Kind", "Approved by", "Until"}, exceptionRows(d.Stale))
	s.table("Exceptions not applied", "", []string{"Exception", "Kind", "Approved by", "Why"}, rejectedRows(d.Rejected))
	s.table("Ignored findings", "", []string{"Path glob", "Reason", "Findings"}, ignoredRows(d.Ignored))
	if n := len(d.NeverBlocked); n > 0 {
		s.line(fmt.Sprintf("_%s matched `never_block` and %s not counted._\n", plural(n, "finding", "findings"),
			map[bool]string{true: "was", false: "were"}[n == 1]))
	}
	s.problems(d.Problems)
	return s.b.String()
}

func heading(d Decision) string {
	switch {
	case d.Outcome == OutcomeBlock:
		return "### ❌ Blocked by the security policy"
	case d.Outcome == OutcomeOff:
		return "### ⏸️ The security gate is off"
	case d.Outcome == OutcomeWarn && slices.ContainsFunc(d.Reasons, func(r Reason) bool { return r.WouldBlock }):
		return "### ⚠️ Would block, but the policy is in warn mode"
	case d.Outcome == OutcomeWarn:
		return "### ⚠️ Passed with warnings"
	}
	return "### ✅ Passed the security policy"
}

// section builds Markdown within a byte budget.
type section struct {
	b      strings.Builder
	budget int
}

func (s *section) fits(text string) bool { return s.b.Len()+len(text)+1 <= s.budget }

func (s *section) line(text string) {
	s.b.WriteString(text)
	s.b.WriteString("\n")
}

// table writes a titled table, rows as long as they fit.
func (s *section) table(title, note string, header []string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	head := fmt.Sprintf("#### %s (%d)\n\n", title, len(rows))
	if note != "" {
		head += note + "\n\n"
	}
	head += "| " + strings.Join(header, " | ") + " |\n|" + strings.Repeat("---|", len(header))
	if !s.fits(head + "\n\n_… not shown._\n") {
		s.line(fmt.Sprintf("_%s: %d, not shown (summary too long)._\n", title, len(rows)))
		return
	}
	s.line(head)
	const reserve = 80
	for i, r := range rows {
		row := "| " + strings.Join(r, " | ") + " |"
		if !s.fits(row) || s.b.Len()+len(row)+reserve > s.budget {
			s.line(fmt.Sprintf("\n_%d more not shown._", len(rows)-i))
			break
		}
		s.line(row)
	}
	s.line("")
}

func (s *section) problems(ps []string) {
	if len(ps) == 0 {
		return
	}
	s.line("#### Policy problems\n\n_The values below were rejected; the locked or inherited values are in force._\n")
	for i, p := range ps {
		item := "- " + code(truncateText(p, 5*maxCell))
		if !s.fits(item) {
			s.line(fmt.Sprintf("- …and %d more.", len(ps)-i))
			break
		}
		s.line(item)
	}
	s.line("")
}

// cell renders an untrusted value as a bounded code span.
func cell(v string) string { return code(truncateText(v, maxCell)) }

// reasonMarkdown renders a reason as a list item: its words with untrusted
// parts in code spans, up to three findings, and the key and file that
// set the condition.
func reasonMarkdown(r Reason) string {
	var b strings.Builder
	b.WriteString("- " + r.prefix() + r.body(cell))
	for i, f := range r.Findings {
		if i == maxNamed {
			fmt.Fprintf(&b, " and %d more", len(r.Findings)-maxNamed)
			break
		}
		sep := map[bool]string{true: " — ", false: ", "}[i == 0]
		fmt.Fprintf(&b, "%s%s in %s %s", sep, cell(f.RuleID), cell(f.Location()), cell(f.ID))
	}
	if r.Key != "" {
		from := cell(r.Key)
		if r.Source != (Source{}) {
			from += " from " + cell(r.Source.String())
		}
		if r.Branch != "" {
			from += " (branches: " + cell(r.Branch) + ")"
		}
		b.WriteString(" <sub>" + from + "</sub>")
	}
	return b.String()
}

// policyLine names the policy file, the branch and mode, and the files
// it refines, nearest first.
func policyLine(d Decision, src Source) string {
	s := "**Policy:** " + cell(src.String())
	if d.Branch != "" {
		s += " on branch " + cell(d.Branch)
	}
	s += ", mode " + cell(string(d.Mode))
	var below []string
	for _, o := range slices.Backward(d.Sources) {
		if o != src && o.Layer <= src.Layer {
			below = append(below, cell(o.String()))
		}
	}
	if len(below) > 0 {
		s += "; it refines " + strings.Join(below, " and ")
	}
	return s + "."
}

func date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.DateOnly)
}

func excusedRows(xs []Excused) [][]string {
	rows := make([][]string, 0, len(xs))
	for _, x := range xs {
		f, e := x.Finding, x.Exception
		rows = append(rows, []string{cell(f.ID), cell(f.RuleID), cell(f.Location()), cell(string(e.Kind)),
			cell(e.ApprovedBy), date(e.Until)})
	}
	return rows
}

func exceptionRows(es []Exception) [][]string {
	rows := make([][]string, 0, len(es))
	for _, e := range es {
		rows = append(rows, []string{cell(e.Target()), cell(string(e.Kind)), cell(e.ApprovedBy), date(e.Until)})
	}
	return rows
}

func rejectedRows(rs []Rejected) [][]string {
	rows := make([][]string, 0, len(rs))
	for _, r := range rs {
		e := r.Exception
		rows = append(rows, []string{cell(e.Target()), cell(string(e.Kind)), cell(e.ApprovedBy),
			text(truncateText(r.Why, 2*maxCell))})
	}
	return rows
}

// ignoredRows counts ignored findings per glob and reason.
func ignoredRows(is []Ignored) [][]string {
	type key struct{ glob, reason string }
	counts := map[key]int{}
	var order []key
	for _, ig := range is {
		k := key{ig.Glob, ig.Reason}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	rows := make([][]string, 0, len(order))
	for _, k := range order {
		rows = append(rows, []string{cell(k.glob), text(truncateText(k.reason, 2*maxCell)), fmt.Sprint(counts[k])})
	}
	return rows
}
