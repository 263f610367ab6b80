// Package gatehistory keeps every gate evaluation (repository, commit,
// pull request, rule applied, thresholds, counts, overdue counts,
// decision, reasons, scan id, time) on a store.KV, so "why did this
// pipeline fail last Tuesday?" has an answer.
//
// Each entry is written under two time-ordered keys: one per repository
// and day, and one global index per day. List reads only the days of the
// range asked (or one repository's keys), never the whole store.
package gatehistory

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/policy"
)

// Status is a gate execution's result, in Conviso's vocabulary.
type Status string

// Statuses.
const (
	StatusPassed  Status = "passed"
	StatusWarning Status = "warning"
	StatusFailed  Status = "failed"
	StatusOff     Status = "off"
)

// Statuses lists every status.
var Statuses = []Status{StatusPassed, StatusWarning, StatusFailed, StatusOff}

// ParseStatus reads a status; the gate's outcome names (pass, warn,
// block) are accepted too.
func ParseStatus(s string) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "passed", "pass", "success":
		return StatusPassed, nil
	case "warning", "warn", "neutral":
		return StatusWarning, nil
	case "failed", "fail", "block", "blocked", "failure":
		return StatusFailed, nil
	case "off":
		return StatusOff, nil
	}
	return "", fmt.Errorf("unknown status %q (allowed: passed, warning, failed, off)", s)
}

// StatusOf maps a decision's outcome to a status.
func StatusOf(o policy.Outcome) Status {
	switch o {
	case policy.OutcomePass:
		return StatusPassed
	case policy.OutcomeWarn:
		return StatusWarning
	case policy.OutcomeOff:
		return StatusOff
	}
	return StatusFailed
}

// Entry is one gate evaluation.
type Entry struct {
	// ID identifies the entry (time-ordered within a repository).
	ID string `json:"id"`
	// At is when the gate was evaluated.
	At time.Time `json:"at"`
	// Repo is "owner/name".
	Repo string `json:"repo"`
	// Commit is the evaluated commit.
	Commit string `json:"commit"`
	// Ref is the pushed ref, for a push.
	Ref string `json:"ref,omitempty"`
	// Branch is the base branch the policy was resolved for.
	Branch string `json:"branch,omitempty"`
	// PullRequest is the pull request number; 0 for a push.
	PullRequest int `json:"pull_request,omitempty"`
	// ScanID identifies the scan (the job's delivery id).
	ScanID string `json:"scan_id,omitempty"`
	// Category is the uploaded SARIF category the evaluation judged (""
	// for the app's own scan).
	Category string `json:"category,omitempty"`
	// Status is passed, warning, failed or off.
	Status Status `json:"status"`
	// Conclusion is the check run's conclusion.
	Conclusion string `json:"conclusion,omitempty"`
	// Mode is the policy's mode.
	Mode string `json:"mode,omitempty"`
	// Rule is the rule applied: global, repository or custom.
	Rule string `json:"rule,omitempty"`
	// Policy is the policy file the decision came from.
	Policy string `json:"policy,omitempty"`
	// Counts are, per severity, thresholds, found and overdue counts.
	Counts []policy.SeverityCount `json:"counts,omitempty"`
	// Reasons explain the decision, one line each.
	Reasons []string `json:"reasons,omitempty"`
	// Error is why the scan or the policy failed, when it did.
	Error string `json:"error,omitempty"`

	// The fields below let a policy replay (package simulate) rebuild the
	// evaluated input from the head commit's stored results; entries
	// recorded without them (Classified false) cannot be replayed.

	// RepoID is the repository's GitHub id (the stored results' key).
	RepoID int64 `json:"repo_id,omitempty"`
	// Classified is true when NewFindings was recorded (even empty).
	Classified bool `json:"classified,omitempty"`
	// NewFindings are the fingerprints of the findings classified new.
	NewFindings []string `json:"new_findings,omitempty"`
	// Excused are the fingerprints of the findings an exception excused.
	Excused []string `json:"excused,omitempty"`
	// Blocking are the conditions that blocked (or would have, in warn
	// mode), as ConditionLabel renders them ("gate.max.high").
	Blocking []string `json:"blocking,omitempty"`
	// BlockingRules are the distinct rule ids of the blocking findings.
	BlockingRules []string `json:"blocking_rules,omitempty"`
}

// FromDecision fills the decision's part of an entry.
func FromDecision(e Entry, d policy.Decision, src policy.Source) Entry {
	e.Status, e.Conclusion, e.Mode = StatusOf(d.Outcome), d.Conclusion, string(d.Mode)
	e.Branch, e.Rule, e.Counts = d.Branch, string(d.Rule), d.Counts
	e.Policy = src.String()
	for _, r := range d.Reasons {
		e.Reasons = append(e.Reasons, r.String())
	}
	e.Blocking = BlockingConditions(d)
	e.BlockingRules = blockingRules(d)
	for _, x := range d.Excused {
		e.Excused = append(e.Excused, x.Finding.Fingerprint)
	}
	return e
}

// Filter selects entries. Empty fields match everything.
type Filter struct {
	// Repo keeps one repository ("owner/name").
	Repo string
	// Status keeps these statuses.
	Status []Status
	// Since keeps entries at or after it.
	Since time.Time
	// Until keeps entries before it.
	Until time.Time
	// Limit bounds the entries returned, newest first (DefaultLimit when
	// 0, at most MaxLimit).
	Limit int
}

// Limits of List.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	// DefaultWindow is the range listed without Since and without Repo.
	DefaultWindow = 30 * 24 * time.Hour
	// MaxDays bounds the days a global query reads.
	MaxDays = 400
	// DefaultRetention is how long entries are kept.
	DefaultRetention = 400 * 24 * time.Hour
)

// Key layout.
const (
	keyPrefix = "gatehist:"
	repoPart  = "r:"
	dayPart   = "d:"
	dayFormat = "20060102"
)

// repoKey is gatehist:r:<repo>:<day>:<nanos>:<id>.
func repoKey(e Entry) string {
	return keyPrefix + repoPart + e.Repo + ":" + e.At.UTC().Format(dayFormat) + ":" + nanos(e.At) + ":" + e.ID
}

// dayKey is gatehist:d:<day>:<nanos>:<id>.
func dayKey(e Entry) string {
	return keyPrefix + dayPart + e.At.UTC().Format(dayFormat) + ":" + nanos(e.At) + ":" + e.ID
}

func nanos(t time.Time) string { return fmt.Sprintf("%019d", t.UnixNano()) }

func newID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
