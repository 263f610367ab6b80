package gatehistory

import (
	"slices"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// MaxNewFindings bounds the fingerprints one entry keeps; a scan with more
// new findings is recorded without them (and cannot be replayed).
const MaxNewFindings = 5000

// WithFindings records what a replay needs besides the stored results:
// the repository id and the fingerprints of the findings classified new.
func WithFindings(e Entry, repoID int64, fs []findings.Finding) Entry {
	e.RepoID = repoID
	var fps []string
	for _, f := range fs {
		if f.New {
			fps = append(fps, f.Fingerprint)
		}
	}
	if len(fps) > MaxNewFindings {
		return e
	}
	e.Classified, e.NewFindings = true, fps
	return e
}

// Blocks reports whether the recorded evaluation blocked, or would have
// had the gate been enforced (warn mode).
func (e Entry) Blocks() bool {
	return e.Status == StatusFailed || len(e.Blocking) > 0
}

// BlockingConditions labels the reasons of d that block, or would in
// enforce mode, sorted and without duplicates.
func BlockingConditions(d policy.Decision) []string {
	var out []string
	for _, r := range d.Reasons {
		if r.Effect == policy.OutcomeBlock || r.WouldBlock {
			out = append(out, ConditionLabel(r))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ConditionLabel names the policy condition behind a reason: its key,
// with the always_block entry or the scanner when there is one
// ("gate.max.high", "gate.always_block rule aws-access-token",
// "required_scanners gitleaks").
func ConditionLabel(r policy.Reason) string {
	key := r.Key
	if key == "" {
		key = string(r.Condition)
	}
	switch {
	case r.Condition == policy.CondAlwaysBlock && r.MatchKind == "cwe":
		return key + " " + r.Match
	case r.Condition == policy.CondAlwaysBlock:
		return key + " " + r.MatchKind + " " + r.Match
	case r.Scanner != "":
		return key + " " + r.Scanner
	}
	return key
}

// blockingRules are the distinct rule ids of d's blocking findings.
func blockingRules(d policy.Decision) []string {
	var out []string
	for _, f := range d.Blocking {
		out = append(out, f.RuleID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
