package simulate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Why a case is not replayable.
const (
	SkipFailed     = "the scan or the policy failed"
	SkipUnrecorded = "recorded before replay data was kept"
	SkipExpired    = "the commit's stored results expired"
	SkipUnreadable = "the commit's stored results are unreadable"
	SkipMismatch   = "the stored results do not match the evaluation"
)

// Query selects the evaluations to replay.
type Query struct {
	// Repo keeps one repository ("owner/name"); Org keeps one owner.
	Repo, Org string
	// Since and Until bound the evaluation times (Until: now when zero).
	Since, Until time.Time
}

// Entries lists the gate history entries q selects, newest first, at
// most gatehistory.MaxLimit; truncated is true when there may be more.
func Entries(ctx context.Context, h *gatehistory.Store, q Query) (entries []gatehistory.Entry, truncated bool, err error) {
	all, err := h.List(ctx, gatehistory.Filter{Repo: q.Repo, Since: q.Since, Until: q.Until, Limit: gatehistory.MaxLimit})
	if err != nil {
		return nil, false, fmt.Errorf("selecting evaluations to replay: %w", err)
	}
	for _, e := range all {
		if q.Org == "" || strings.EqualFold(strings.SplitN(e.Repo, "/", 2)[0], q.Org) {
			entries = append(entries, e)
		}
	}
	return entries, len(all) == gatehistory.MaxLimit, nil
}

// Load turns gate history entries into cases, reading each head commit's
// stored results once and setting New from the entry's fingerprints. An
// entry that cannot be rebuilt becomes a case with NotReplayable set; only
// a cancelled context is an error.
func Load(ctx context.Context, kv store.KV, entries []gatehistory.Entry) ([]Case, error) {
	type key struct {
		repo   int64
		commit string
	}
	cache := map[key]*checks.CommitResults{}
	failed := map[key]string{}
	cases := make([]Case, 0, len(entries))
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("loading evaluations to replay: %w", err)
		}
		c := Case{ID: e.ID, At: e.At, Repo: e.Repo, Commit: e.Commit, Branch: e.Branch, PullRequest: e.PullRequest,
			Outcome: string(e.Status), Blocked: e.Blocks(), Conditions: e.Blocking, Excused: e.Excused}
		k := key{e.RepoID, e.Commit}
		switch {
		case e.Error != "":
			c.NotReplayable = SkipFailed
		case !e.Classified || e.RepoID == 0:
			c.NotReplayable = SkipUnrecorded
		case failed[k] != "":
			c.NotReplayable = failed[k]
		case cache[k] == nil:
			res, err := checks.LoadResults(ctx, kv, e.RepoID, e.Commit)
			switch {
			case errors.Is(err, store.ErrNotFound):
				failed[k] = SkipExpired
			case err != nil:
				failed[k] = SkipUnreadable
			default:
				cache[k] = res
			}
			c.NotReplayable = failed[k]
		}
		if c.NotReplayable == "" {
			c.NotReplayable = fill(&c, e, cache[k])
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// fill sets the case's findings (New from e) and scanners from res; it
// returns SkipMismatch when a new finding is missing from res.
func fill(c *Case, e gatehistory.Entry, res *checks.CommitResults) string {
	isNew := make(map[string]bool, len(e.NewFindings))
	for _, fp := range e.NewFindings {
		isNew[fp] = true
	}
	seen := map[string]bool{}
	c.Findings = append(c.Findings[:0:0], res.Findings...)
	for i := range c.Findings {
		c.Findings[i].New = isNew[c.Findings[i].Fingerprint]
		if c.Findings[i].New {
			seen[c.Findings[i].Fingerprint] = true
		}
	}
	if len(seen) < len(isNew) {
		c.Findings = nil
		return SkipMismatch
	}
	c.Scanners = checks.Statuses(res.Scanners)
	return ""
}
