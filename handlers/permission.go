package handlers

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"
)

// canWrite reports whether user may trigger scans on the repository: write,
// maintain or admin permission. GitHub's "permission" field reports maintain
// as write and triage as read
// (https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user).
func canWrite(ctx context.Context, gh *github.Client, owner, repo, user string) (bool, error) {
	level, resp, err := gh.Repositories.GetPermissionLevel(ctx, owner, repo, user)
	if err != nil {
		if resp != nil && resp.StatusCode == 404 {
			return false, nil // not a collaborator
		}
		return false, fmt.Errorf("reading %s's permission on %s/%s: %w", user, owner, repo, err)
	}
	switch level.GetPermission() {
	case "admin", "write":
		return true, nil
	}
	return false, nil
}
