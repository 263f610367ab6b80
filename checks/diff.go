package checks

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// ChangedFile is what a pull request changed in one file, as GitHub's
// "list pull request files" endpoint reports it.
type ChangedFile struct {
	Path   string
	Status string // added, removed, modified, renamed, copied, changed, unchanged
	// Patch is the unified diff; GitHub omits it for binary and very large
	// diffs.
	Patch string
	// PreviousPath is the path before a rename.
	PreviousPath string
}

// LineSet holds the added lines of each changed file. A nil line map means
// "every line" (a file whose patch GitHub did not send).
type LineSet map[string]map[int]bool

var hunkHeader = regexp.MustCompile(`^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@`)

// AddedLines parses the patches of a pull request's files into the set of
// line numbers (in the new version of each file) that the PR adds.
func AddedLines(files []ChangedFile) LineSet { return diffLines(files, false) }

// HunkLines is AddedLines plus the context lines of each hunk: the lines a
// reviewer sees in the diff.
func HunkLines(files []ChangedFile) LineSet { return diffLines(files, true) }

func diffLines(files []ChangedFile, context bool) LineSet {
	set := make(LineSet, len(files))
	for _, f := range files {
		if f.Status == "removed" {
			continue
		}
		p := findings.NormalisePath(f.Path)
		if f.Patch == "" {
			if f.Status == "added" || f.Status == "modified" || f.Status == "changed" || f.Status == "copied" {
				set[p] = nil // no patch: treat the whole file as changed
			}
			continue
		}
		set[p] = parsePatch(f.Patch, context)
	}
	return set
}

func parsePatch(patch string, context bool) map[int]bool {
	lines := map[int]bool{}
	next := 0
	for _, l := range strings.Split(patch, "\n") {
		if m := hunkHeader.FindStringSubmatch(l); m != nil {
			next, _ = strconv.Atoi(m[1])
			continue
		}
		if next == 0 || l == "" {
			continue
		}
		switch l[0] {
		case '+':
			lines[next] = true
			next++
		case ' ':
			if context {
				lines[next] = true
			}
			next++
		case '\\': // "\ No newline at end of file"
		}
	}
	return lines
}

// Touches reports whether a finding's line range includes an added line.
func (s LineSet) Touches(f findings.Finding) bool {
	lines, ok := s[findings.NormalisePath(f.Path)]
	if !ok {
		return false
	}
	if lines == nil {
		return true
	}
	end := max(f.EndLine, f.StartLine)
	for l := f.StartLine; l <= end; l++ {
		if lines[l] {
			return true
		}
	}
	return false
}
