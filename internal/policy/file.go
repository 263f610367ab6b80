package policy

import (
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// File is one validated policy file. Every field is optional: nil or empty
// means "not set here", and the value is inherited from the file below
// (see Merge).
type File struct {
	// Name is the file's name as given to Parse, used in messages.
	Name string
	// Source says where the file was read; the caller sets it after Parse
	// (Merge fills in the layer).
	Source Source
	// Version is the schema version (1), 0 when not written.
	Version int
	// Mode is enforce, warn or off.
	Mode *Mode
	// Gate holds the conditions that apply on every branch.
	Gate Conditions
	// Branches refine Gate (and Mode) on branches matching a glob; the
	// first matching entry of the file applies.
	Branches []Branch
	// Ignore drops findings by path before anything is counted.
	Ignore []Ignore
	// OnScannerFailure is fail-closed or fail-open.
	OnScannerFailure *FailurePolicy
	// Annotate selects the findings that get inline annotations.
	Annotate *AnnotateFilter
	// Exceptions says who may excuse findings, how and for how long.
	Exceptions ExceptionRules
	// Comment turns the pull request summary comment on or off.
	Comment *bool
	// Lock lists keys repositories cannot loosen (only in the org file).
	Lock []string
	// Impact is the repository's business impact, which selects the SLA
	// column (org or repository file).
	Impact *Impact
	// SLA is the remediation SLA matrix, days to fix by severity then
	// business impact (server or org file); merged cell by cell.
	SLA SLAMatrix
	// ConvisoRules is a Conviso Security Gate rules file, embedded
	// (conviso_rules) or read by the loader from ConvisoRulesFile; its
	// rules are added to gate.limits.
	ConvisoRules *ConvisoRules
	// ConvisoRulesFile is the path, in the same repository, of a Conviso
	// rules file; the loader reads it into ConvisoRules.
	ConvisoRulesFile string

	// pos maps key paths ("gate.max.high", "branches[0].mode") to the
	// position of their values, for messages about this file.
	pos map[string]Pos
}

// Conditions are the gate's blocking conditions. Nil and empty mean "not
// set here".
type Conditions struct {
	// Scope is new (the default) or all.
	Scope *Scope
	// BlockAt is the lowest severity that blocks; SeverityUnknown means
	// none (written "none").
	BlockAt *findings.Severity
	// Max is the most findings of each severity that may be in scope
	// (exactly that severity, not "or above").
	Max map[findings.Severity]int
	// AlwaysBlock lists rules, CWE ids and tags that block at any severity.
	AlwaysBlock Matchers
	// NeverBlock lists rules, CWE ids and tags that are never counted.
	NeverBlock Matchers
	// RequiredScanners must have run successfully.
	RequiredScanners []string
	// Aging holds the aging-aware conditions by severity: an expected
	// maximum count (over it: warning), a hard maximum (over it: blocks)
	// and days to fix (any open finding older: blocks).
	Aging map[findings.Severity]AgingLimit
	// Limits are maximum counts by severity, optionally of one scanner's
	// findings only (native form of a Conviso rules file).
	Limits []Limit
}

// Matchers select findings by rule id, CWE id or tag.
type Matchers struct {
	// Rules are scanner rule ids, compared exactly ("aws-access-token").
	Rules []string `json:"rules,omitempty"`
	// CWE are weakness ids, "CWE-798".
	CWE []string `json:"cwe,omitempty"`
	// Tags are finding tags, compared without regard to case.
	Tags []string `json:"tags,omitempty"`
}

// Branch is a per-branch override: the first entry of a file whose Match
// glob matches the base branch refines that file's Mode and Gate.
type Branch struct {
	// Match is a doublestar glob over the branch name ("release/*").
	Match string
	// Mode overrides the file's mode on matching branches.
	Mode *Mode
	// Conditions override the file's gate on matching branches.
	Conditions
	// path is "branches[i]", for messages.
	path string
}

// Ignore drops findings whose path matches one of Paths.
type Ignore struct {
	// Paths are doublestar globs over repository-relative paths.
	Paths []string `json:"paths"`
	// Reason says why (required); it is shown in every summary.
	Reason string `json:"reason"`
}

// ExceptionRules govern exceptions: who approves, which kinds, how long.
type ExceptionRules struct {
	// Approvers are users ("alice") and teams ("@acme/appsec").
	Approvers []string
	// Kinds are the allowed kinds; nil means "not set here".
	Kinds []ExceptionKind
	// MaxDuration bounds an exception's life (default 90 days).
	MaxDuration *time.Duration
	// Paths add stricter approvers for findings in sensitive paths.
	Paths []PathApprovers
}

// PathApprovers require one of Approvers to approve exceptions for
// findings whose path matches Match.
type PathApprovers struct {
	// Match is a doublestar glob over repository-relative paths.
	Match string `json:"match"`
	// Approvers are users and teams.
	Approvers []string `json:"approvers"`
}

// empty reports whether c sets nothing.
func (c *Conditions) empty() bool {
	return c.Scope == nil && c.BlockAt == nil && len(c.Max) == 0 && c.AlwaysBlock.empty() &&
		c.NeverBlock.empty() && len(c.RequiredScanners) == 0 && len(c.Aging) == 0 && len(c.Limits) == 0
}

func (m Matchers) empty() bool { return len(m.Rules)+len(m.CWE)+len(m.Tags) == 0 }

// posOf returns where path was written in f, or the zero Pos.
func (f *File) posOf(path string) Pos {
	if f == nil || f.pos == nil {
		return Pos{}
	}
	return f.pos[path]
}

func ptr[T any](v T) *T { return &v }
