package policy

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
)

// Origin records where one effective value came from.
type Origin struct {
	// Key is the value's key ("gate.max.high"); list keys have one Origin
	// per entry.
	Key string `json:"key"`
	// Value is the value as it would be written ("0", "testdata/**").
	Value string `json:"value"`
	// Source is the file that set it.
	Source Source `json:"source"`
	// Branch is the glob of the branch override that set it, if any.
	Branch string `json:"branch,omitempty"`
	// Locked is true when the org file locks the key.
	Locked bool `json:"locked,omitempty"`
}

// Provenance lists the origin of every effective value, in key order.
type Provenance []Origin

// keyOrder is the order keys are listed in.
var keyOrder = []string{
	"mode", "gate.scope", "gate.block_at", "gate.max.critical", "gate.max.high", "gate.max.medium", "gate.max.low",
	"gate.always_block.rules", "gate.always_block.cwe", "gate.always_block.tags",
	"gate.never_block.rules", "gate.never_block.cwe", "gate.never_block.tags", "gate.required_scanners",
	"ignore", "on_scanner_failure", "annotate", "exceptions.approvers", "exceptions.kinds",
	"exceptions.max_duration", "exceptions.paths", "comment",
}

// Get returns the origins of key (one for a single value, one per entry
// for a list).
func (p Provenance) Get(key string) []Origin {
	var out []Origin
	for _, o := range p {
		if o.Key == key {
			out = append(out, o)
		}
	}
	return out
}

// Find returns the origin of one value of key (an entry of a list key, or
// the value of a single one).
func (p Provenance) Find(key, value string) (Origin, bool) {
	for _, o := range p {
		if o.Key == key && (o.Value == value || value == "") {
			return o, true
		}
	}
	return Origin{}, false
}

// Sources lists the distinct files that set a value, bottom layer first.
func (p Provenance) Sources() []Source {
	var out []Source
	for _, o := range p {
		if !slices.Contains(out, o.Source) {
			out = append(out, o.Source)
		}
	}
	slices.SortStableFunc(out, func(a, b Source) int { return int(a.Layer) - int(b.Layer) })
	return out
}

// String renders a table for "conviso policy explain": key, value, source.
func (p Provenance) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tVALUE\tFROM")
	for _, o := range p {
		from := o.Source.String()
		if o.Branch != "" {
			from += " (branches: " + o.Branch + ")"
		}
		if o.Locked {
			from += " [locked]"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", o.Key, oneLine(o.Value), from)
	}
	_ = w.Flush()
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// sortProvenance orders origins by keyOrder, keeping entry order.
func sortProvenance(p Provenance) {
	rank := func(k string) int {
		if i := slices.Index(keyOrder, k); i >= 0 {
			return i
		}
		return len(keyOrder)
	}
	slices.SortStableFunc(p, func(a, b Origin) int { return rank(a.Key) - rank(b.Key) })
}
