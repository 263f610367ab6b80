package gitleaks

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Severity policy. A committed credential is high by default: whoever can
// read the repository (or any fork, clone or CI log of it) can use it until
// it is revoked. Rules whose secrets grant broad, direct control of
// infrastructure or identities are critical. Rule ids must exist in
// gitleaks' default config (a test checks); gcp-service-account is not one
// in v8.30.1.
var criticalRules = map[string]bool{
	"private-key":            true, // TLS, SSH, signing keys
	"age-secret-key":         true, // age private keys decrypt everything sent to them
	"aws-access-token":       true, // AWS access key ids
	"azure-ad-client-secret": true, // Entra ID application credentials
}

// baseTags are on every finding.
var baseTags = []string{"secret", "CWE-798"}

// zeroFinding is assigned over gitleaks findings once converted.
var zeroFinding report.Finding

// pending is a converted finding awaiting its fingerprint: the secret is
// kept only as its keyed hash (see secretDigest).
type pending struct {
	f          findings.Finding
	secretHash string
}

// convert turns a gitleaks finding into a pending finding, and clears the
// finding's secret, match and line. fragStart is the 1-based line on which
// the finding's fragment starts.
func convert(lf *report.Finding, fragStart int, key []byte) pending {
	sum := secretDigest(lf.Secret, key)
	lf.Secret, lf.Match, lf.Line = "", "", ""
	startCol, endCol := columns(lf, fragStart)
	f := findings.Finding{
		Scanner:     Name,
		RuleID:      lf.RuleID,
		Title:       cmp.Or(lf.Description, lf.RuleID),
		Message:     message(lf.RuleID),
		Severity:    severity(lf.RuleID),
		Path:        findings.NormalisePath(lf.File),
		StartLine:   max(lf.StartLine, 1),
		EndLine:     max(lf.EndLine, lf.StartLine, 1),
		StartColumn: startCol,
		EndColumn:   endCol,
		Tags:        tags(lf.Tags),
	}
	return pending{f: f, secretHash: hex.EncodeToString(sum)}
}

// secretDigest hashes a secret for its fingerprint. With a key (the
// deployment's fingerprint key) it is an HMAC, so that a published finding
// id cannot be used to confirm a guessed weak secret offline; without one
// (local runs) it is a plain SHA-256.
func secretDigest(secret string, key []byte) []byte {
	if len(key) == 0 {
		sum := sha256.Sum256([]byte(secret))
		return sum[:]
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(secret))
	return mac.Sum(nil)
}

// columns returns lf's 1-based columns. gitleaks counts a column on any
// line but its fragment's first from the preceding newline character, one
// too many; this corrects it.
func columns(lf *report.Finding, fragStart int) (start, end int) {
	start, end = lf.StartColumn, lf.EndColumn
	if lf.StartLine > fragStart && start > 1 {
		start--
	}
	if lf.EndLine > fragStart && end > 1 {
		end--
	}
	return start, end
}

// severity applies the severity policy to a rule.
func severity(ruleID string) findings.Severity {
	if criticalRules[ruleID] {
		return findings.SeverityCritical
	}
	return findings.SeverityHigh
}

// message says what is wrong and how to fix it, without the secret.
func message(ruleID string) string {
	return fmt.Sprintf("A secret matching gitleaks rule %q is committed here (its value is withheld). "+
		"Treat it as compromised: revoke or rotate it now, remove it from the code and from the git history, "+
		"and load it at run time from a secret manager or the environment instead.", ruleID)
}

// tags returns the base tags followed by the rule's own, sorted, without
// duplicates.
func tags(ruleTags []string) []string {
	extra := slices.Clone(ruleTags)
	slices.Sort(extra)
	out := slices.Clone(baseTags)
	for _, t := range slices.Compact(extra) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// identify sorts the pending findings by location, drops exact duplicates
// and sets fingerprints and IDs. The fingerprint content is the secret's
// hash, so it survives the secret moving within its file; identical
// secrets for the same rule in one file are told apart by their order of
// appearance (":2" for the second, and so on), as GitHub does with
// primaryLocationLineHash. Inserting an identical secret above an existing
// one therefore renumbers the ones below it.
func identify(ps []pending) []findings.Finding {
	slices.SortFunc(ps, comparePending)
	ps = slices.CompactFunc(ps, func(a, b pending) bool { return comparePending(a, b) == 0 })
	seen := make(map[string]int, len(ps))
	out := make([]findings.Finding, 0, len(ps))
	for _, p := range ps {
		key := p.f.RuleID + "\x00" + p.f.Path + "\x00" + p.secretHash
		seen[key]++
		content := p.secretHash
		if n := seen[key]; n > 1 {
			content += ":" + strconv.Itoa(n)
		}
		p.f.Fingerprint = findings.Fingerprint(Name, p.f.RuleID, p.f.Path, content)
		p.f.Key = findings.ContentKey(Name, p.f.RuleID, content)
		p.f.ID = findings.IDFromFingerprint(p.f.Fingerprint)
		out = append(out, p.f)
	}
	return out
}

// comparePending orders by path, position, rule and secret hash.
func comparePending(a, b pending) int {
	return cmp.Or(
		cmp.Compare(a.f.Path, b.f.Path),
		cmp.Compare(a.f.StartLine, b.f.StartLine),
		cmp.Compare(a.f.StartColumn, b.f.StartColumn),
		cmp.Compare(a.f.EndLine, b.f.EndLine),
		cmp.Compare(a.f.EndColumn, b.f.EndColumn),
		cmp.Compare(a.f.RuleID, b.f.RuleID),
		cmp.Compare(a.secretHash, b.secretHash),
	)
}
