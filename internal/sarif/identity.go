package sarif

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Keys of the partialFingerprints written by Write, imported back
// unchanged.
const (
	// PFPFingerprint holds the finding's Fingerprint.
	PFPFingerprint = "convisoFingerprint/v1"
	// PFPContentKey holds the finding's Key.
	PFPContentKey = "convisoKey/v1"
)

// identityOf reads a result's partialFingerprints. It returns the identity
// content "pfp:key=value" built from the keys that do not depend on the
// location (several are joined with ";" in key order), else from
// primaryLocationLineHash; and our own fingerprint and key when the log was
// written by Write. Empty values are ignored.
func identityOf(pfp map[string]string) (identity, exactFP, exactKey string) {
	if fp := pfp[PFPFingerprint]; isSHA256Hex(fp) {
		exactFP = fp
		if k := pfp[PFPContentKey]; isSHA256Hex(k) {
			exactKey = k
		}
	}
	var stable []string
	for k, v := range pfp {
		if v != "" && k != PFPFingerprint && k != PFPContentKey && !locationKey(k) {
			stable = append(stable, k)
		}
	}
	if len(stable) == 0 {
		if v := pfp["primaryLocationLineHash"]; v != "" {
			return "pfp:primaryLocationLineHash=" + v, exactFP, exactKey
		}
		return "", exactFP, exactKey
	}
	slices.Sort(stable)
	parts := make([]string, len(stable))
	for i, k := range stable {
		parts[i] = k + "=" + pfp[k]
	}
	return "pfp:" + strings.Join(parts, ";"), exactFP, exactKey
}

// locationKey reports whether a partialFingerprints key is derived from
// the location: line hashes (primaryLocationLineHash) and column
// fingerprints (primaryLocationStartColumnFingerprint, which CodeQL writes
// next to the line hash and which is only a column number).
func locationKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "linehash") || strings.Contains(k, "column")
}

// isSHA256Hex reports whether s is 64 lower-case hex digits.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// digest hashes normalised source text for a fingerprint: HMAC-SHA-256
// with key, or SHA-256 without one. Only the digest is kept, so a secret
// quoted in a snippet does not outlive the decoding of its result.
func digest(key []byte, text string) string {
	norm := findings.NormaliseContent(text)
	if len(key) == 0 {
		sum := sha256.Sum256([]byte(norm))
		return hex.EncodeToString(sum[:])
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(norm))
	return hex.EncodeToString(mac.Sum(nil))
}

// identify orders a run's findings by location, drops exact duplicates
// (same rule, place and content) and sets fingerprints, keys and IDs.
// Findings of one rule in one file with the same content are told apart
// by their order of line: the second gets ":2" appended to its content,
// and so on.
func identify(ps []pendingFinding) []findings.Finding {
	slices.SortStableFunc(ps, comparePending)
	ps = slices.CompactFunc(ps, func(a, b pendingFinding) bool { return comparePending(a, b) == 0 })
	seen := make(map[string]int, len(ps))
	out := make([]findings.Finding, 0, len(ps))
	for _, p := range ps {
		f := p.f
		same := f.RuleID + "\x00" + f.Path + "\x00" + p.content
		seen[same]++
		content := p.content
		if n := seen[same]; n > 1 {
			content += ":" + strconv.Itoa(n)
		}
		f.Fingerprint = findings.Fingerprint(f.Scanner, f.RuleID, f.Path, content)
		f.Key = findings.ContentKey(f.Scanner, f.RuleID, content)
		if p.exactFP != "" {
			f.Fingerprint, f.Key = p.exactFP, p.exactK
		}
		f.ID = findings.IDFromFingerprint(f.Fingerprint)
		out = append(out, f)
	}
	return out
}

// comparePending orders by path, position, rule and content.
func comparePending(a, b pendingFinding) int {
	return cmp.Or(
		cmp.Compare(a.f.Path, b.f.Path),
		cmp.Compare(a.f.StartLine, b.f.StartLine),
		cmp.Compare(a.f.StartColumn, b.f.StartColumn),
		cmp.Compare(a.f.EndLine, b.f.EndLine),
		cmp.Compare(a.f.EndColumn, b.f.EndColumn),
		cmp.Compare(a.f.RuleID, b.f.RuleID),
		cmp.Compare(a.content, b.content),
		cmp.Compare(a.exactFP, b.exactFP),
	)
}
