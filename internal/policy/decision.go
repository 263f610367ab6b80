package policy

import (
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Input is everything a decision depends on besides the policy.
type Input struct {
	// Findings are every finding of the scan, with New set.
	Findings []findings.Finding
	// Exceptions are the exceptions recorded for the repository.
	Exceptions []Exception
	// Scanners are the scanners that were meant to run, and how they did.
	Scanners []ScannerStatus
	// Now is the evaluation time (exceptions expire against it, open
	// findings age against it).
	Now time.Time
	// Open are the repository's open findings (from its lifecycle, with
	// their first-seen dates); gate.aging counts those past their days to
	// fix. Needed only when Gate.NeedsOpenFindings.
	Open []OpenFinding
}

// Exception excuses one finding (FindingID) or every finding of a rule
// (RuleID) until a date.
type Exception struct {
	// ID identifies the exception itself, for display; optional.
	ID string `json:"id,omitempty"`
	// FindingID is the finding excused ("f-3fa9c2e1a0b4"); or
	FindingID string `json:"finding_id,omitempty"`
	// RuleID excuses every finding of that rule (when FindingID is empty).
	RuleID string `json:"rule_id,omitempty"`
	// Kind is one of the kinds the policy allows.
	Kind ExceptionKind `json:"kind"`
	// Reason is the approver's justification.
	Reason string `json:"reason,omitempty"`
	// Created is when it was granted; zero when unknown.
	Created time.Time `json:"created,omitempty"`
	// Until is when it expires; it does not apply from then on.
	Until time.Time `json:"until"`
	// ApprovedBy is the approver's login.
	ApprovedBy string `json:"approved_by"`
	// ApprovedVia are the approvers entries ("@acme/appsec") the approver
	// was verified against when the exception was granted (team
	// membership is I/O: see ExceptionPolicy.Approve). A user listed by
	// login needs none.
	ApprovedVia []string `json:"approved_via,omitempty"`
}

// Target names what the exception excuses: the finding id or "rule X".
func (e Exception) Target() string {
	if e.FindingID != "" {
		return e.FindingID
	}
	return "rule " + e.RuleID
}

// ScannerStatus says how one scanner did.
type ScannerStatus struct {
	// Name is the scanner's name ("gitleaks").
	Name string `json:"name"`
	// Ran is true when the scanner ran to completion.
	Ran bool `json:"ran"`
	// Error is why it failed, if it did.
	Error string `json:"error,omitempty"`
	// RulesRun is how many rules it applied; zero is a failure.
	RulesRun int `json:"rules_run"`
	// Truncated is true when its results were cut short; a failure.
	Truncated bool `json:"truncated,omitempty"`
}

// Outcome is the gate's decision.
type Outcome string

// Outcomes.
const (
	OutcomePass  Outcome = "pass"
	OutcomeWarn  Outcome = "warn"
	OutcomeBlock Outcome = "block"
	OutcomeOff   Outcome = "off"
)

// Check run conclusions the outcomes map to.
const (
	ConclusionSuccess = "success"
	ConclusionNeutral = "neutral"
	ConclusionFailure = "failure"
)

// Decision is the result of Evaluate.
type Decision struct {
	// Outcome is pass, warn, block or off.
	Outcome Outcome
	// Conclusion is the check run conclusion: success (pass), neutral
	// (warn, off) or failure (block).
	Conclusion string
	// Mode is the gate's mode.
	Mode Mode
	// Branch is the base branch the gate was resolved for.
	Branch string
	// Reasons explain the outcome, one per condition met (or one saying
	// that none was).
	Reasons []Reason
	// Blocking are the findings that block (in warn mode: that would).
	Blocking []findings.Finding
	// Applied are the exceptions that excused at least one finding.
	Applied []Exception
	// Excused pairs each excused finding with its exception.
	Excused []Excused
	// Stale are valid exceptions that match no finding: remove them.
	Stale []Exception
	// Rejected are exceptions that do not apply, and why (expired, kind
	// not allowed, too long, approver not allowed).
	Rejected []Rejected
	// Ignored are findings dropped by ignore rules, with the rule.
	Ignored []Ignored
	// NeverBlocked are findings in scope that never_block kept from counting.
	NeverBlocked []findings.Finding
	// Provenance is the gate's: where each value came from.
	Provenance Provenance
	// Sources are the gate's policy files, bottom layer first.
	Sources []Source
	// Problems are the policy problems (from Gate.Problems), as text.
	Problems []string
	// Rule says which rule set the thresholds: global, repository or custom.
	Rule RuleScope
	// RuleSource is the most specific file that set a threshold.
	RuleSource Source
	// Counts are, per severity (critical to low), the expected maximum,
	// what was found and what is overdue.
	Counts []SeverityCount
	// Aging is true when gate.aging or gate.limits is set: the summary
	// then shows Counts as a table.
	Aging bool
}

// Excused is a finding an exception excused.
type Excused struct {
	Finding   findings.Finding // the finding excused
	Exception Exception        // the exception that excused it
}

// Rejected is an exception that does not apply, and why.
type Rejected struct {
	Exception Exception // the exception
	Why       string    // why it does not apply, in plain words
}

// Ignored is a finding an ignore rule dropped.
type Ignored struct {
	Finding findings.Finding // the finding dropped
	Glob    string           // the path glob that matched it
	Reason  string           // the ignore rule's reason
}

// Title is a one-line summary for the check run title, e.g. "Blocked: 1
// new critical finding, the maximum is 0".
func (d Decision) Title() string {
	if len(d.Reasons) == 0 {
		return string(d.Outcome)
	}
	t := d.Reasons[0].Headline()
	if n := len(d.Reasons) - 1; n > 0 && d.Outcome != OutcomePass {
		t += " (+" + plural(n, "more condition", "more conditions") + ")"
	}
	return t
}
