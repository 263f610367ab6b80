package gosec

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/securego/gosec/v2/analyzers"
	"github.com/securego/gosec/v2/issue"
	"github.com/securego/gosec/v2/rules"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// baseTags are on every finding.
var baseTags = []string{"security", "sast", "go"}

// descriptions maps every gosec rule and analyzer id to its one-line
// description, the findings' Title.
var descriptions = sync.OnceValue(func() map[string]string {
	out := make(map[string]string)
	for id, def := range rules.Generate(false).Rules {
		out[id] = def.Description
	}
	for id, def := range analyzers.Generate(false).Analyzers {
		out[id] = def.Description
	}
	return out
})

// ruleGroups are the sections of gosec's RULES.md, by the rule id's
// hundreds digit.
var ruleGroups = map[byte]string{
	'1': "g1xx-general-secure-coding",
	'2': "g2xx-injection-patterns",
	'3': "g3xx-filesystem-and-permissions",
	'4': "g4xx-crypto-and-protocol-security",
	'5': "g5xx-import-blocklist",
	'6': "g6xx-languageruntime-safety",
	'7': "g7xx-taint-analysis",
}

// severity maps gosec's severity and confidence to one severity: gosec's
// severity when it is highly confident, one level lower (never below
// low) when it is less so, and low when it is barely confident:
//
//	confidence \ severity   HIGH     MEDIUM   LOW
//	HIGH                    high     medium   low
//	MEDIUM                  medium   medium   low
//	LOW                     low      low      low
//
// gosec gives nothing critical: its rules are heuristics on one package,
// and only HIGH/HIGH (e.g. G402 InsecureSkipVerify, G204 with a variable
// command) reaches high, the severity that fails the check run.
func severity(sev, conf issue.Score) findings.Severity {
	switch {
	case sev == issue.Low || conf == issue.Low:
		return findings.SeverityLow
	case sev == issue.High && conf == issue.High:
		return findings.SeverityHigh
	}
	return findings.SeverityMedium
}

// pending is a converted finding awaiting its fingerprint.
type pending struct {
	f    findings.Finding
	code string // the normalised code of the issue's lines
}

// identify converts gosec's issues into findings, sorted by location,
// exact duplicates dropped (a package and its test variant report the same
// issue twice), with fingerprints, keys and IDs set.
func (r *run) identify(issues []*issue.Issue) []findings.Finding {
	ps := make([]pending, 0, len(issues))
	for _, is := range issues {
		if p, ok := r.convert(is); ok {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, comparePending)
	ps = slices.CompactFunc(ps, func(a, b pending) bool { return comparePending(a, b) == 0 })
	// Identical code for one rule in one file is told apart by order of
	// appearance (":2" for the second...), as the gitleaks scanner does.
	seen := make(map[string]int, len(ps))
	out := make([]findings.Finding, 0, len(ps))
	for _, p := range ps {
		content := r.codeDigest(p.code)
		k := p.f.RuleID + "\x00" + p.f.Path + "\x00" + content
		seen[k]++
		if n := seen[k]; n > 1 {
			content += ":" + strconv.Itoa(n)
		}
		p.f.Fingerprint = findings.Fingerprint(Name, p.f.RuleID, p.f.Path, content)
		p.f.Key = findings.ContentKey(Name, p.f.RuleID, content)
		p.f.ID = findings.IDFromFingerprint(p.f.Fingerprint)
		out = append(out, p.f)
	}
	return out
}

// codeDigest is the fingerprint content for code: the code itself
// (findings.Fingerprint hashes it), or its HMAC under
// Options.FingerprintKey.
func (r *run) codeDigest(code string) string {
	key := r.s.opts.FingerprintKey
	if len(key) == 0 {
		return code
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(findings.NormaliseContent(code)))
	return hex.EncodeToString(mac.Sum(nil))
}

// convert turns one gosec issue into a pending finding; issues outside
// the tree (in files the go command generated) are dropped.
func (r *run) convert(is *issue.Issue) (pending, bool) {
	rel, err := filepath.Rel(r.root, is.File)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return pending{}, false
	}
	start, end := lines(is.Line)
	col, _ := strconv.Atoi(is.Col)
	var cwes []string
	if is.Cwe != nil && is.Cwe.ID != "" {
		cwes = []string{"CWE-" + is.Cwe.ID}
	} else if w := issue.GetCweByRule(is.RuleID); w != nil {
		cwes = []string{"CWE-" + w.ID}
	}
	f := findings.Finding{
		Scanner:     Name,
		RuleID:      is.RuleID,
		Title:       cmp.Or(descriptions()[is.RuleID], is.What, is.RuleID),
		Message:     fmt.Sprintf("%s (gosec %s: severity %s, confidence %s).", strings.TrimRight(is.What, ". "), is.RuleID, is.Severity, is.Confidence),
		Severity:    severity(is.Severity, is.Confidence),
		Path:        findings.NormalisePath(filepath.ToSlash(rel)),
		StartLine:   start,
		EndLine:     end,
		StartColumn: max(col, 0),
		Tags:        slices.Clone(baseTags),
		CWE:         cwes,
		HelpURI:     r.helpURI(is.RuleID),
		Category:    Category,
	}
	return pending{f: f, code: snippet(is.Code, start, end)}, true
}

