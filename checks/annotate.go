package checks

import (
	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// annotateFilter returns which new findings get annotations, by the
// policy's filter (reviewdog's modes). Without a pull request (a push)
// every new finding is annotated.
func annotateFilter(mode policy.AnnotateFilter, files []ChangedFile, isPR bool) func(findings.Finding) bool {
	if !isPR || mode == policy.AnnotateAll {
		return nil
	}
	var set LineSet
	switch mode {
	case policy.AnnotateDiffContext:
		set = HunkLines(files)
	case policy.AnnotateFile:
		set = LineSet{}
		for _, f := range files {
			if f.Status != "removed" {
				set[findings.NormalisePath(f.Path)] = nil
			}
		}
	default: // added
		set = AddedLines(files)
	}
	return set.Touches
}
