// Package scanner runs security scanners over an extracted source tree.
// Scanners never execute the scanned code and never reach the network.
package scanner

import (
	"context"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Scanner analyses a source tree on disk.
type Scanner interface {
	// Name is the scanner's stable name, e.g. "gitleaks".
	Name() string
	// Version is the scanner's version, recorded with every scan.
	Version() string
	// Scan analyses the tree rooted at root and returns its findings with
	// repository-relative paths, fingerprints and IDs set.
	Scan(ctx context.Context, root string) (Result, error)
}

// Result is one scanner's output for one tree.
type Result struct {
	// Findings are the scanner's findings, secrets redacted.
	Findings []findings.Finding
	// FilesScanned counts files the scanner read.
	FilesScanned int
	// Rules counts the rules the scanner applied; a scanner that applied
	// none did not really run, and the gate treats it as failed.
	Rules int
	// Skipped lists what the scanner could not analyse, and why.
	Skipped []string
}

// FileLocal is implemented by scanners whose findings in a file depend only
// on that file (secret scanners, pattern SAST), not on the rest of the tree.
// A pull request scan may then read only the changed files and merge with
// the base's stored results.
type FileLocal interface {
	FileLocal() bool
}
