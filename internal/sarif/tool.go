package sarif

import (
	"cmp"
	"strings"
	"unicode"

	"github.com/go-json-experiment/json"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// ruleInfo is what a finding needs of a rule.
type ruleInfo struct {
	id           string
	title        string // shortDescription, else name, else id
	description  string // shortDescription, else fullDescription, else title
	helpURI      string
	secSev       findings.Severity // from security-severity; unknown if none
	defaultLevel string
	tags, cwe    []string
	messages     map[string]string // messageStrings, by id
}

// component is a tool component's rules.
type component struct {
	name  string
	rules []*ruleInfo
	byID  map[string]*ruleInfo
}

// add appends a rule.
func (c *component) add(r *ruleInfo) {
	c.rules = append(c.rules, r)
	if c.byID == nil {
		c.byID = make(map[string]*ruleInfo)
	}
	if _, dup := c.byID[r.id]; !dup {
		c.byID[r.id] = r
	}
}

// find returns the rule with id, or the one a hierarchical id ("a/b/c")
// descends from.
func (c *component) find(id string) *ruleInfo {
	for id != "" {
		if r, ok := c.byID[id]; ok {
			return r
		}
		i := strings.LastIndexByte(id, '/')
		if i < 0 {
			break
		}
		id = id[:i]
	}
	return nil
}

// toolState is a run's tool: driver and extensions.
type toolState struct {
	name, version string
	infoURI       string
	driver        component
	extensions    []*component
	rules         int
}

// info summarises the tool for Result.Tools.
func (t *toolState) info() ToolInfo {
	return ToolInfo{Name: t.name, Version: t.version, InformationURI: t.infoURI, RulesCount: t.rules}
}

// lookup finds the rule a result refers to, or nil.
func (t *toolState) lookup(c *compactResult) *ruleInfo {
	comp := &t.driver
	switch {
	case c.component >= 0 && c.component < len(t.extensions):
		comp = t.extensions[c.component]
	case c.componentName != "":
		for _, e := range t.extensions {
			if e.name == c.componentName {
				comp = e
			}
		}
	}
	if c.ruleIndex >= 0 && c.ruleIndex < len(comp.rules) {
		r := comp.rules[c.ruleIndex]
		if c.ruleID == "" || r.id == c.ruleID || strings.HasPrefix(c.ruleID, r.id+"/") {
			return r
		}
	}
	if c.ruleID == "" {
		return nil
	}
	if r := comp.find(c.ruleID); r != nil {
		return r
	}
	for _, e := range append([]*component{&t.driver}, t.extensions...) {
		if r := e.find(c.ruleID); r != nil {
			return r
		}
	}
	return nil
}

// walkTool reads run.tool.
func (im *importer) walkTool(rs *runState) error {
	ts := &toolState{}
	err := im.object(func(name string) error {
		switch name {
		case "driver":
			return im.walkComponent(rs, ts, &ts.driver, true)
		case "extensions":
			return im.array(func(int) error {
				c := &component{}
				ts.extensions = append(ts.extensions, c)
				return im.walkComponent(rs, ts, c, false)
			})
		default:
			return im.skip()
		}
	})
	if err != nil {
		return err
	}
	rs.setTool(ts)
	return nil
}

// walkComponent reads a toolComponent; the driver's name and version are
// the tool's.
func (im *importer) walkComponent(rs *runState, ts *toolState, c *component, driver bool) error {
	var semver, version, infoURI string
	err := im.object(func(name string) error {
		var err error
		switch name {
		case "name":
			c.name, err = im.readString()
		case "informationUri":
			infoURI, err = im.readString()
		case "semanticVersion":
			semver, err = im.readString()
		case "version":
			version, err = im.readString()
		case "rules":
			err = im.array(func(int) error { return im.walkRule(rs, ts, c) })
		default:
			err = im.skip()
		}
		return err
	})
	if driver {
		ts.name, ts.version, ts.infoURI = scannerName(c.name), cmp.Or(semver, version), infoURI
	}
	return err
}

// walkRule reads one rule into c.
func (im *importer) walkRule(rs *runState, ts *toolState, c *component) error {
	if ts.rules >= im.limits.MaxRulesPerRun {
		if err := im.overLimit(LimitError{What: "rules", Limit: int64(im.limits.MaxRulesPerRun), Run: rs.index}); err != nil {
			return err
		}
		return im.skip()
	}
	var d ruleDecl
	if err := json.UnmarshalDecode(im.dec, &d); err != nil {
		return im.wrap(err)
	}
	ts.rules++
	c.add(compileRule(&d))
	return nil
}

// compileRule keeps what findings need of a rule.
func compileRule(d *ruleDecl) *ruleInfo {
	short, full := textOf(d.ShortDescription), textOf(d.FullDescription)
	r := &ruleInfo{
		id:      d.ID,
		title:   firstLine(cmp.Or(short, d.Name, d.ID)),
		helpURI: d.HelpURI,
	}
	r.description = cmp.Or(short, full, r.title)
	if d.DefaultConfiguration != nil {
		r.defaultLevel = d.DefaultConfiguration.Level
	}
	var tags []string
	if d.Properties != nil {
		r.secSev = parseSecuritySeverity(d.Properties.SecuritySeverity)
		tags = d.Properties.Tags
	}
	var taxa []descriptorRefDecl
	for _, rel := range d.Relationships {
		taxa = append(taxa, rel.Target)
	}
	r.tags, r.cwe = classify(tags, taxa)
	if len(d.MessageStrings) > 0 {
		r.messages = make(map[string]string, len(d.MessageStrings))
		for id, m := range d.MessageStrings {
			r.messages[id] = textOf(&m)
		}
	}
	return r
}

// textOf returns a message's text, else its Markdown.
func textOf(m *messageDecl) string {
	if m == nil {
		return ""
	}
	return strings.TrimSpace(cmp.Or(m.Text, m.Markdown))
}

// firstLine returns the first line of s, trimmed.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// scannerName normalises a driver name: lower case, runs of anything but
// letters, digits, '.', '_' and '-' become one '-'.
func scannerName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		ok := r == '.' || r == '_' || r == '-' || (r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}
