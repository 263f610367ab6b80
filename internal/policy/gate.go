package policy

import (
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Gate is the policy in force on one branch: every key resolved.
type Gate struct {
	// Branch is the base branch the gate was resolved for.
	Branch string
	// Mode is enforce, warn or off.
	Mode Mode
	// Scope is new or all.
	Scope Scope
	// BlockAt is the lowest severity that blocks; SeverityUnknown: none.
	BlockAt findings.Severity
	// Max is the most in-scope findings allowed of each severity; a
	// severity missing from the map is unlimited.
	Max map[findings.Severity]int
	// AlwaysBlock findings block at any severity and count.
	AlwaysBlock Matchers
	// NeverBlock findings are never counted (AlwaysBlock wins).
	NeverBlock Matchers
	// RequiredScanners must have run successfully.
	RequiredScanners []string
	// Ignore drops findings by path before anything is counted.
	Ignore []Ignore
	// OnScannerFailure is fail-closed or fail-open.
	OnScannerFailure FailurePolicy
	// Annotate selects the findings that get inline annotations.
	Annotate AnnotateFilter
	// Exceptions govern who may excuse findings and how.
	Exceptions ExceptionPolicy
	// Comment is true when the summary comment is on.
	Comment bool
	// Impact is the repository's business impact (ImpactNone: not set).
	Impact Impact
	// SLA is the remediation SLA matrix (days to fix by severity × impact).
	SLA SLAMatrix
	// Aging holds the aging-aware conditions by severity.
	Aging map[findings.Severity]AgingLimit
	// Limits are maximum counts by severity, optionally per scanner.
	Limits []Limit
	// Provenance says where each value came from.
	Provenance Provenance
	// Sources are the policy's files, bottom layer first (built-in default,
	// then server, org and repository files when present).
	Sources []Source
	// Problems are the policy errors that affect this branch: keys a
	// repository tried to loosen (their locked values are in force) and
	// locks written outside the org file. Show them; they never fail open.
	Problems []error
}

// ExceptionPolicy is the resolved exceptions block.
type ExceptionPolicy struct {
	// Approvers may approve exceptions anywhere ("alice", "@acme/appsec").
	Approvers []string
	// Kinds are the kinds allowed.
	Kinds []ExceptionKind
	// MaxDuration bounds an exception's life.
	MaxDuration time.Duration
	// Paths name stricter approvers for sensitive paths; every rule whose
	// glob matches a finding must list its approver.
	Paths []PathApprovers
}
