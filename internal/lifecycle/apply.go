package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Scan is one scan result of one repository.
type Scan struct {
	// RepoID identifies the repository (no ":" in it).
	RepoID string
	// Commit is the scanned commit SHA.
	Commit string
	// Ref is the scanned ref, e.g. "refs/heads/main".
	Ref string
	// IsDefaultBranch is true for a scan of the default branch; only such
	// scans fix findings.
	IsDefaultBranch bool
	// ScanID identifies the scan; a ScanID is applied once.
	ScanID string
	// At is when the scan ran. A scan older than a record's latest evidence
	// does not change that record.
	At time.Time
	// Scanners lists the scanners that ran successfully. Only they can fix
	// findings: a failed scanner's silence proves nothing.
	Scanners []string
	// Findings are the scan's findings, identified by Fingerprint.
	Findings []findings.Finding
}

// Validate checks that the scan can be applied.
func (s Scan) Validate() error {
	var errs []error
	if err := checkRepoID(s.RepoID); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(s.ScanID) == "" {
		errs = append(errs, errors.New("scan id is empty"))
	}
	if s.At.IsZero() {
		errs = append(errs, errors.New("scan time is not set"))
	}
	for i, f := range s.Findings {
		if f.Fingerprint == "" {
			errs = append(errs, fmt.Errorf("finding %d (%s %s) has no fingerprint", i, f.RuleID, f.Location()))
		}
		if f.Scanner == "" {
			errs = append(errs, fmt.Errorf("finding %d (%s %s) has no scanner", i, f.RuleID, f.Location()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid scan %q of repository %q: %w", s.ScanID, s.RepoID, err)
	}
	return nil
}

// checkRepoID refuses ids that would make record keys ambiguous.
func checkRepoID(id string) error {
	if strings.TrimSpace(id) == "" {
		return errors.New("repository id is empty")
	}
	if strings.Contains(id, ":") {
		return fmt.Errorf("repository id %q contains ':'", id)
	}
	return nil
}

// Apply applies one scan to a repository's state and returns the next state
// and the changes: detections first, then fixes, each in fingerprint order.
// It is pure: prev is not modified.
//
// A scan already in prev.AppliedScans changes nothing. A detected
// fingerprint without a record is Created; a second detection makes a
// Created record Identified; a detection of a Fixed record reopens it. An
// open record of a scanner in scan.Scanners that a default-branch scan no
// longer detects is Fixed. Risk Accepted and False Positive records only
// get their sightings updated. A record whose latest scan evidence (last
// sighting or fix) is newer than scan.At is left alone, so a scan processed
// late cannot undo a newer one. Findings without a fingerprint are ignored
// (Tracker.Record refuses them, see Scan.Validate).
func Apply(prev State, scan Scan) (State, []Change) {
	if prev.Applied(scan.ScanID) {
		return prev, nil
	}
	scan.At = scan.At.UTC()
	next := prev.clone()
	if next.RepoID == "" {
		next.RepoID = scan.RepoID
	}
	detected := byFingerprint(scan.Findings)
	var changes []Change
	for _, fp := range sortedKeys(detected) {
		rec, ok := next.Records[fp]
		if !ok {
			rec = Record{RepoID: scan.RepoID, Fingerprint: fp}
		}
		rec, ch := detect(rec, detected[fp], scan)
		next.Records[fp] = rec
		changes = append(changes, ch...)
	}
	if scan.IsDefaultBranch {
		for _, fp := range sortedKeys(next.Records) {
			if _, seen := detected[fp]; seen {
				continue
			}
			rec, ch, ok := fix(next.Records[fp], scan)
			if ok {
				next.Records[fp] = rec
				changes = append(changes, ch)
			}
		}
	}
	next.markApplied(scan.ScanID)
	return next, changes
}

// byFingerprint indexes findings by fingerprint, keeping the first of
// duplicates and dropping findings without one.
func byFingerprint(fs []findings.Finding) map[string]findings.Finding {
	out := make(map[string]findings.Finding, len(fs))
	for _, f := range fs {
		if _, dup := out[f.Fingerprint]; !dup && f.Fingerprint != "" {
			out[f.Fingerprint] = f
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// stale reports whether scan must leave rec alone: it was already applied
// to it, or it is older than rec's latest scan evidence.
func stale(rec Record, scan Scan) bool {
	return rec.LastScanID == scan.ScanID || scan.At.Before(rec.lastEvidenceAt())
}

// detect records that scan detected f, whose record is rec (a zero Record
// with only RepoID and Fingerprint when new).
func detect(rec Record, f findings.Finding, scan Scan) (Record, []Change) {
	if rec.Status == StatusNone {
		return create(rec, f, scan)
	}
	if stale(rec, scan) {
		return rec, nil
	}
	var changes []Change
	if f.Severity != rec.Severity {
		var ch Change
		rec, ch = changeSeverity(rec, f, scan)
		changes = append(changes, ch)
	}
	rec = sighted(rec, f, scan)
	switch rec.Status {
	case StatusCreated:
		rec, changes = transit(rec, changes, StatusIdentified, EventIdentified, f.Scanner, scan)
	case StatusFixed:
		rec.ReopenCount++
		rec.ReopenedAt = scan.At
		rec.FixedAt, rec.FixedCommit = time.Time{}, ""
		rec, changes = transit(rec, changes, StatusIdentified, EventReopened, f.Scanner, scan)
	}
	return rec, changes
}

// create makes the record of a first detection.
func create(rec Record, f findings.Finding, scan Scan) (Record, []Change) {
	rec.FindingID = f.ID
	rec.Scanner = f.Scanner
	rec.OriginalSeverity = f.Severity
	rec.Severity = f.Severity
	rec.FirstSeen = sighting(f, scan)
	rec = sighted(rec, f, scan)
	return transit(rec, nil, StatusCreated, EventCreated, f.Scanner, scan)
}

// sighted updates what the latest detection tells about rec.
func sighted(rec Record, f findings.Finding, scan Scan) Record {
	rec.RuleID, rec.Title, rec.Path = f.RuleID, f.Title, f.Path
	if f.ID != "" {
		rec.FindingID = f.ID
	}
	rec.LastSeen = sighting(f, scan)
	rec.LastScanID = scan.ScanID
	rec.Sightings++
	return rec
}

func sighting(f findings.Finding, scan Scan) Sighting {
	return Sighting{At: scan.At, Commit: scan.Commit, Ref: scan.Ref, ScanID: scan.ScanID, Scanner: f.Scanner}
}

// changeSeverity records the scanner's new severity for rec. The original
// severity and the creation date (the SLA's start) stay.
func changeSeverity(rec Record, f findings.Finding, scan Scan) (Record, Change) {
	e := scanEntry(scan, f.Scanner, EventSeverity, rec.Status, rec.Status)
	e.Severity = &SeverityChange{From: rec.Severity, To: f.Severity}
	rec.Severity = f.Severity
	return rec.withEntry(e), Change{Fingerprint: rec.Fingerprint, HistoryEntry: e}
}

// fix marks rec Fixed when scan, a default-branch scan that did not detect
// it, proves it gone: rec is open and its scanner ran successfully.
func fix(rec Record, scan Scan) (Record, Change, bool) {
	if !rec.Status.Open() || !slices.Contains(scan.Scanners, rec.Scanner) || stale(rec, scan) {
		return rec, Change{}, false
	}
	rec.FixedAt, rec.FixedCommit = scan.At, scan.Commit
	if rec.FirstFixedAt.IsZero() {
		rec.FirstFixedAt = scan.At
	}
	rec.LastScanID = scan.ScanID
	rec, changes := transit(rec, nil, StatusFixed, EventFixed, rec.Scanner, scan)
	return rec, changes[0], true
}

// transit moves rec to status `to` on scan evidence and appends the entry.
// Apply only asks for cells the table allows scans; a refused cell is a bug
// in this file, so it panics rather than store a change the table forbids.
func transit(rec Record, changes []Change, to Status, ev Event, scanner string, scan Scan) (Record, []Change) {
	if err := CheckTransition(rec.Status, to, ActorScan); err != nil {
		panic(fmt.Sprintf("lifecycle: Apply made a transition its own table refuses: %v", err))
	}
	e := scanEntry(scan, scanner, ev, rec.Status, to)
	rec = rec.withEntry(e)
	rec.Status = to
	return rec, append(changes, Change{Fingerprint: rec.Fingerprint, HistoryEntry: e})
}

func scanEntry(scan Scan, scanner string, ev Event, from, to Status) HistoryEntry {
	return HistoryEntry{
		At: scan.At, Event: ev, From: from, To: to, Actor: ScanActor(scanner),
		Evidence: Evidence{ScanID: scan.ScanID, Commit: scan.Commit, Ref: scan.Ref},
	}
}
