package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/jobs"
)

// Installation keeps the inventory as installations are created, deleted,
// suspended and unsuspended; a new or unsuspended installation is
// reconciled at once, since its event carries only repository names.
type Installation struct{ *Base }

var _ githubapp.EventHandler = (*Installation)(nil)

// Handles implements githubapp.EventHandler.
func (h *Installation) Handles() []string { return []string{"installation"} }

// Handle implements githubapp.EventHandler.
func (h *Installation) Handle(ctx context.Context, _, _ string, payload []byte) error {
	var ev github.InstallationEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing installation payload: %w", err))
	}
	id := ev.GetInstallation().GetID()
	ctx = zerolog.Ctx(ctx).With().Int64(githubapp.LogKeyInstallationID, id).
		Str(LogKeyAction, ev.GetAction()).Logger().WithContext(ctx)
	diff, err := h.Inventory.ApplyInstallationEvent(ctx, &ev)
	if err != nil {
		return fmt.Errorf("recording installation %s: %w", ev.GetAction(), err)
	}
	if ev.GetAction() == "created" || ev.GetAction() == "unsuspend" {
		gh, err := h.NewInstallationClient(id)
		if err != nil {
			return err
		}
		if diff, err = h.Inventory.Reconcile(ctx, id, gh); err != nil {
			return fmt.Errorf("reconciling installation %d: %w", id, err)
		}
	}
	h.reposAdded(diff)
	zerolog.Ctx(ctx).Info().Int("added", len(diff.Added)).Int("removed", len(diff.Removed)).Msg("Installation recorded")
	return nil
}

// InstallationRepositories records repositories added to or removed from an
// installation.
type InstallationRepositories struct{ *Base }

var _ githubapp.EventHandler = (*InstallationRepositories)(nil)

// Handles implements githubapp.EventHandler.
func (h *InstallationRepositories) Handles() []string { return []string{"installation_repositories"} }

// Handle implements githubapp.EventHandler.
func (h *InstallationRepositories) Handle(ctx context.Context, _, _ string, payload []byte) error {
	var ev github.InstallationRepositoriesEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing installation_repositories payload: %w", err))
	}
	ctx = zerolog.Ctx(ctx).With().Int64(githubapp.LogKeyInstallationID, ev.GetInstallation().GetID()).
		Logger().WithContext(ctx)
	diff, err := h.Inventory.ApplyInstallationRepositoriesEvent(ctx, &ev)
	if err != nil {
		return fmt.Errorf("recording repositories %s: %w", ev.GetAction(), err)
	}
	h.reposAdded(diff)
	zerolog.Ctx(ctx).Info().Int("added", len(diff.Added)).Int("removed", len(diff.Removed)).Msg("Repositories recorded")
	return nil
}

// Repository keeps the inventory as repositories are created, archived,
// unarchived, renamed, deleted or transferred.
type Repository struct{ *Base }

var _ githubapp.EventHandler = (*Repository)(nil)

// Handles implements githubapp.EventHandler.
func (h *Repository) Handles() []string { return []string{"repository"} }

// Handle implements githubapp.EventHandler.
func (h *Repository) Handle(ctx context.Context, _, _ string, payload []byte) error {
	var ev github.RepositoryEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing repository payload: %w", err))
	}
	ctx, _ = githubapp.PrepareRepoContext(ctx, ev.GetInstallation().GetID(), ev.GetRepo())
	if _, err := h.Inventory.ApplyRepositoryEvent(ctx, &ev); err != nil {
		return fmt.Errorf("recording repository %s: %w", ev.GetAction(), err)
	}
	return nil
}
