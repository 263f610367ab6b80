package findings

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
)

// IDPrefix starts every finding ID.
const IDPrefix = "f-"

// idHexDigits is how many hex digits of the fingerprint the ID keeps:
// 48 bits, ample for the findings of one repository, short enough to type.
const idHexDigits = 12

// NormalisePath makes a repository-relative path canonical: forward slashes,
// no leading "./" or "/", cleaned.
func NormalisePath(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/")
}

// NormaliseContent folds white space so that re-indentation or trailing
// spaces do not change a fingerprint.
func NormaliseContent(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Fingerprint derives a line-independent identity from the rule, the
// normalised path and the normalised matched content. Callers pass a hash or
// a redacted form of sensitive content, never the secret itself: the content
// is hashed here, but keeping secrets out of memory that outlives the scan is
// the caller's job.
func Fingerprint(scanner, ruleID, filePath, content string) string {
	h := sha256.New()
	for _, part := range []string{scanner, ruleID, NormalisePath(filePath), NormaliseContent(content)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ContentKey is Fingerprint without the path: what was found, not where.
// Scanners set Finding.Key to it so that a finding in a renamed file is
// recognised as the same finding.
func ContentKey(scanner, ruleID, content string) string {
	return Fingerprint(scanner, ruleID, "", content)
}

// IDFromFingerprint derives the short, stable finding ID.
func IDFromFingerprint(fp string) string {
	if len(fp) > idHexDigits {
		fp = fp[:idHexDigits]
	}
	return IDPrefix + fp
}
