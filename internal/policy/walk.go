package policy

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds the YAML nodes one file may make the walker visit,
// aliases included, so a small file of nested aliases cannot cost more
// than a large plain one.
const maxNodes = 200_000

// walker turns a yaml.Node tree into raw values, recording every problem
// with its position and key path, and the position of every value.
type walker struct {
	problems
	budget int
	pos    map[string]Pos
}

// scalar is one raw value with where it was written.
type scalar struct {
	Value string
	Tag   string // YAML short tag: !!str, !!int, !!null...
	Pos   Pos
	Path  string
	Set   bool
}

func nodePos(n *yaml.Node) Pos { return Pos{Line: n.Line, Column: n.Column} }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// resolve follows aliases and charges the node budget; nil when the budget
// is spent (reported once).
func (w *walker) resolve(n *yaml.Node) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode; depth++ {
		if depth > 100 {
			return nil
		}
		n = n.Alias
	}
	w.budget--
	if w.budget == 0 {
		w.add(Pos{}, "", "the file is too complex (more than %d values once aliases are expanded)", maxNodes)
	}
	if w.budget < 0 || n == nil {
		return nil
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "something else"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// mapping decodes a mapping whose keys must be in keys, calling each for
// every pair. A null value is an empty mapping. It returns how many keys
// were written, known or not.
func (w *walker) mapping(n *yaml.Node, path string, keys []string, each func(key string, v *yaml.Node, path string)) int {
	if n = w.resolve(n); n == nil || isNull(n) {
		return 0
	}
	if n.Kind != yaml.MappingNode {
		w.add(nodePos(n), path, "expected a mapping with keys %s, got %s", strings.Join(keys, ", "), kindName(n))
		return 0
	}
	seen := map[string]Pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := w.resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			break
		}
		if k.Kind != yaml.ScalarNode {
			w.add(nodePos(k), path, "keys must be plain names %s, got %s", allowed(keys), kindName(k))
			continue
		}
		p := join(path, k.Value)
		switch first, dup := seen[k.Value]; {
		case k.ShortTag() == "!!merge":
			w.add(nodePos(k), path, "merge keys (<<) are not supported: write the keys out")
		case dup:
			w.add(nodePos(k), p, "duplicate key (first set at line %d)", first.Line)
		case !slices.Contains(keys, k.Value):
			w.add(nodePos(k), p, "unknown key %s", allowed(keys))
		default:
			seen[k.Value] = nodePos(k)
			w.pos[p] = nodePos(v)
			each(k.Value, v, p)
		}
	}
	return len(n.Content) / 2
}

// list decodes a sequence, calling each for every item. A null value is an
// empty list.
func (w *walker) list(n *yaml.Node, path string, what string, each func(i int, item *yaml.Node, path string)) {
	if n = w.resolve(n); n == nil || isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		w.add(nodePos(n), path, "expected a list of %s, got %s", what, kindName(n))
		return
	}
	for i, item := range n.Content {
		p := index(path, i)
		w.pos[p] = nodePos(item)
		each(i, item, p)
	}
}

// scalarTags are the tags a plain value may carry.
var scalarTags = []string{"!!str", "!!int", "!!float", "!!bool", "!!null"}

// scalar decodes one plain value.
func (w *walker) scalar(n *yaml.Node, path string) scalar {
	if n = w.resolve(n); n == nil {
		return scalar{}
	}
	if n.Kind != yaml.ScalarNode {
		w.add(nodePos(n), path, "expected a single value, got %s", kindName(n))
		return scalar{}
	}
	if !slices.Contains(scalarTags, n.ShortTag()) {
		w.add(nodePos(n), path, "unsupported YAML tag %s: write a plain value", n.ShortTag())
		return scalar{}
	}
	return scalar{Value: n.Value, Tag: n.ShortTag(), Pos: nodePos(n), Path: path, Set: true}
}

// scalars decodes a list of plain values.
func (w *walker) scalars(n *yaml.Node, path, what string) []scalar {
	var out []scalar
	w.list(n, path, what, func(_ int, item *yaml.Node, p string) {
		if s := w.scalar(item, p); s.Set {
			out = append(out, s)
		}
	})
	return out
}
