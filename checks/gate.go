package checks

import (
	"fmt"
	"strings"

	"github.com/conviso/conviso-github-app/findings"
)

// Decision is the outcome of the security gate.
type Decision string

// Gate outcomes.
const (
	Pass  Decision = "pass"
	Block Decision = "block"
)

// Verdict is a gate decision with the reasons a person can read.
type Verdict struct {
	Decision Decision
	// Reasons explain the decision in plain words, one per condition.
	Reasons []string
	// Blocking lists the findings that caused a block.
	Blocking []findings.Finding
}

// DefaultBlockSeverity is the server default policy: a new finding of this
// severity or above blocks (the policy engine replaces this default).
const DefaultBlockSeverity = findings.SeverityHigh

// EvaluateDefault applies the default policy to classified findings: block
// when a new finding is high or critical, pass otherwise. Pre-existing
// findings never block.
func EvaluateDefault(all []findings.Finding) Verdict {
	var blocking []findings.Finding
	for _, f := range all {
		if f.New && f.Severity >= DefaultBlockSeverity {
			blocking = append(blocking, f)
		}
	}
	if len(blocking) == 0 {
		return Verdict{Decision: Pass, Reasons: []string{
			fmt.Sprintf("No new finding of severity %s or above.", DefaultBlockSeverity),
		}}
	}
	return Verdict{Decision: Block, Blocking: blocking, Reasons: []string{
		fmt.Sprintf("%s; the default policy blocks any new finding of severity %s or above.",
			capitalise(countPhrase(blocking, "new")), DefaultBlockSeverity),
	}}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
