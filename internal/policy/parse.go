package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// MaxFileBytes bounds a policy file's size.
const MaxFileBytes = 256 << 10

// Keys of each mapping in a policy file, in documentation order. They are
// the contract: docs/policy.schema.json must list the same (a test checks).
var (
	fileKeys = []string{"version", "mode", "gate", "branches", "ignore", "on_scanner_failure", "annotate", "exceptions",
		"comment", "lock", "impact", "sla", "conviso_rules", "conviso_rules_file"}
	gateKeys      = []string{"scope", "block_at", "max", "always_block", "never_block", "required_scanners", "aging", "limits"}
	branchKeys    = append([]string{"match", "mode"}, gateKeys...)
	matcherKeys   = []string{"rules", "cwe", "tags"}
	ignoreKeys    = []string{"paths", "reason"}
	exceptionKeys = []string{"approvers", "kinds", "max_duration", "paths"}
	pathRuleKeys  = []string{"match", "approvers"}
)

// Raw values, as written, before validation.
type (
	rawFile struct {
		version, mode, onScannerFailure, annotate, comment scalar
		gate                                               rawConditions
		branches                                           []rawBranch
		ignore                                             []rawIgnore
		exceptions                                         rawExceptions
		lock                                               []scalar
		impact, convisoRulesFile                           scalar
		sla                                                rawSLA
		convisoRules                                       *rawConviso
	}
	rawConditions struct {
		scope, blockAt        scalar
		max                   map[string]scalar
		alwaysBlock           rawMatchers
		neverBlock            rawMatchers
		requiredScanners      []scalar
		keys                  int // how many keys were written, known or not
		alwaysPath, neverPath string
		requiredScannersPath  string
		aging                 map[string]rawAging
		limits                []rawLimit
	}
	rawMatchers struct{ rules, cwe, tags []scalar }
	rawBranch   struct {
		path        string
		pos         Pos
		match, mode scalar
		cond        rawConditions
	}
	rawIgnore struct {
		path   string
		pos    Pos
		paths  []scalar
		reason scalar
	}
	rawExceptions struct {
		approvers   []scalar
		kinds       []scalar
		kindsSet    bool
		kindsPos    Pos
		maxDuration scalar
		paths       []rawPathRule
	}
	rawPathRule struct {
		path      string
		pos       Pos
		match     scalar
		approvers []scalar
	}
)

// Parse reads one policy file strictly: unknown keys, wrong types and bad
// values are errors. name is used in messages (".github/conviso.yml").
// On failure the error is a *ValidationError listing every problem, each
// with line, column, key path, the bad value and the allowed values.
// An empty file is valid and sets nothing.
func Parse(name string, data []byte) (*File, error) {
	w := &walker{problems: problems{file: name}, budget: maxNodes, pos: map[string]Pos{}}
	if len(data) > MaxFileBytes {
		w.add(Pos{}, "", "the file is %d bytes, more than the limit of %d", len(data), MaxFileBytes)
		return nil, w.err()
	}
	root, err := decodeYAML(data)
	if err != nil {
		w.errs = append(w.errs, yamlError(name, err))
		return nil, w.err()
	}
	var raw rawFile
	if root != nil {
		w.file(root, &raw)
	}
	f := raw.validate(w)
	if err := w.err(); err != nil {
		return nil, err
	}
	f.Name, f.Source, f.pos = name, Source{Path: name}, w.pos
	return f, nil
}

