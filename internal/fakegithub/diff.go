package fakegithub

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// fileDiff is one file of a pull request, as git diff sees it.
type fileDiff struct {
	status    string // GitHub's: added, removed, modified, renamed, copied, changed
	path      string
	oldPath   string
	blobSHA   string
	additions int
	deletions int
	binary    bool
	patch     string // hunks only, starting at the first "@@"
	hasPatch  bool
}

// diffFiles lists the files changed from base to head, with real unified
// diff hunks (3 lines of context, rename detection), as GitHub does.
func (g *gitRepo) diffFiles(base, head string) ([]fileDiff, error) {
	raw, err := g.run(nil, "diff", "--no-color", "-z", "-M", "--raw", "--no-abbrev", base, head)
	if err != nil {
		return nil, err
	}
	files := parseRaw(raw)
	num, err := g.run(nil, "diff", "--no-color", "-z", "-M", "--numstat", base, head)
	if err != nil {
		return nil, err
	}
	applyNumstat(files, num)
	patch, err := g.run(nil, "diff", "--no-color", "-M", "--no-ext-diff", base, head)
	if err != nil {
		return nil, err
	}
	applyPatches(files, patch)
	return files, nil
}

// parseRaw parses `git diff -z --raw` output.
func parseRaw(out []byte) []fileDiff {
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	var files []fileDiff
	for i := 0; i+1 < len(fields); i += 2 {
		meta := strings.Fields(strings.TrimPrefix(fields[i], ":"))
		if len(meta) < 5 {
			break
		}
		f := fileDiff{blobSHA: meta[3], path: fields[i+1]}
		switch meta[4][0] {
		case 'A':
			f.status = "added"
		case 'D':
			f.status, f.blobSHA = "removed", meta[2]
		case 'R', 'C':
			f.status = map[byte]string{'R': "renamed", 'C': "copied"}[meta[4][0]]
			f.oldPath, f.path = fields[i+1], fields[i+2]
			i++
		case 'T':
			f.status = "changed"
		default:
			f.status = "modified"
		}
		files = append(files, f)
	}
	return files
}

// applyNumstat fills additions and deletions from `git diff -z --numstat`,
// whose records come in the same order as --raw.
func applyNumstat(files []fileDiff, out []byte) {
	recs := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	idx := 0
	for i := 0; i < len(recs) && idx < len(files); i++ {
		parts := strings.SplitN(recs[i], "\t", 3)
		if len(parts) < 3 {
			continue
		}
		if parts[2] == "" { // rename: old and new paths follow as records
			i += 2
		}
		f := &files[idx]
		idx++
		if parts[0] == "-" {
			f.binary = true
			continue
		}
		f.additions, _ = strconv.Atoi(parts[0])
		f.deletions, _ = strconv.Atoi(parts[1])
	}
}

// applyPatches splits a full `git diff` into per-file hunks; files come in
// the same order as --raw.
func applyPatches(files []fileDiff, out []byte) {
	chunks := bytes.Split(out, []byte("\ndiff --git "))
	for i, chunk := range chunks {
		if i >= len(files) {
			break
		}
		at := bytes.Index(chunk, []byte("\n@@ "))
		if files[i].binary || at < 0 {
			continue
		}
		hunks := string(chunk[at+1:])
		files[i].patch, files[i].hasPatch = strings.TrimSuffix(hunks, "\n"), true
	}
}

// String is for debugging.
func (f fileDiff) String() string {
	return fmt.Sprintf("%s %s +%d -%d", f.status, f.path, f.additions, f.deletions)
}
