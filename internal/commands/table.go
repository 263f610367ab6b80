package commands

import (
	"fmt"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Argument syntax, shared by parsing, usage texts and help.
const (
	rulePrefix  = "rule:"
	untilPrefix = "until:"
	dateLayout  = "2006-01-02"
	argTarget   = "<finding-id|" + rulePrefix + "<rule-id>>"
	argUntil    = "[" + untilPrefix + "YYYY-MM-DD]"
	argReason   = "<reason...>"
)

// findingIDDigits is how many hex digits follow findings.IDPrefix, derived
// from the findings package so that the two cannot drift apart.
var findingIDDigits = len(findings.IDFromFingerprint(strings.Repeat("0", 64))) - len(findings.IDPrefix)

// spec is one command: its verb, argument placeholders, one-line
// description and argument parser.
type spec struct {
	kind  Kind
	args  []string
	about string
	parse func(args string, now time.Time) (Command, *issue)
}

// issue is what an argument parser found wrong.
type issue struct {
	message    string
	suggestion string
}

// specs is the command table: parsing, usage texts and Help all read it.
var specs = []spec{
	{KindRetest, nil, "scan the pull request's head commit again", parseNoArgs},
	{KindException, []string{argTarget, kindPlaceholder(), argUntil, argReason},
		"request an exception for a finding, or for every finding of a rule; it applies once approved", parseException},
	{KindApprove, []string{argTarget}, "approve a requested exception (members of the approving team)", parseTargetOnly},
	{KindRevoke, []string{argTarget}, "revoke an exception, or withdraw a request", parseTargetOnly},
	{KindExceptions, nil, "list the exceptions and requests that apply to this pull request", parseNoArgs},
	{KindHelp, nil, "show this help", parseNoArgs},
}

// exceptionKinds is the table of exception kinds, in the order shown.
var exceptionKinds = []struct {
	kind  ExceptionKind
	about string
}{
	{FalsePositive, "the finding is not a real vulnerability"},
	{AcceptedRisk, "the vulnerability is real and its risk is accepted"},
	{WontFix, "the vulnerability is real and will not be fixed"},
	{TestCode, "the finding is only in test code or fixtures"},
}

// usage is the usage line of s.
func (s spec) usage() string {
	return strings.Join(append([]string{Prefix, string(s.kind)}, s.args...), " ")
}

// lookup finds the spec of a lower-case verb.
func lookup(verb string) (spec, bool) {
	for _, s := range specs {
		if string(s.kind) == verb {
			return s, true
		}
	}
	return spec{}, false
}

// verbs lists the verbs, in table order.
func verbs() []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = string(s.kind)
	}
	return out
}

// kindNames lists the exception kinds, in table order.
func kindNames() []string {
	out := make([]string, len(exceptionKinds))
	for i, k := range exceptionKinds {
		out[i] = string(k.kind)
	}
	return out
}

// kindPlaceholder is the exception kind argument of the usage line.
func kindPlaceholder() string {
	return "<" + strings.Join(kindNames(), "|") + ">"
}

// kindList is the exception kinds as Markdown prose: `a`, `b` or `c`.
func kindList() string {
	names := kindNames()
	for i, n := range names {
		names[i] = code(n)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Help is the Markdown help text posted for /conviso help, generated from
// the command table.
func Help() string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s commands**: write each one on its own line of a pull request comment, at the start of the line.\n\n", code(Prefix))
	for _, s := range specs {
		fmt.Fprintf(&b, "- %s: %s\n", code(s.usage()), s.about)
	}
	b.WriteString("\nException kinds:\n\n")
	for _, k := range exceptionKinds {
		fmt.Fprintf(&b, "- %s: %s\n", code(string(k.kind)), k.about)
	}
	fmt.Fprintf(&b, "\nA finding id is %s and %d hex digits, as shown in the check run; %s covers every finding of that rule. "+
		"%s ends the exception at the end of that day (UTC). "+
		"Commands inside code, quotes and HTML comments are ignored; a comment may hold at most %d commands.\n",
		code(findings.IDPrefix), findingIDDigits, code(rulePrefix+"<rule-id>"), code(untilPrefix), MaxCommands)
	return b.String()
}
