package lifecycle

import (
	"context"
	"fmt"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// openStatuses are the states a finding is still to be fixed in.
var openStatuses = []Status{StatusCreated, StatusIdentified, StatusInProgress, StatusAwaitingValidation}

// OpenFindings returns the repository's open findings (Created,
// Identified, In Progress, Awaiting Validation) with their first-seen
// dates, for the gate's aging conditions (gate.aging days).
func (t *Tracker) OpenFindings(ctx context.Context, repoID string) ([]policy.OpenFinding, error) {
	recs, err := t.List(ctx, repoID, Filter{Status: openStatuses})
	if err != nil {
		return nil, fmt.Errorf("listing open findings of %s: %w", repoID, err)
	}
	return OpenFindings(recs), nil
}

// OpenFindings converts open records to the gate's input: each record's
// latest detection, first seen at its creation.
func OpenFindings(recs []Record) []policy.OpenFinding {
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
