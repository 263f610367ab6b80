package sarif

import (
	"errors"
	"fmt"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// compactResult is what is kept of a result until it is converted: no
// code flows, no snippet (only its digest), no other locations.
type compactResult struct {
	index           int
	ruleID          string
	ruleIndex       int // -1: none
	component       int // extension index, -1: the driver
	componentName   string
	kind, level     string
	message         messageDecl
	hasLocation     bool
	uri, uriBaseID  string
	region          regionDecl // Snippet is always nil
	snippetDigest   string
	identity        string // "pfp:..." from partialFingerprints, or ""
	exactFP, exactK string // our own fingerprint and key, from a log we wrote
	secSev          findings.Severity
	tags, cwe       []string
	suppressions    []string // kinds of accepted suppressions
}

// compact reduces a decoded result; key keys the snippet's digest.
func compact(d *resultDecl, index int, key []byte) compactResult {
	c := compactResult{
		index:     index,
		ruleID:    d.RuleID,
		ruleIndex: -1,
		component: -1,
		kind:      d.Kind,
		level:     d.Level,
		message:   d.Message,
	}
	if d.RuleIndex != nil {
		c.ruleIndex = *d.RuleIndex
	}
	if r := d.Rule; r != nil {
		c.ruleID = cmpOr(c.ruleID, r.ID)
		if c.ruleIndex < 0 && r.Index != nil {
			c.ruleIndex = *r.Index
		}
		if tc := r.ToolComponent; tc != nil {
			c.componentName = tc.Name
			if tc.Index != nil {
				c.component = *tc.Index
			}
		}
	}
	if loc := d.Locations.loc; loc != nil && loc.PhysicalLocation != nil {
		pl := loc.PhysicalLocation
		if al := pl.ArtifactLocation; al != nil {
			c.hasLocation, c.uri, c.uriBaseID = true, al.URI, al.URIBaseID
		}
		if pl.Region != nil {
			c.region = *pl.Region
			c.region.Snippet = nil
			if s := pl.Region.Snippet; s != nil && findings.NormaliseContent(s.Text) != "" {
				c.snippetDigest = digest(key, s.Text)
			}
		}
	}
	c.identity, c.exactFP, c.exactK = identityOf(d.PartialFingerprints)
	var tags []string
	if p := d.Properties; p != nil {
		c.secSev = parseSecuritySeverity(p.SecuritySeverity)
		tags = p.Tags
	}
	c.tags, c.cwe = classify(tags, d.Taxa)
	for _, s := range d.Suppressions {
		if s.Status == "" || s.Status == "accepted" {
			c.suppressions = append(c.suppressions, cmpOr(s.Kind, "unknown"))
		}
	}
	return c
}

// cmpOr returns the first non-empty string.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pendingFinding is a converted finding before its fingerprint is final.
type pendingFinding struct {
	f       findings.Finding
	content string // identity content, without the occurrence ordinal
	exactFP string
	exactK  string
}

// runState is one run being read.
type runState struct {
	im           *importer
	index        int
	tool         *toolState
	paths        *resolver
	basesSeen    bool
	automationID string
	pending      []compactResult // results read before what they need
	out          []pendingFinding
}

// newRunState starts run index.
func newRunState(im *importer, index int) *runState {
	return &runState{im: im, index: index, paths: newResolver(im.opts, nil)}
}

// setTool records the run's tool.
func (rs *runState) setTool(t *toolState) { rs.tool = t }

// setBases records the run's originalUriBaseIds.
func (rs *runState) setBases(bases map[string]baseDecl) {
	rs.paths = newResolver(rs.im.opts, bases)
	rs.basesSeen = true
}

// add converts c now if the run has what it needs, else keeps it.
func (rs *runState) add(c compactResult) error {
	if rs.tool == nil || (!rs.basesSeen && needsBases(c.uri, c.uriBaseID)) {
		rs.pending = append(rs.pending, c)
		return nil
	}
	return rs.convert(&c)
}

// finish converts what is pending and returns the run's findings, numbered
// and identified.
func (rs *runState) finish() ([]findings.Finding, error) {
	for i := range rs.pending {
		if err := rs.convert(&rs.pending[i]); err != nil {
			return nil, err
		}
	}
	rs.pending = nil
	category := cmpOr(rs.im.opts.Category, rs.automationID)
	fs := identify(rs.out)
	for i := range fs {
		fs[i].Category = category
	}
	rs.out = nil
	return fs, nil
}

// skip records a result left out.
func (rs *runState) skip(c *compactResult, reason string) {
	rs.im.res.Skipped = append(rs.im.res.Skipped, SkippedResult{Run: rs.index, Result: c.index, URI: c.uri, Reason: reason})
}

// convert turns a result into a pending finding, or skips it.
func (rs *runState) convert(c *compactResult) error {
	switch c.kind {
	case "pass", "notApplicable", "informational":
		rs.skip(c, fmt.Sprintf("kind %q reports no problem", c.kind))
		return nil
	}
	path, err := rs.path(c)
	if err != nil {
		var pe *PathError
		if rs.im.opts.SkipBadPaths && errors.As(err, &pe) {
			rs.skip(c, pe.Err.Error())
			return nil
		}
		return err
	}
	rule := rs.tool.lookup(c)
	f := rs.finding(c, rule, path)
	rs.out = append(rs.out, pendingFinding{f: f, content: rs.content(c, f, rule), exactFP: c.exactFP, exactK: c.exactK})
	return nil
}

// path resolves the result's location to a repository path.
func (rs *runState) path(c *compactResult) (string, error) {
	pointer := fmt.Sprintf("/runs/%d/results/%d/locations/0/physicalLocation/artifactLocation", rs.index, c.index)
	uri := c.uri
	if c.uriBaseID != "" {
		uri = c.uriBaseID + ":" + c.uri
	}
	if !c.hasLocation {
		return "", &PathError{Run: rs.index, Result: c.index, Pointer: pointer, URI: uri, Err: ErrNoLocation}
	}
	p, err := rs.paths.resolve(c.uri, c.uriBaseID)
	if err != nil {
		return "", &PathError{Run: rs.index, Result: c.index, Pointer: pointer, URI: uri, Err: err}
	}
	return p, nil
}

// finding builds the finding of c, without its fingerprint.
func (rs *runState) finding(c *compactResult, rule *ruleInfo, path string) findings.Finding {
	f := findings.Finding{
		Scanner:  rs.tool.name,
		RuleID:   c.ruleID,
		Severity: severityOf(rule, c),
		Path:     path,
	}
	f.StartLine, f.EndLine, f.StartColumn, f.EndColumn = lines(c.region)
	if rule != nil {
		f.RuleID = cmpOr(f.RuleID, rule.id)
		f.Title, f.HelpURI = rule.title, rule.helpURI
		f.Tags, f.CWE = rule.tags, rule.cwe
	}
	f.Title = cmpOr(f.Title, f.RuleID)
	f.Message = messageOf(c.message, rule)
	if rs.im.opts.RedactMessages {
		f.Message = ""
		if rule != nil {
			f.Message = rule.description
		}
	}
	f.Message = cmpOr(f.Message, f.Title)
	f.Tags = mergeTags(f.Tags, c.tags, suppressionTags(c.suppressions))
	f.CWE = mergeCWE(f.CWE, c.cwe)
	return f
}

// content returns the identity content of c: its partial fingerprints,
// else the digest of its snippet, of its source lines, or of its message.
func (rs *runState) content(c *compactResult, f findings.Finding, rule *ruleInfo) string {
	switch {
	case c.identity != "":
		return c.identity
	case c.snippetDigest != "":
		return "src:" + c.snippetDigest
	}
	if text, ok := rs.im.src.lines(f.Path, f.StartLine, f.EndLine); ok {
		return "src:" + digest(rs.im.opts.FingerprintKey, text)
	}
	return "msg:" + digest(rs.im.opts.FingerprintKey, messageOf(c.message, rule))
}

// lines returns a region's lines and columns: missing lines are 1, a
// missing end line is the start line, and SARIF's exclusive end column
// becomes the finding's inclusive one (an empty range on one line, an
// insertion point, becomes its start column).
func lines(r regionDecl) (startLine, endLine, startCol, endCol int) {
	startLine = max(r.StartLine, 1)
	endLine = max(r.EndLine, startLine)
	startCol = max(r.StartColumn, 0)
	if r.EndColumn > 0 {
		endCol = r.EndColumn - 1
		if startLine == endLine && startCol > 0 {
			endCol = max(endCol, startCol)
		}
	}
	return startLine, endLine, startCol, endCol
}
