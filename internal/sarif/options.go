package sarif

import (
	"slices"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Version is the only SARIF version imported and the one written.
const Version = "2.1.0"

// SchemaURI is the $schema written by Write.
const SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// Default limits, GitHub code scanning's hard limits for one SARIF upload
// (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#validating-your-sarif-file).
const (
	// DefaultMaxRuns is the most runs one log may have.
	DefaultMaxRuns = 20
	// DefaultMaxResultsPerRun is the most results one run may have.
	DefaultMaxResultsPerRun = 25_000
	// DefaultMaxRulesPerRun is the most rules (driver and extensions
	// together) one run may have.
	DefaultMaxRulesPerRun = 25_000
)

// defaultRootBaseIDs name the originalUriBaseIds that stand for the
// repository root when ImportOptions.RootBaseIDs is empty.
var defaultRootBaseIDs = []string{"%SRCROOT%", "SRCROOT"}

// Limits bound what one import accepts. Zero fields take the defaults.
type Limits struct {
	// MaxRuns defaults to DefaultMaxRuns.
	MaxRuns int
	// MaxResultsPerRun defaults to DefaultMaxResultsPerRun.
	MaxResultsPerRun int
	// MaxRulesPerRun defaults to DefaultMaxRulesPerRun.
	MaxRulesPerRun int
	// MaxBytes bounds the size of the log; 0 means no limit (the caller
	// bounds its input).
	MaxBytes int64
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	if l.MaxRuns <= 0 {
		l.MaxRuns = DefaultMaxRuns
	}
	if l.MaxResultsPerRun <= 0 {
		l.MaxResultsPerRun = DefaultMaxResultsPerRun
	}
	if l.MaxRulesPerRun <= 0 {
		l.MaxRulesPerRun = DefaultMaxRulesPerRun
	}
	return l
}

// ImportOptions control Import and ImportFunc. The zero value is usable.
type ImportOptions struct {
	// SourceRoot is the local directory of the repository checkout the log
	// describes. When set, file:// URIs and absolute paths inside it are
	// made relative to it, and a result without a snippet gets its
	// fingerprint from the lines of its region read from this tree.
	SourceRoot string
	// RootBaseIDs are the originalUriBaseIds whose (absolute) URI is the
	// repository root in the producer's file system. Default: "%SRCROOT%"
	// and "SRCROOT". An absolute location is accepted only inside one of
	// these roots or SourceRoot.
	RootBaseIDs []string
	// Category overrides every run's automationDetails.id as the findings'
	// Category.
	Category string
	// RedactMessages replaces every result message by its rule's
	// description. The app sets it for secret scanners, whose messages
	// may quote the secret.
	RedactMessages bool
	// FingerprintKey, when set, keys the hash of the source text that
	// identifies a finding (HMAC-SHA-256), so that a published finding id
	// cannot confirm a guessed secret. Use the deployment's key.
	FingerprintKey []byte
	// SkipBadPaths records results with refused locations in
	// Result.Skipped instead of failing the import with a *PathError.
	SkipBadPaths bool
	// Truncate drops results, rules and runs over the limits, sets
	// Result.Truncated and carries on, instead of failing with a
	// *LimitError.
	Truncate bool
	// Limits bound the log; zero fields take the defaults.
	Limits Limits
}

// rootBaseIDs returns the base ids that stand for the repository root.
func (o ImportOptions) rootBaseIDs() []string {
	if len(o.RootBaseIDs) > 0 {
		return o.RootBaseIDs
	}
	return defaultRootBaseIDs
}

// isRootBaseID reports whether id stands for the repository root.
func (o ImportOptions) isRootBaseID(id string) bool {
	return slices.Contains(o.rootBaseIDs(), id)
}

// ToolInfo describes the tool of one run.
type ToolInfo struct {
	// Name is the normalised driver name (the findings' Scanner).
	Name string `json:"name"`
	// Version is the driver's semanticVersion, else its version.
	Version string `json:"version,omitempty"`
	// InformationURI is the driver's informationUri (its home page).
	InformationURI string `json:"information_uri,omitempty"`
	// RulesCount counts the rules of the driver and its extensions.
	RulesCount int `json:"rules_count"`
}

// SkippedResult is a result that was not imported, and why.
type SkippedResult struct {
	// Run and Result are the 0-based indexes of the result.
	Run    int `json:"run"`
	Result int `json:"result"`
	// URI is the result's location as written, when it has one.
	URI string `json:"uri,omitempty"`
	// Reason says why it was skipped.
	Reason string `json:"reason"`
}

// Result is what one import produced.
type Result struct {
	// Tools has one entry per imported run, in order.
	Tools []ToolInfo `json:"tools"`
	// Findings are the imported findings, each run's in order of path and
	// line. ImportFunc leaves it empty: the findings went to its callback.
	Findings []findings.Finding `json:"findings"`
	// Skipped lists the results left out: refused paths (with
	// SkipBadPaths) and results that report no problem (kind "pass",
	// "notApplicable" or "informational").
	Skipped []SkippedResult `json:"skipped,omitempty"`
	// Truncated is true when Truncate dropped runs, rules or results over
	// the limits: the findings are incomplete, and the gate treats that as
	// a scanner failure.
	Truncated bool `json:"truncated"`
	// Truncations says which limits were hit, and where.
	Truncations []LimitError `json:"truncations,omitempty"`
	// RunCount counts the runs imported.
	RunCount int `json:"run_count"`
}
