package policy

import (
	"fmt"
	"strings"
)

// Mode says what the gate does with a decision to block.
type Mode string

// Modes, from strictest to loosest.
const (
	// ModeEnforce fails the check run (conclusion failure) when a condition blocks.
	ModeEnforce Mode = "enforce"
	// ModeWarn reports what would block with conclusion neutral.
	ModeWarn Mode = "warn"
	// ModeOff evaluates nothing; the check run is neutral.
	ModeOff Mode = "off"
)

// Scope selects the findings the gate's conditions count.
type Scope string

// Scopes.
const (
	// ScopeNew counts only findings the change introduces (the default).
	ScopeNew Scope = "new"
	// ScopeAll counts every finding, new or pre-existing (explicit opt-in).
	ScopeAll Scope = "all"
)

// FailurePolicy says what a failed scanner does to the decision.
type FailurePolicy string

// Failure policies.
const (
	// FailClosed blocks when a scanner failed (the default).
	FailClosed FailurePolicy = "fail-closed"
	// FailOpen warns (conclusion neutral) when a scanner failed; it never passes.
	FailOpen FailurePolicy = "fail-open"
)

// AnnotateFilter selects which findings get inline annotations; the values
// are reviewdog's filter modes.
type AnnotateFilter string

// Annotation filters.
const (
	// AnnotateAdded annotates findings on lines the pull request added.
	AnnotateAdded AnnotateFilter = "added"
	// AnnotateDiffContext annotates findings anywhere in the diff's hunks.
	AnnotateDiffContext AnnotateFilter = "diff_context"
	// AnnotateFile annotates findings in files the pull request changed.
	AnnotateFile AnnotateFilter = "file"
	// AnnotateAll annotates every finding.
	AnnotateAll AnnotateFilter = "all"
)

// ExceptionKind classifies why a finding is excused.
type ExceptionKind string

// Exception kinds.
const (
	// KindFalsePositive: the finding is wrong.
	KindFalsePositive ExceptionKind = "false-positive"
	// KindAcceptedRisk: the finding is right and the risk is accepted.
	KindAcceptedRisk ExceptionKind = "accepted-risk"
	// KindWontFix: the finding is right and will not be fixed.
	KindWontFix ExceptionKind = "wont-fix"
	// KindTestCode: the finding is in code that never runs in production.
	KindTestCode ExceptionKind = "test-code"
)

// Allowed values of each enumerated key, in documentation order.
var (
	modeValues     = []string{string(ModeEnforce), string(ModeWarn), string(ModeOff)}
	scopeValues    = []string{string(ScopeNew), string(ScopeAll)}
	failureValues  = []string{string(FailClosed), string(FailOpen)}
	annotateValues = []string{string(AnnotateAdded), string(AnnotateDiffContext), string(AnnotateFile), string(AnnotateAll)}
	kindValues     = []string{string(KindFalsePositive), string(KindAcceptedRisk), string(KindWontFix), string(KindTestCode)}
	blockAtValues  = []string{"critical", "high", "medium", "low", "none"}
	commentValues  = []string{"on", "off"}
	severityKeys   = []string{"critical", "high", "medium", "low"}
	versionValues  = []string{"1"}
)

// Layer is the level a policy file comes from.
type Layer int

// Layers, from the bottom (refined) to the top (refining).
const (
	LayerServer Layer = iota
	LayerOrg
	LayerRepo
)

// String names the layer.
func (l Layer) String() string {
	switch l {
	case LayerServer:
		return "server"
	case LayerOrg:
		return "org"
	case LayerRepo:
		return "repo"
	}
	return fmt.Sprintf("layer(%d)", int(l))
}

// Source identifies one policy file: where a value came from.
type Source struct {
	// Layer is server, org or repo.
	Layer Layer `json:"layer"`
	// Repo is "owner/name" (empty for the server default).
	Repo string `json:"repo,omitempty"`
	// Ref is the commit the file was read at.
	Ref string `json:"ref,omitempty"`
	// Path is the file's path in Repo, or the server file's name.
	Path string `json:"path,omitempty"`
}

// builtinSource is where the built-in defaults come from.
var builtinSource = Source{Layer: LayerServer, Path: "built-in"}

// String renders "owner/repo@sha:path", or "server default (path)".
func (s Source) String() string {
	if s.Layer == LayerServer && s.Repo == "" {
		if s.Path == "" {
			return "server default"
		}
		return "server default (" + s.Path + ")"
	}
	var b strings.Builder
	b.WriteString(s.Repo)
	if s.Ref != "" {
		b.WriteString("@" + s.Ref)
	}
	if s.Path != "" {
		if b.Len() > 0 {
			b.WriteString(":")
		}
		b.WriteString(s.Path)
	}
	if b.Len() == 0 {
		return s.Layer.String() + " policy"
	}
	return b.String()
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// ParseSource builds a Source from go-githubapp appconfig's notation:
// source is "owner/name@ref" (the ref is optional), path the file's path.
func ParseSource(layer Layer, source, path string) Source {
	repo, ref, _ := strings.Cut(source, "@")
	return Source{Layer: layer, Repo: repo, Ref: ref, Path: path}
}
