package lifecycle

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Event names what a history entry records.
type Event string

// History events.
const (
	// EventCreated is a first detection (— → Created).
	EventCreated Event = "created"
	// EventIdentified is a second detection (Created → Identified).
	EventIdentified Event = "identified"
	// EventFixed is a default-branch scan no longer detecting it (→ Fixed).
	EventFixed Event = "fixed"
	// EventReopened is a detection of a fixed finding (Fixed → Identified).
	EventReopened Event = "reopened"
	// EventDecision is a status set by a person.
	EventDecision Event = "decision"
	// EventSeverity is a change of the scanner's severity (status unchanged).
	EventSeverity Event = "severity_changed"
)

// Evidence is what supports a change.
type Evidence struct {
	// ScanID identifies the scan that saw (or no longer saw) the finding.
	ScanID string `json:"scan_id,omitempty"`
	// Commit is the scanned commit SHA.
	Commit string `json:"commit,omitempty"`
	// Ref is the scanned ref, e.g. "refs/heads/main" or "refs/pull/7/head".
	Ref string `json:"ref,omitempty"`
	// CommentURL links to the comment that carried a decision (an approved
	// exception, its revocation).
	CommentURL string `json:"comment_url,omitempty"`
	// Note is a free-form reason, e.g. "exception expired".
	Note string `json:"note,omitempty"`
}

// SeverityChange is the before and after of an EventSeverity entry.
type SeverityChange struct {
	// From is the previous severity.
	From findings.Severity `json:"from"`
	// To is the new severity.
	To findings.Severity `json:"to"`
}

// HistoryEntry is one change of a finding's record.
type HistoryEntry struct {
	// At is when the change happened (the scan's time, or the decision's).
	At time.Time `json:"at"`
	// Event names the change.
	Event Event `json:"event"`
	// From is the status before (StatusNone for a creation).
	From Status `json:"from,omitempty"`
	// To is the status after (equal to From for a severity change).
	To Status `json:"to"`
	// Severity is set for EventSeverity.
	Severity *SeverityChange `json:"severity,omitempty"`
	// Actor made the change.
	Actor Actor `json:"actor"`
	// Evidence supports it.
	Evidence Evidence `json:"evidence"`
}

// Sighting is one scan's detection of a finding.
type Sighting struct {
	// At is the scan's time.
	At time.Time `json:"at"`
	// Commit is the scanned commit SHA.
	Commit string `json:"commit,omitempty"`
	// Ref is the scanned ref.
	Ref string `json:"ref,omitempty"`
	// ScanID identifies the scan.
	ScanID string `json:"scan_id"`
	// Scanner is the scanner that reported the finding.
	Scanner string `json:"scanner"`
}

// Record is the life of one finding (one fingerprint) in one repository.
type Record struct {
	// RepoID identifies the repository.
	RepoID string `json:"repo_id"`
	// Fingerprint is the scanner's line-independent identity of the finding.
	Fingerprint string `json:"fingerprint"`
	// FindingID is the short user-facing id ("f-…").
	FindingID string `json:"finding_id,omitempty"`
	// Scanner is the scanner that reports it; only a successful run of this
	// scanner on the default branch can fix it.
	Scanner string `json:"scanner"`
	// RuleID is the scanner's rule, as of the latest detection.
	RuleID string `json:"rule_id,omitempty"`
	// Title is the rule's description, as of the latest detection.
	Title string `json:"title,omitempty"`
	// Path is the file of the latest detection.
	Path string `json:"path,omitempty"`
	// Status is the current status.
	Status Status `json:"status"`
	// OriginalSeverity is the severity at creation.
	OriginalSeverity findings.Severity `json:"original_severity"`
	// Severity is the latest severity; the SLA uses it, from CreatedAt.
	Severity findings.Severity `json:"severity"`
	// FirstSeen is the creating detection: its At is the SLA's start.
	FirstSeen Sighting `json:"first_seen"`
	// LastSeen is the latest detection.
	LastSeen Sighting `json:"last_seen"`
	// Sightings counts the distinct scans that detected it.
	Sightings int `json:"sightings"`
	// LastScanID is the last scan that changed this record (detection or
	// fix); a scan is never applied twice to one record.
	LastScanID string `json:"last_scan_id"`
	// FixedAt is when the scan that fixed it ran; zero unless Fixed.
	FixedAt time.Time `json:"fixed_at,omitzero"`
	// FixedCommit is the commit of that scan; empty unless Fixed.
	FixedCommit string `json:"fixed_commit,omitempty"`
	// FirstFixedAt is the first time it was fixed; it is never cleared.
	FirstFixedAt time.Time `json:"first_fixed_at,omitzero"`
	// ReopenedAt is when it was last reopened.
	ReopenedAt time.Time `json:"reopened_at,omitzero"`
	// ReopenCount counts the reopens (Fixed → Identified by a detection).
	ReopenCount int `json:"reopen_count"`
	// History lists every change, oldest first.
	History []HistoryEntry `json:"history"`
}

