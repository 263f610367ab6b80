package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/onboard"
)

// EventBaseline is the internal event of a baseline scan: the onboarding
// planner queues one per newly covered repository.
const EventBaseline = "conviso.baseline"

// Baseline scans the default branch of a newly covered repository and,
// when OnboardingPR is set, then offers it a starter policy.
type Baseline struct {
	*Base
	OnboardingPR *OnboardingPR
}

var _ githubapp.EventHandler = (*Baseline)(nil)

// Handles implements githubapp.EventHandler.
func (h *Baseline) Handles() []string { return []string{EventBaseline} }

// Handle implements githubapp.EventHandler.
func (h *Baseline) Handle(ctx context.Context, _, deliveryID string, payload []byte) error {
	var repo onboard.Repo
	if err := json.Unmarshal(payload, &repo); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing baseline job: %w", err))
	}
	owner, name, ok := splitFullName(repo.FullName)
	if !ok {
		return jobs.Permanent(fmt.Errorf("baseline job for %q: not owner/name", repo.FullName))
	}
	ctx = zerolog.Ctx(ctx).With().Int64(githubapp.LogKeyInstallationID, repo.InstallationID).
		Str(githubapp.LogKeyRepositoryOwner, owner).Str(githubapp.LogKeyRepositoryName, name).Logger().WithContext(ctx)
	gh, err := h.NewInstallationClient(repo.InstallationID)
	if err != nil {
		return err
	}
	branch := repo.DefaultBranch
	if branch == "" {
		r, _, err := gh.Repositories.Get(ctx, owner, name)
		if err != nil {
			return fmt.Errorf("reading %s: %w", repo.FullName, err)
		}
		branch = r.GetDefaultBranch()
	}
	ref, _, err := gh.Git.GetRef(ctx, owner, name, "heads/"+branch)
	if err != nil {
		return fmt.Errorf("resolving %s's default branch %s: %w", repo.FullName, branch, err)
	}
	if err := h.Scans.Run(ctx, gh, checks.Target{
		InstallationID: repo.InstallationID, Owner: owner, Repo: name, RepoID: repo.ID,
		HeadSHA: ref.GetObject().GetSHA(), Ref: "refs/heads/" + branch, JobKey: deliveryID,
	}); err != nil || h.OnboardingPR == nil {
		return err
	}
	if err := h.OnboardingPR.Offer(ctx, gh, repo.ID, owner, name, branch, ref.GetObject().GetSHA()); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Could not open the onboarding pull request")
	}
	return nil
}

func splitFullName(full string) (owner, name string, ok bool) {
	for i := 0; i < len(full); i++ {
		if full[i] == '/' {
			return full[:i], full[i+1:], i > 0 && i < len(full)-1
		}
	}
	return "", "", false
}
