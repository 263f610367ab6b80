// Package osv finds dependencies with known vulnerabilities (software
// composition analysis): it reads the lockfiles and manifests of an
// extracted source tree and matches the packages they pin against an OSV
// database kept on disk.
//
// # Libraries
//
// Manifests are parsed by Google's osv-scalibr (v0.5.3) extractors, the
// maintained successor of osv-scanner's lockfile parsers: osv-scanner v1's
// pkg/lockfile is deprecated, and osv-scanner v2 (v2.6.0, the only v2 the
// module proxy serves) needs Go 1.27 and itself delegates to osv-scalibr.
// Only the extractor packages are imported, not osv-scalibr's scan
// orchestration, detectors or enrichers (its root package would pull in
// container, disk-image and SQLite support). Each extractor only parses its
// file: no package manager, no `go list`, no registry or deps.dev lookup
// (see constructors; the pom.xml extractor links osv-scalibr's Maven
// registry client but is given none, so it resolves parents from the tree
// only). Versions are compared by osv-scalibr's semantic package (SemVer,
// PEP 440, Maven, RubyGems, ...), and CVSS base scores are computed by
// github.com/pandatix/go-cvss.
//
// # Matching
//
// Records are matched as the OSV schema says: an affected package matches
// when its versions list holds the version, or when one of its SEMVER or
// ECOSYSTEM ranges includes it (introduced inclusive, fixed exclusive,
// last_affected inclusive, below any limit). GIT ranges and withdrawn
// records are ignored. Records that name each other as aliases are one
// vulnerability and give one finding, whose RuleID is the preferred id
// (GitHub's GHSA- first, then the ecosystem's own, then CVE-; see
// preferred), the others being listed in Tags.
//
// Only packages pinned to one version are checked: every lockfile entry,
// and requirements lines using "==" or "===". A go.mod's go (or toolchain)
// line is checked as the Go standard library, "stdlib", at that version. Anything the scanner could
// not check is listed in Result.Skipped: manifests it could not parse,
// unpinned requirements, versions it could not compare, and ecosystems the
// database holds no record for, so a missing database export never passes
// as "no vulnerabilities".
package osv

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/osv-scalibr/extractor/filesystem"

	"github.com/conviso/conviso-github-app/internal/scanner"
)

// Name is the scanner's stable name.
const Name = "osv"

// Category is the findings' category (software composition analysis).
const Category = "sca"

// modulePath is osv-scalibr's module, whose version is part of the
// scanner's.
const modulePath = "github.com/google/osv-scalibr"

// fallbackVersion is reported when the build carries no module information
// (it must match go.mod).
const fallbackVersion = "v0.5.3"

// DefaultMaxFileBytes: larger manifests are not parsed (and are listed).
const DefaultMaxFileBytes int64 = 64 << 20

// Options configures a Scanner.
type Options struct {
	// DBPath is the folder of the OSV database: OSV JSON records (*.json)
	// in any folder layout, and/or archives of them (*.zip), such as the
	// per-ecosystem exports osv.dev publishes (ECOSYSTEM/all.zip).
	// Required.
	DBPath string
	// MaxFileBytes: manifests larger than this are skipped. 0 selects
	// DefaultMaxFileBytes; a negative value removes the limit.
	MaxFileBytes int64
}

// Scanner matches a tree's dependencies against an OSV database. It is
// safe for concurrent use: the database is read-only once loaded.
type Scanner struct {
	opts       Options
	db         *database
	extractors []filesystem.Extractor
	version    string
}

var _ scanner.Scanner = (*Scanner)(nil)

// New loads and indexes the OSV database at opts.DBPath. It fails when the
// folder cannot be read or holds no usable record; files in it that are
// not valid OSV records are reported by every Scan in Result.Skipped.
func New(opts Options) (*Scanner, error) {
	if opts.DBPath == "" {
		return nil, errors.New("osv: Options.DBPath is required")
	}
	if opts.MaxFileBytes == 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	db, err := loadDatabase(opts.DBPath)
	if err != nil {
		return nil, err
	}
	exs, err := newExtractors()
	if err != nil {
		return nil, err
	}
	return &Scanner{
		opts:       opts,
		db:         db,
		extractors: exs,
		version:    fmt.Sprintf("osv-scalibr %s; OSV database: %s", moduleVersion(), db.describe()),
	}, nil
}

// moduleVersion is the linked osv-scalibr module's version.
func moduleVersion() string { return scanner.ModuleVersion(modulePath, fallbackVersion) }

// Name returns "osv".
func (s *Scanner) Name() string { return Name }

// Version returns the osv-scalibr version and the database snapshot: its
// record count, ecosystems and newest modification time, e.g.
// "osv-scalibr v0.5.3; OSV database: 15 records (Go, npm, PyPI), newest
// modified 2024-08-07T20:01:43Z".
func (s *Scanner) Version() string { return s.version }

// Scan finds the manifests under root, extracts their pinned packages and
// reports one finding per package version, vulnerability and manifest.
// Symbolic links are not followed, .git and node_modules folders are not
// entered. FilesScanned counts the manifests read, and Rules the
// vulnerability records matched against (the database's, withdrawn ones
// excluded).
func (s *Scanner) Scan(ctx context.Context, root string) (scanner.Result, error) {
	r, err := newRun(ctx, s, root)
	if err != nil {
		return scanner.Result{}, err
	}
	defer r.close()
	if err := r.walk(); err != nil {
		return scanner.Result{}, fmt.Errorf("osv: scanning %s: %w", root, err)
	}
	found := r.match()
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, fmt.Errorf("osv: scanning %s: %w", root, err)
	}
	r.noteUnpinned()
	for _, p := range s.db.problems {
		r.skipped = append(r.skipped, "OSV database "+p+": not loaded")
	}
	slices.Sort(r.skipped)
	return scanner.Result{Findings: found, FilesScanned: r.files, Rules: s.db.records, Skipped: r.skipped}, nil
}
