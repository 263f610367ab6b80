package policy

import "fmt"

// DefaultYAML is the server default policy, the behaviour before policies
// existed: a new finding of severity high or critical blocks, pre-existing
// findings never block, and a scanner that failed blocks. Exceptions need
// approvers, which only an org or repository file can name.
const DefaultYAML = `version: 1
mode: enforce
gate:
  scope: new
  block_at: high
on_scanner_failure: fail-closed
annotate: added
exceptions:
  kinds: [false-positive, accepted-risk, wont-fix, test-code]
  max_duration: 90d
comment: off
`

// builtin is DefaultYAML parsed once; every key a Gate needs is set.
var builtin = mustParse("built-in", DefaultYAML)

func mustParse(name, text string) *File {
	f, err := Parse(name, []byte(text))
	if err != nil {
		panic(fmt.Sprintf("policy: the built-in default does not parse: %v", err))
	}
	f.Source = builtinSource
	return f
}

// Default returns a copy of the server default policy (DefaultYAML).
// Merge uses it under every server file, so a server file need only set
// what it changes.
func Default() *File {
	return mustParse("built-in", DefaultYAML)
}
