package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/jobs"
)

// Inventory key prefixes: installations and the repositories each covers.
const (
	KeyInstallation = "inventory:installation:"
	KeyRepository   = "inventory:repo:"
)

// InstallationRecord is what the app knows of one installation.
type InstallationRecord struct {
	ID                  int64     `json:"id"`
	Account             string    `json:"account"`
	RepositorySelection string    `json:"repository_selection"`
	Suspended           bool      `json:"suspended"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// RepositoryRecord is what the app knows of one covered repository.
type RepositoryRecord struct {
	ID             int64     `json:"id"`
	FullName       string    `json:"full_name"`
	InstallationID int64     `json:"installation_id"`
	AddedAt        time.Time `json:"added_at"`
}

// Installation records installations as they are created, deleted,
// suspended and unsuspended (full onboarding builds on this inventory).
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
	inst := ev.GetInstallation()
	logger := zerolog.Ctx(ctx).With().Int64(githubapp.LogKeyInstallationID, inst.GetID()).
		Str(LogKeyAction, ev.GetAction()).Logger()
	ctx = logger.WithContext(ctx)
	switch ev.GetAction() {
	case "deleted":
		if err := h.Store.Delete(ctx, fmt.Sprintf("%s%d", KeyInstallation, inst.GetID())); err != nil {
			return fmt.Errorf("forgetting installation: %w", err)
		}
		return h.forgetRepos(ctx, inst.GetID(), ev.Repositories)
	case "created", "suspend", "unsuspend", "new_permissions_accepted":
		rec := InstallationRecord{
			ID: inst.GetID(), Account: inst.GetAccount().GetLogin(), RepositorySelection: inst.GetRepositorySelection(),
			Suspended: ev.GetAction() == "suspend", UpdatedAt: time.Now().UTC(),
		}
		if err := h.putJSON(ctx, fmt.Sprintf("%s%d", KeyInstallation, inst.GetID()), rec); err != nil {
			return err
		}
		if ev.GetAction() == "created" {
			return h.recordRepos(ctx, inst.GetID(), ev.Repositories)
		}
	}
	logger.Info().Msg("Installation recorded")
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
	id := ev.GetInstallation().GetID()
	ctx = zerolog.Ctx(ctx).With().Int64(githubapp.LogKeyInstallationID, id).Logger().WithContext(ctx)
	if err := h.recordRepos(ctx, id, ev.RepositoriesAdded); err != nil {
		return err
	}
	return h.forgetRepos(ctx, id, ev.RepositoriesRemoved)
}

func (b *Base) recordRepos(ctx context.Context, installationID int64, repos []*github.Repository) error {
	for _, r := range repos {
		rec := RepositoryRecord{ID: r.GetID(), FullName: r.GetFullName(), InstallationID: installationID, AddedAt: time.Now().UTC()}
		if err := b.putJSON(ctx, fmt.Sprintf("%s%d", KeyRepository, r.GetID()), rec); err != nil {
			return err
		}
	}
	zerolog.Ctx(ctx).Info().Int("repositories", len(repos)).Msg("Repositories recorded")
	return nil
}

func (b *Base) forgetRepos(ctx context.Context, installationID int64, repos []*github.Repository) error {
	for _, r := range repos {
		if err := b.Store.Delete(ctx, fmt.Sprintf("%s%d", KeyRepository, r.GetID())); err != nil {
			return fmt.Errorf("forgetting repository %s: %w", r.GetFullName(), err)
		}
	}
	if len(repos) > 0 {
		zerolog.Ctx(ctx).Info().Int("repositories", len(repos)).Msg("Repositories removed")
	}
	return nil
}

func (b *Base) putJSON(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", key, err)
	}
	if err := b.Store.Put(ctx, key, data, 0); err != nil {
		return fmt.Errorf("saving %s: %w", key, err)
	}
	return nil
}