// CreatedAt is when the finding was first detected: the SLA counts from it.
func (r Record) CreatedAt() time.Time { return r.FirstSeen.At }

// lastEvidenceAt is the latest scan evidence about r (a detection or a fix).
// A scan older than it is stale for r.
func (r Record) lastEvidenceAt() time.Time {
	if r.FixedAt.After(r.LastSeen.At) {
		return r.FixedAt
	}
	return r.LastSeen.At
}

// withEntry returns r with e appended to its history, without writing to
// the backing array r shares with earlier copies.
func (r Record) withEntry(e HistoryEntry) Record {
	r.History = append(slices.Clip(r.History), e)
	return r
}

// Change is a history entry appended by Apply or a decision, with the
// finding it belongs to.
type Change struct {
	// Fingerprint identifies the finding.
	Fingerprint string `json:"fingerprint"`
	HistoryEntry
}

// MaxAppliedScans bounds the scan ids a State remembers for idempotency.
const MaxAppliedScans = 1000

// State is everything stored about one repository's findings.
type State struct {
	// RepoID identifies the repository.
	RepoID string `json:"repo_id"`
	// Records holds one record per fingerprint.
	Records map[string]Record `json:"records"`
	// AppliedScans are the most recent applied scan ids, oldest first, at
	// most MaxAppliedScans.
	AppliedScans []string `json:"applied_scans"`
}

// Applied reports whether the scan id was already applied.
func (s State) Applied(scanID string) bool { return slices.Contains(s.AppliedScans, scanID) }

// clone copies the maps and slices of s that Apply writes.
func (s State) clone() State {
	s.Records = maps.Clone(s.Records)
	if s.Records == nil {
		s.Records = map[string]Record{}
	}
	s.AppliedScans = slices.Clone(s.AppliedScans)
	return s
}

// markApplied remembers scanID, forgetting the oldest beyond the bound.
func (s *State) markApplied(scanID string) {
	s.AppliedScans = append(s.AppliedScans, scanID)
	if n := len(s.AppliedScans) - MaxAppliedScans; n > 0 {
		s.AppliedScans = slices.Delete(s.AppliedScans, 0, n)
	}
}

// Decide applies a person's decision to rec: it checks the transition
// table, sets the status and appends the history entry. It is pure.
func Decide(rec Record, to Status, actor Actor, ev Evidence, at time.Time) (Record, Change, error) {
	if err := actor.validate(); err != nil {
		return rec, Change{}, fmt.Errorf("deciding %s for finding %s: %w", to, rec.Fingerprint, err)
	}
	if actor.Kind != ActorUser {
		return rec, Change{}, fmt.Errorf("deciding %s for finding %s: decisions are made by users, not by %s actors",
			to, rec.Fingerprint, actor.Kind)
	}
	if err := CheckTransition(rec.Status, to, actor.Kind); err != nil {
		return rec, Change{}, fmt.Errorf("deciding for finding %s: %w", rec.Fingerprint, err)
	}
	e := HistoryEntry{At: at.UTC(), Event: EventDecision, From: rec.Status, To: to, Actor: actor, Evidence: ev}
	rec = rec.withEntry(e)
	rec.Status = to
	return rec, Change{Fingerprint: rec.Fingerprint, HistoryEntry: e}, nil
}