// decodeYAML decodes exactly one YAML document into a node (nil when the
// file is empty or only comments). yaml.v3 is third-party code reading
// untrusted input: a panic in it becomes an error, never a crash.
func decodeYAML(data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("yaml: the YAML parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, errors.New("yaml: the file holds more than one YAML document (remove the ---)")
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return nil, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// yamlError turns a yaml.v3 syntax error into an *Error with its line.
func yamlError(name string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Pos: Pos{Line: line}, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: name, Msg: "invalid YAML: " + trimYAMLPrefix(msg)}
}

func trimYAMLPrefix(s string) string {
	const p = "yaml: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func (w *walker) file(n *yaml.Node, f *rawFile) {
	w.mapping(n, "", fileKeys, func(key string, v *yaml.Node, p string) {
		switch key {
		case "version":
			f.version = w.scalar(v, p)
		case "mode":
			f.mode = w.scalar(v, p)
		case "gate":
			w.conditions(v, p, gateKeys, &f.gate, nil)
		case "branches":
			w.list(v, p, "branch overrides", func(_ int, item *yaml.Node, ip string) {
				f.branches = append(f.branches, w.branch(item, ip))
			})
		case "ignore":
			w.list(v, p, "ignore rules", func(_ int, item *yaml.Node, ip string) {
				f.ignore = append(f.ignore, w.ignore(item, ip))
			})
		case "on_scanner_failure":
			f.onScannerFailure = w.scalar(v, p)
		case "annotate":
			f.annotate = w.scalar(v, p)
		case "exceptions":
			w.exceptions(v, p, &f.exceptions)
		case "comment":
			f.comment = w.scalar(v, p)
		case "lock":
			f.lock = w.scalars(v, p, "key names")
		default:
			w.convisoFileKey(key, v, p, f)
		}
	})
}

// conditions decodes the gate's condition keys; other handles the extra
// keys a branch override has.
func (w *walker) conditions(n *yaml.Node, path string, keys []string, c *rawConditions, other func(key string, v *yaml.Node, p string)) {
	c.keys = w.mapping(n, path, keys, func(key string, v *yaml.Node, p string) {
		switch key {
		case "scope":
			c.scope = w.scalar(v, p)
		case "block_at":
			c.blockAt = w.scalar(v, p)
		case "max":
			c.max = map[string]scalar{}
			w.mapping(v, p, severityKeys, func(sev string, v *yaml.Node, sp string) {
				c.max[sev] = w.scalar(v, sp)
			})
		case "always_block":
			c.alwaysPath = p
			w.matchers(v, p, &c.alwaysBlock)
		case "never_block":
			c.neverPath = p
			w.matchers(v, p, &c.neverBlock)
		case "required_scanners":
			c.requiredScannersPath = p
			c.requiredScanners = w.scalars(v, p, "scanner names")
		case "aging":
			c.aging = w.aging(v, p)
		case "limits":
			w.list(v, p, "limits", func(_ int, item *yaml.Node, ip string) {
				c.limits = append(c.limits, w.limit(item, ip))
			})
		default:
			other(key, v, p)
		}
	})
}

func (w *walker) matchers(n *yaml.Node, path string, m *rawMatchers) {
	w.mapping(n, path, matcherKeys, func(key string, v *yaml.Node, p string) {
		switch key {
		case "rules":
			m.rules = w.scalars(v, p, "rule ids")
		case "cwe":
			m.cwe = w.scalars(v, p, "CWE ids")
		case "tags":
			m.tags = w.scalars(v, p, "tags")
		}
	})
}

func (w *walker) branch(n *yaml.Node, path string) rawBranch {
	b := rawBranch{path: path, pos: w.pos[path]}
	w.conditions(n, path, branchKeys, &b.cond, func(key string, v *yaml.Node, p string) {
		switch key {
		case "match":
			b.match = w.scalar(v, p)
		case "mode":
			b.mode = w.scalar(v, p)
		}
	})
	return b
}

func (w *walker) ignore(n *yaml.Node, path string) rawIgnore {
	r := rawIgnore{path: path, pos: w.pos[path]}
	w.mapping(n, path, ignoreKeys, func(key string, v *yaml.Node, p string) {
		switch key {
		case "paths":
			r.paths = w.scalars(v, p, "path globs")
		case "reason":
			r.reason = w.scalar(v, p)
		}
	})
	return r
}

func (w *walker) exceptions(n *yaml.Node, path string, e *rawExceptions) {
	w.mapping(n, path, exceptionKeys, func(key string, v *yaml.Node, p string) {
		switch key {
		case "approvers":
			e.approvers = w.scalars(v, p, "users or teams")
		case "kinds":
			e.kinds, e.kindsSet, e.kindsPos = w.scalars(v, p, "exception kinds"), true, w.pos[p]
		case "max_duration":
			e.maxDuration = w.scalar(v, p)
		case "paths":
			w.list(v, p, "path rules", func(_ int, item *yaml.Node, ip string) {
				e.paths = append(e.paths, w.pathRule(item, ip))
			})
		}
	})
}

func (w *walker) pathRule(n *yaml.Node, path string) rawPathRule {
	r := rawPathRule{path: path, pos: w.pos[path]}
	w.mapping(n, path, pathRuleKeys, func(key string, v *yaml.Node, p string) {
		switch key {
		case "match":
			r.match = w.scalar(v, p)
		case "approvers":
			r.approvers = w.scalars(v, p, "users or teams")
		}
	})
	return r
}
