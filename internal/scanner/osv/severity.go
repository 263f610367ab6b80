package osv

import (
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// ghsaSeverities maps GitHub's advisory severities
// (database_specific.severity) to the normalised ones.
var ghsaSeverities = map[string]findings.Severity{
	"CRITICAL": findings.SeverityCritical,
	"HIGH":     findings.SeverityHigh,
	"MODERATE": findings.SeverityMedium,
	"MEDIUM":   findings.SeverityMedium,
	"LOW":      findings.SeverityLow,
}

// groupSeverity is the severity of the first record of the group that
// has one (the preferred record first), or unknown when none has: the Go
// vulnerability database, for one, rates nothing.
func groupSeverity(g []*match) findings.Severity {
	for _, m := range g {
		if s := matchSeverity(m); s != findings.SeverityUnknown {
			return s
		}
	}
	return findings.SeverityUnknown
}

// matchSeverity rates one matched record: GitHub's reviewed severity
// (database_specific.severity) when present; else the highest CVSS base
// score among the matched packages' own severity entries; else the
// highest among the record's.
func matchSeverity(m *match) findings.Severity {
	if s, ok := ghsaSeverities[m.rec.ghsaSeverity]; ok {
		return s
	}
	if s := cvssSeverity(m.severity); s != findings.SeverityUnknown {
		return s
	}
	return cvssSeverity(m.rec.Severity)
}

// cvssSeverity rates the highest CVSS base score among entries (v2, v3.0,
// v3.1 and v4.0 vectors; others and invalid vectors are ignored): 9 and
// above is critical, 7 high, 4 medium, above 0 low.
func cvssSeverity(entries []severity) findings.Severity {
	best, ok := 0.0, false
	for _, e := range entries {
		if score, valid := cvssScore(e); valid {
			best, ok = max(best, score), true
		}
	}
	switch {
	case !ok:
		return findings.SeverityUnknown
	case best >= 9:
		return findings.SeverityCritical
	case best >= 7:
		return findings.SeverityHigh
	case best >= 4:
		return findings.SeverityMedium
	case best > 0:
		return findings.SeverityLow
	}
	return findings.SeverityUnknown
}

// cvssScore computes the base score of one severity entry's vector.
func cvssScore(e severity) (float64, bool) {
	v := strings.TrimSpace(e.Score)
	switch e.Type {
	case "CVSS_V4":
		c, err := gocvss40.ParseVector(v)
		if err != nil {
			return 0, false
		}
		return c.Score(), true
	case "CVSS_V3":
		if strings.HasPrefix(v, "CVSS:3.0/") {
			c, err := gocvss30.ParseVector(v)
			if err != nil {
				return 0, false
			}
			return c.BaseScore(), true
		}
		c, err := gocvss31.ParseVector(v)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	case "CVSS_V2":
		c, err := gocvss20.ParseVector(v)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	}
	return 0, false
}
