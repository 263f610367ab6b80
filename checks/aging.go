package checks

import (
	"context"
	"fmt"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/lifecycle"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// AgingSource returns the repository's open findings with their
// first-seen dates, for the gate's aging conditions (gate.aging days).
type AgingSource func(ctx context.Context, t Target) ([]policy.OpenFinding, error)

// openFindings asks the runner's Aging source, when it has one; without
// one, aging conditions see no open finding (nothing is overdue).
func (r *Runner) openFindings(ctx context.Context, t Target) ([]policy.OpenFinding, error) {
	if r.Aging == nil {
		return nil, nil
	}
	open, err := r.Aging(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("loading open findings for aging: %w", err)
	}
	return open, nil
}

// LifecycleAging is an AgingSource reading the repository's open findings
// (Created, Identified, In Progress, Awaiting Validation) from tracker,
// whose repository ids are Target.FullName().
func LifecycleAging(tracker *lifecycle.Tracker) AgingSource {
	return func(ctx context.Context, t Target) ([]policy.OpenFinding, error) {
		recs, err := tracker.List(ctx, t.FullName(), lifecycle.Filter{Status: openStatuses})
		if err != nil {
			return nil, fmt.Errorf("listing open findings of %s: %w", t.FullName(), err)
		}
		return OpenFindings(recs), nil
	}
}

var openStatuses = []lifecycle.Status{lifecycle.StatusCreated, lifecycle.StatusIdentified,
	lifecycle.StatusInProgress, lifecycle.StatusAwaitingValidation}

// OpenFindings converts open lifecycle records to the gate's input: each
// record's latest detection, first seen at its creation.
func OpenFindings(recs []lifecycle.Record) []policy.OpenFinding {
	out := make([]policy.OpenFinding, 0, len(recs))
	for _, rec := range recs {
		if !rec.Status.Open() {
			continue
		}
		out = append(out, policy.OpenFinding{FirstSeen: rec.CreatedAt(), Finding: findings.Finding{
			ID: rec.FindingID, Fingerprint: rec.Fingerprint, Scanner: rec.Scanner, RuleID: rec.RuleID,
			Title: rec.Title, Path: rec.Path, Severity: rec.Severity,
		}})
	}
	return out
}

// addOpenFindings sets in.Open from the runner's AgingSource when the gate
// has aging conditions that need it (gate.aging days); it is called right
// after building the policy.Input.
func (r *Runner) addOpenFindings(ctx context.Context, t Target, g policy.Gate, in *policy.Input) error {
	if !g.NeedsOpenFindings() {
		return nil
	}
	open, err := r.openFindings(ctx, t)
	in.Open = open
	return err
}