// helpURI links to the section of gosec's rule documentation, at the
// linked version, that lists the rule.
func (r *run) helpURI(rule string) string {
	base := "https://github.com/securego/gosec/blob/" + r.s.version + "/RULES.md"
	if len(rule) == 4 && rule[0] == 'G' {
		if anchor, ok := ruleGroups[rule[1]]; ok {
			return base + "#" + anchor
		}
	}
	return base
}

// lines parses gosec's "12" or "12-14".
func lines(s string) (start, end int) {
	a, b, found := strings.Cut(s, "-")
	start, _ = strconv.Atoi(a)
	end = start
	if found {
		end, _ = strconv.Atoi(b)
	}
	start = max(start, 1)
	return start, max(end, start)
}

// snippet keeps, from gosec's code excerpt ("11: line\n12: line\n..."
// with a line of context on either side), the text of the issue's own
// lines, without their numbers: the fingerprint then survives the code
// moving and its neighbours changing. It falls back to the whole excerpt
// without numbers.
func snippet(code string, start, end int) string {
	var own, all []string
	for line := range strings.Lines(code) {
		line = strings.TrimRight(line, "\r\n")
		num, text, ok := strings.Cut(line, ": ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			all = append(all, line)
			continue
		}
		all = append(all, text)
		if n >= start && n <= end {
			own = append(own, text)
		}
	}
	if len(own) > 0 {
		return strings.Join(own, "\n")
	}
	return strings.Join(all, "\n")
}

// comparePending orders by location, then rule, message and code.
func comparePending(a, b pending) int {
	return cmp.Or(
		cmp.Compare(a.f.Path, b.f.Path),
		cmp.Compare(a.f.StartLine, b.f.StartLine),
		cmp.Compare(a.f.StartColumn, b.f.StartColumn),
		cmp.Compare(a.f.EndLine, b.f.EndLine),
		cmp.Compare(a.f.RuleID, b.f.RuleID),
		cmp.Compare(a.f.Message, b.f.Message),
		cmp.Compare(a.code, b.code),
	)
}

// rel makes the absolute paths in a message relative to the root, drops
// go/packages' "err: exit status 1: stderr:" wrapping and folds white
// space.
func (r *run) rel(msg string) string {
	msg = strings.ReplaceAll(msg, r.root+string(filepath.Separator), "")
	if _, after, ok := strings.Cut(msg, "stderr: "); ok {
		msg = after
	}
	return strings.Join(strings.Fields(msg), " ")
}

// relPath makes an absolute path relative to the root, slash-separated.
func (r *run) relPath(p string) string {
	rel, err := filepath.Rel(r.root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}
