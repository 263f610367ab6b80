package exceptions

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/policy"
)

// LogKeyException is the log key of an exception's id.
const LogKeyException = "conviso_exception"

// ForScan returns the repository's approved exceptions in the policy's
// form, for a scan's gate evaluation (the scan pipeline's ExceptionSource).
// A pull request evaluated with an exception is recorded on it, so that
// its expiry re-evaluates that pull request; failing to record that is
// logged, the exceptions still apply.
func (s *Store) ForScan(ctx context.Context, repoID int64, pullRequest int) ([]policy.Exception, error) {
	out, err := s.Approved(ctx, repoID)
	if err != nil {
		return nil, fmt.Errorf("loading exceptions of repository %d: %w", repoID, err)
	}
	if pullRequest == 0 {
		return out, nil
	}
	for _, e := range out {
		if err := s.Touch(ctx, repoID, Scope{FindingID: e.FindingID, RuleID: e.RuleID}, pullRequest); err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Str(LogKeyException, e.ID).Msg("Could not record the pull request on the exception")
		}
	}
	return out, nil
}
