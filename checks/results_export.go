package checks

import (
	"context"

	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/store"
)

// LoadResults returns a commit's stored results (see CommitResults), or an
// error wrapping store.ErrNotFound when they were never stored or expired.
func LoadResults(ctx context.Context, kv store.KV, repoID int64, sha string) (*CommitResults, error) {
	return loadResults(ctx, kv, repoID, sha)
}

// SaveResults stores a commit's complete results, as a scan does.
func SaveResults(ctx context.Context, kv store.KV, repoID int64, res *CommitResults) error {
	return saveResults(ctx, kv, repoID, res)
}

// Statuses are the policy's view of scanner runs.
func Statuses(runs []ScannerRun) []policy.ScannerStatus { return statuses(runs) }
