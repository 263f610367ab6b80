package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/tarball"
)

// fetchTree downloads the repository at sha through the tarball endpoint
// and extracts it into dest as a stream. The download URL carries a token,
// so no error from here quotes it.
func fetchTree(ctx context.Context, gh *github.Client, hc *http.Client, t Target, sha, dest string, lim tarball.Limits) (tarball.Stats, error) {
	link, _, err := gh.Repositories.GetArchiveLink(ctx, t.Owner, t.Repo, github.Tarball,
		&github.RepositoryContentGetOptions{Ref: sha}, 1)
	if err != nil {
		return tarball.Stats{}, fmt.Errorf("getting tarball link: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link.String(), nil)
	if err != nil {
		return tarball.Stats{}, fmt.Errorf("downloading tarball: %w", stripURL(err))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return tarball.Stats{}, fmt.Errorf("downloading tarball: %w", stripURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return tarball.Stats{}, fmt.Errorf("downloading tarball: unexpected status %s", resp.Status)
	}
	stats, err := tarball.Extract(ctx, resp.Body, dest, lim)
	if err != nil {
		return stats, fmt.Errorf("extracting tarball: %w", stripURL(err))
	}
	return stats, nil
}

// stripURL removes the URL (and its token) from *url.Error values.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
