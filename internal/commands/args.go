package commands

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// cutToken splits s, after any spaces and tabs, into its first token (up to
// the next space or tab) and the rest. Only ASCII spaces and tabs separate
// tokens: a look-alike space is part of a token, and so gets reported.
func cutToken(s string) (token, rest string) {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// parseNoArgs parses the arguments of a command that takes none.
func parseNoArgs(args string, _ time.Time) (Command, *issue) {
	return Command{}, noMoreArgs(args)
}

// noMoreArgs reports text left after a command's last argument.
func noMoreArgs(args string) *issue {
	extra := strings.TrimSpace(args)
	if extra == "" {
		return nil
	}
	return &issue{message: "unexpected text after the command: " + userCode(extra) + lookalikeNote(extra)}
}

// parseTargetOnly parses the arguments of approve and revoke.
func parseTargetOnly(args string, _ time.Time) (Command, *issue) {
	tok, rest := cutToken(args)
	target, iss := parseTarget(tok)
	if iss == nil {
		iss = noMoreArgs(rest)
	}
	return Command{Target: target}, iss
}

// parseException parses target, kind, optional expiry and reason.
func parseException(args string, now time.Time) (Command, *issue) {
	var c Command
	var iss *issue
	tok, rest := cutToken(args)
	if c.Target, iss = parseTarget(tok); iss != nil {
		return c, iss
	}
	tok, rest = cutToken(rest)
	if c.ExceptionKind, iss = parseExceptionKind(tok); iss != nil {
		return c, iss
	}
	if tok, after := cutToken(rest); hasPrefixFold(tok, untilPrefix) {
		if c.Until, iss = parseUntil(tok, now); iss != nil {
			return c, iss
		}
		rest = after
	}
	c.Reason = strings.TrimSpace(rest)
	return c, checkReason(c.Reason)
}

// parseTarget parses a finding id or rule:<rule-id>.
func parseTarget(tok string) (Target, *issue) {
	switch {
	case tok == "":
		return Target{}, &issue{message: "missing the target: a finding id or " + code(rulePrefix+"<rule-id>")}
	case hasPrefixFold(tok, rulePrefix):
		return parseRuleID(tok)
	case hasPrefixFold(tok, findings.IDPrefix):
		if id, ok := findingID(tok); ok {
			return Target{FindingID: id}, nil
		}
		return Target{}, &issue{
			message:    fmt.Sprintf("%s is not a finding id: write %s and %d hex digits", userCode(tok), code(findings.IDPrefix), findingIDDigits) + lookalikeNote(tok),
			suggestion: targetSuggestion(tok),
		}
	}
	return Target{}, &issue{
		message: fmt.Sprintf("%s is not a finding id (%s and %d hex digits) or a rule (%s)",
			userCode(tok), code(findings.IDPrefix), findingIDDigits, code(rulePrefix+"<rule-id>")) + lookalikeNote(tok),
		suggestion: targetSuggestion(tok),
	}
}

// findingID validates and normalises (lower-cases) a finding id.
func findingID(tok string) (string, bool) {
	if !hasPrefixFold(tok, findings.IDPrefix) {
		return "", false
	}
	digits := tok[len(findings.IDPrefix):]
	if len(digits) != findingIDDigits || strings.TrimLeft(digits, "0123456789abcdefABCDEF") != "" {
		return "", false
	}
	return findings.IDPrefix + lowerASCII(digits), true
}

// parseRuleID parses rule:<rule-id>; the prefix is case-insensitive, the id
// is kept as typed.
func parseRuleID(tok string) (Target, *issue) {
	id := tok[len(rulePrefix):]
	if id == "" {
		return Target{}, &issue{message: "missing the rule id after " + code(rulePrefix)}
	}
	if !validRuleID(id) {
		return Target{}, &issue{
			message: fmt.Sprintf("%s is not a rule id: use 1 to %d characters of %s", userCode(tok), MaxRuleIDLength,
				code("A-Z a-z 0-9 . _ / : -")) + lookalikeNote(tok),
			suggestion: targetSuggestion(tok),
		}
	}
	return Target{RuleID: id}, nil
}

// validRuleID reports whether id matches [A-Za-z0-9._/:-]{1,MaxRuleIDLength}.
func validRuleID(id string) bool {
	if id == "" || len(id) > MaxRuleIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !isASCIIAlnum(c) && !strings.ContainsRune("._/:-", rune(c)) {
			return false
		}
	}
	return true
}

// targetSuggestion guesses the target meant by a token that is not one: the
// token without its look-alikes, or a bare id given its missing prefix.
func targetSuggestion(tok string) string {
	if s := skeleton(tok); s != tok {
		if t, iss := parseTarget(s); iss == nil {
			return t.String()
		}
	}
	if id, ok := findingID(findings.IDPrefix + tok); ok {
		return id
	}
	// A bare word is only taken for a rule id when it looks like one.
	if !hasPrefixFold(tok, findings.IDPrefix) && !hasPrefixFold(tok, rulePrefix) && validRuleID(tok) &&
		strings.ContainsAny(tok, "._/:-") {
		return rulePrefix + tok
	}
	return ""
}

// parseExceptionKind parses an exception kind, in any case.
func parseExceptionKind(tok string) (ExceptionKind, *issue) {
	switch {
	case tok == "":
		return "", &issue{message: "missing the exception kind: " + kindList()}
	case hasPrefixFold(tok, untilPrefix):
		return "", &issue{message: code(untilPrefix) + " goes after the exception kind: " + kindList()}
	}
	for _, k := range exceptionKinds {
		if lowerASCII(tok) == string(k.kind) {
			return k.kind, nil
		}
	}
	return "", &issue{
		message:    "unknown exception kind " + userCode(tok) + lookalikeNote(tok) + ": use " + kindList(),
		suggestion: suggest(tok, kindNames()),
	}
}

// parseUntil parses until:YYYY-MM-DD into the end of that day (UTC), which
// must not be before now.
func parseUntil(tok string, now time.Time) (time.Time, *issue) {
	date := tok[len(untilPrefix):]
	if date == "" {
		return time.Time{}, &issue{message: "missing the date after " + code(untilPrefix)}
	}
	day, err := time.Parse(dateLayout, date)
	if err != nil || len(date) != len(dateLayout) {
		return time.Time{}, &issue{message: userCode(tok) + " is not a date: write " + code(untilPrefix+"YYYY-MM-DD") + lookalikeNote(tok)}
	}
	end := day.AddDate(0, 0, 1).Add(-time.Nanosecond)
	if end.Before(now) {
		return time.Time{}, &issue{message: userCode(tok) + " is in the past"}
	}
	return end, nil
}

// checkReason requires a reason of at most MaxReasonLength characters, with
// no until: in it (it would be an expiry in the wrong place).
func checkReason(reason string) *issue {
	if reason == "" {
		return &issue{message: "missing the reason: say why the exception is needed"}
	}
	if n := utf8.RuneCountInString(reason); n > MaxReasonLength {
		return &issue{message: fmt.Sprintf("the reason is too long: %d characters, at most %d", n, MaxReasonLength)}
	}
	for _, word := range strings.Fields(reason) {
		if hasPrefixFold(word, untilPrefix) {
			return &issue{message: userCode(word) + " must come right after the exception kind"}
		}
	}
	return nil
}
