package sarif

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// SourceRootBaseID is the uriBaseId of every location Write emits: the
// root of the repository, as in GitHub code scanning.
const SourceRootBaseID = "%SRCROOT%"

// Write writes findings as one SARIF 2.1.0 log: a run per scanner and
// category (tools without findings get an empty run), each rule once with
// its title (also as full description and help), help URI, tags (CWE ids as "external/cwe/cwe-N"),
// security-severity and default level, and each finding as a result whose
// partialFingerprints carry its fingerprint and key, so that Import gives
// back the same IDs. Locations are relative to %SRCROOT%.
func Write(w io.Writer, tools []ToolInfo, fs []findings.Finding) error {
	log, err := gosarif.New(gosarif.Version210, false)
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	log.Schema = SchemaURI
	for _, g := range groupRuns(tools, fs) {
		log.Runs = append(log.Runs, buildRun(g))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("sarif: writing the log: %w", err)
	}
	return nil
}

// runGroup is what one written run holds.
type runGroup struct {
	tool     ToolInfo
	category string
	findings []findings.Finding
}

// groupRuns splits findings by scanner and category, following the order
// of tools, then scanners without a ToolInfo by name.
func groupRuns(tools []ToolInfo, fs []findings.Finding) []runGroup {
	type key struct{ scanner, category string }
	byKey := map[key]*runGroup{}
	var keys []key
	for _, f := range fs {
		k := key{f.Scanner, f.Category}
		if byKey[k] == nil {
			byKey[k] = &runGroup{tool: ToolInfo{Name: f.Scanner}, category: f.Category}
			keys = append(keys, k)
		}
		byKey[k].findings = append(byKey[k].findings, f)
	}
	rank := map[string]int{}
	for i, t := range tools {
		if _, dup := rank[t.Name]; !dup {
			rank[t.Name] = i
		}
		if !slices.ContainsFunc(keys, func(k key) bool { return k.scanner == t.Name }) {
			k := key{t.Name, ""}
			byKey[k] = &runGroup{}
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		ra, oka := rank[a.scanner]
		rb, okb := rank[b.scanner]
		return cmp.Or(compareBool(!oka, !okb), cmp.Compare(ra, rb), strings.Compare(a.scanner, b.scanner), strings.Compare(a.category, b.category))
	})
	out := make([]runGroup, 0, len(keys))
	for _, k := range keys {
		g := byKey[k]
		g.tool, g.category = ToolInfo{Name: k.scanner}, k.category
		if i, ok := rank[k.scanner]; ok {
			g.tool = tools[i]
		}
		out = append(out, *g)
	}
	return out
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// buildRun builds the SARIF run of a group.
func buildRun(g runGroup) *gosarif.Run {
	driver := &gosarif.ToolComponent{Name: g.tool.Name, Rules: []*gosarif.ReportingDescriptor{}}
	if g.tool.Version != "" {
		driver.Version = &g.tool.Version
	}
	if g.tool.InformationURI != "" {
		driver.InformationURI = &g.tool.InformationURI
	}
	run := &gosarif.Run{Tool: gosarif.Tool{Driver: driver}, Results: []*gosarif.Result{}}
	run.OriginalUriBaseIDs = map[string]*gosarif.ArtifactLocation{
		SourceRootBaseID: {Description: &gosarif.Message{Text: ptr("The root of the repository.")}},
	}
	if g.category != "" {
		run.AutomationDetails = &gosarif.RunAutomationDetails{ID: ptr(g.category)}
	}
	rules := buildRules(g.findings)
	index := map[string]int{}
	for i, r := range rules {
		driver.Rules = append(driver.Rules, r.descriptor)
		index[r.descriptor.ID] = i
	}
	for _, f := range g.findings {
		r := rules[index[ruleIDOf(f)]]
		run.Results = append(run.Results, buildResult(f, r, index[ruleIDOf(f)]))
	}
	return run
}

// writtenRule is a rule and what its results may differ from.
type writtenRule struct {
	descriptor *gosarif.ReportingDescriptor
	severity   findings.Severity
	tags       []string
}

// ruleIDOf is the rule id written for f; SARIF requires one.
func ruleIDOf(f findings.Finding) string { return cmp.Or(f.RuleID, "unknown") }

// buildRules returns one descriptor per rule, in order of first finding;
// a rule's severity is the highest of its findings'.
func buildRules(fs []findings.Finding) []writtenRule {
	var rules []writtenRule
	index := map[string]int{}
	for _, f := range fs {
		id := ruleIDOf(f)
		if i, ok := index[id]; ok {
			rules[i].severity = max(rules[i].severity, f.Severity)
			continue
		}
		index[id] = len(rules)
		rules = append(rules, writtenRule{severity: f.Severity, tags: writtenTags(f)})
		title := cmp.Or(f.Title, id)
		help := title
		if f.HelpURI != "" {
			help += "\n\nSee " + f.HelpURI
		}
		d := &gosarif.ReportingDescriptor{
			ID:               id,
			ShortDescription: &gosarif.MultiformatMessageString{Text: ptr(title)},
			FullDescription:  &gosarif.MultiformatMessageString{Text: ptr(title)},
			Help:             &gosarif.MultiformatMessageString{Text: ptr(help)},
		}
		if f.HelpURI != "" {
			d.HelpURI = ptr(f.HelpURI)
		}
		rules[len(rules)-1].descriptor = d
	}
	for _, r := range rules {
		r.descriptor.DefaultConfiguration = &gosarif.ReportingConfiguration{Level: severityLevel(r.severity)}
		props := gosarif.Properties{}
		if len(r.tags) > 0 {
			props["tags"] = r.tags
		}
		if s := severityScore(r.severity); s != "" {
			props["security-severity"] = s
		}
		r.descriptor.Properties = props
	}
	return rules
}

// writtenTags are a finding's tags with its CWE ids in CodeQL's form.
func writtenTags(f findings.Finding) []string {
	tags := slices.Clone(f.Tags)
	for _, c := range f.CWE {
		tags = append(tags, "external/cwe/"+strings.ToLower(c))
	}
	return tags
}

// buildResult builds the SARIF result of f, of rule r at index i.
func buildResult(f findings.Finding, r writtenRule, i int) *gosarif.Result {
	idx := uint(i)
	res := &gosarif.Result{
		RuleID:    ptr(ruleIDOf(f)),
		RuleIndex: &idx,
		Level:     ptr(severityLevel(f.Severity)),
		Message:   gosarif.Message{Text: ptr(cmp.Or(f.Message, f.Title, ruleIDOf(f)))},
		Locations: []*gosarif.Location{{PhysicalLocation: physicalLocation(f)}},
	}
	if f.Fingerprint != "" {
		res.PartialFingerprints = map[string]any{PFPFingerprint: f.Fingerprint}
		if f.Key != "" {
			res.PartialFingerprints[PFPContentKey] = f.Key
		}
	}
	props := gosarif.Properties{}
	if f.Severity != r.severity {
		if s := severityScore(f.Severity); s != "" {
			props["security-severity"] = s
		}
	}
	if tags := writtenTags(f); !slices.Equal(tags, r.tags) && len(tags) > 0 {
		props["tags"] = tags
	}
	if len(props) > 0 {
		res.Properties = props
	}
	return res
}

// physicalLocation is f's file and region.
func physicalLocation(f findings.Finding) *gosarif.PhysicalLocation {
	uri := (&url.URL{Path: f.Path}).String()
	region := &gosarif.Region{StartLine: ptr(max(f.StartLine, 1)), EndLine: ptr(max(f.EndLine, f.StartLine, 1))}
	if f.StartColumn > 0 {
		region.StartColumn = ptr(f.StartColumn)
	}
	if f.EndColumn > 0 {
		region.EndColumn = ptr(f.EndColumn + 1)
	}
	return &gosarif.PhysicalLocation{
		ArtifactLocation: &gosarif.ArtifactLocation{URI: &uri, URIBaseId: ptr(SourceRootBaseID)},
		Region:           region,
	}
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
