package policy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"
)

// Bounds on single values.
const (
	maxGlobLen    = 256
	maxNameLen    = 256
	maxReasonLen  = 500
	maxCount      = 1_000_000
	maxDays       = 3650
	defaultMaxAge = 90 * 24 * time.Hour
)

var (
	cweRe      = regexp.MustCompile(`^CWE-[1-9][0-9]{0,5}$`)
	scannerRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	userRe     = regexp.MustCompile(`^@?[A-Za-z0-9][A-Za-z0-9-]{0,38}$`)
	teamRe     = regexp.MustCompile(`^@[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	durationRe = regexp.MustCompile(`^([1-9][0-9]{0,5})([hdw])$`)
	countRe    = regexp.MustCompile(`^[0-9]{1,7}$`)
)

// quote renders a bad value for a message, shortened.
func quote(s string) string { return strconv.Quote(truncateText(s, 80)) }

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) }) >= 0
}

// checkGlob validates a repository path glob; it returns a problem or "".
func checkGlob(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "empty glob (write a path glob such as testdata/**)"
	case len(s) > maxGlobLen:
		return fmt.Sprintf("glob longer than %d characters", maxGlobLen)
	case hasControl(s):
		return fmt.Sprintf("%s holds control characters", quote(s))
	case strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./"):
		return fmt.Sprintf("%s: paths are relative to the repository root (drop the leading %s)", quote(s), s[:strings.IndexByte(s, '/')+1])
	case strings.Contains(s, `\`):
		return fmt.Sprintf("%s: use / between folders, not \\", quote(s))
	case !doublestar.ValidatePattern(s):
		return fmt.Sprintf("%s is not a valid glob (unclosed [ or {)", quote(s))
	}
	return ""
}

// checkBranchGlob validates a branch name glob.
func checkBranchGlob(s string) string {
	if strings.HasPrefix(s, "refs/") {
		return fmt.Sprintf("%s: write the branch name without refs/heads/", quote(s))
	}
	if msg := checkGlob(s); msg != "" {
		return strings.Replace(msg, "path glob such as testdata/**", "branch glob such as release/*", 1)
	}
	return ""
}

// checkName validates a rule id or tag.
func checkName(s, what string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "empty " + what
	case len(s) > maxNameLen:
		return fmt.Sprintf("%s longer than %d characters", what, maxNameLen)
	case hasControl(s):
		return fmt.Sprintf("%s holds control characters", quote(s))
	}
	return ""
}

func checkCWE(s string) string {
	if !cweRe.MatchString(s) {
		return fmt.Sprintf("%s is not a CWE id (expected CWE-<number>, e.g. CWE-798)", quote(s))
	}
	return ""
}

func checkScanner(s string) string {
	if !scannerRe.MatchString(s) {
		return fmt.Sprintf("%s is not a scanner name (letters, digits, '.', '_' and '-', e.g. gitleaks)", quote(s))
	}
	return ""
}

// checkApprover validates "login", "@login" or "@org/team".
func checkApprover(s string) string {
	if !userRe.MatchString(s) && !teamRe.MatchString(s) {
		return fmt.Sprintf("%s is not a GitHub user or team (expected login, @login or @org/team)", quote(s))
	}
	return ""
}

// normaliseApprover strips the @ of a user; teams keep theirs.
func normaliseApprover(s string) string {
	if isTeam(s) {
		return s
	}
	return strings.TrimPrefix(s, "@")
}

func isTeam(s string) bool { return strings.Contains(s, "/") }

func checkReason(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "empty reason (say why these paths are ignored)"
	case len(s) > maxReasonLen:
		return fmt.Sprintf("reason longer than %d characters", maxReasonLen)
	}
	return ""
}

// parseDuration reads "90d", "12w" or "36h".
func parseDuration(s string) (time.Duration, string) {
	m := durationRe.FindStringSubmatch(s)
	bad := fmt.Sprintf("%s is not a duration (expected <n>d, <n>w or <n>h, e.g. 90d)", quote(s))
	if m == nil {
		return 0, bad
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	d := time.Duration(n) * unit
	if d > maxDays*24*time.Hour {
		return 0, fmt.Sprintf("%s is longer than %d days", quote(s), maxDays)
	}
	return d, ""
}

// formatDuration renders d the way it would be written: "90d", "36h".
func formatDuration(d time.Duration) string {
	day := 24 * time.Hour
	if d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
}

// parseCount reads a non-negative whole number.
func parseCount(s scalar) (int, string) {
	if s.Tag != "!!int" || !countRe.MatchString(s.Value) {
		return 0, fmt.Sprintf("%s is not a whole number from 0 to %d", quote(s.Value), maxCount)
	}
	n, _ := strconv.Atoi(s.Value)
	if n > maxCount {
		return 0, fmt.Sprintf("%s is not a whole number from 0 to %d", quote(s.Value), maxCount)
	}
	return n, ""
}
