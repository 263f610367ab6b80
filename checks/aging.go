package checks

import (
	"context"
	"fmt"

	"github.com/conviso/conviso-github-app/internal/policy"
)

// addOpenFindings sets in.Open from the runner's AgingSource when the gate
// has aging conditions that need it (gate.aging days); without a source,
// aging conditions see no open finding (nothing is overdue).
func (r *Runner) addOpenFindings(ctx context.Context, t Target, g policy.Gate, in *policy.Input) error {
	if !g.NeedsOpenFindings() || r.Aging == nil {
		return nil
	}
	open, err := r.Aging.OpenFindings(ctx, t.FullName())
	if err != nil {
		return fmt.Errorf("loading open findings for aging: %w", err)
	}
	in.Open = open
	return nil
}
