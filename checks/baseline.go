package checks

import (
	"github.com/conviso/conviso-github-app/internal/findings"
)

// Baseline is what the base of a pull request already had: a finding of the
// head that is in the baseline is pre-existing, never new.
type Baseline struct {
	fingerprints map[string]bool
	keysByPath   map[string]map[string]bool
	// renamed maps a path in the head to its path in the base.
	renamed map[string]string
}

// NewBaseline indexes the base's findings; renamed maps head paths to the
// base paths they were renamed from (GitHub's previous_filename).
func NewBaseline(base []findings.Finding, renamed map[string]string) *Baseline {
	b := &Baseline{fingerprints: map[string]bool{}, keysByPath: map[string]map[string]bool{}, renamed: renamed}
	for _, f := range base {
		b.fingerprints[f.Fingerprint] = true
		if f.Key == "" {
			continue
		}
		p := findings.NormalisePath(f.Path)
		if b.keysByPath[p] == nil {
			b.keysByPath[p] = map[string]bool{}
		}
		b.keysByPath[p][f.Key] = true
	}
	return b
}

// Has reports whether the base already had f: the same fingerprint, or the
// same content key in the file f's file was renamed from.
func (b *Baseline) Has(f findings.Finding) bool {
	if b.fingerprints[f.Fingerprint] {
		return true
	}
	from, ok := b.renamed[findings.NormalisePath(f.Path)]
	return ok && f.Key != "" && b.keysByPath[findings.NormalisePath(from)][f.Key]
}

// ClassifyAgainst marks each finding New unless the baseline has it.
func ClassifyAgainst(all []findings.Finding, base *Baseline) []findings.Finding {
	out := make([]findings.Finding, len(all))
	for i, f := range all {
		f.New = !base.Has(f)
		out[i] = f
	}
	return out
}
