package app

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/ghclient"
)

// userAgent identifies the app to GitHub, as GitHub asks
// (https://docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent).
const userAgent = "conviso-github-app"

// gitHub bundles the client creator and what the app learns about itself.
type gitHub struct {
	githubapp.ClientCreator
	download *http.Client

	mu       sync.Mutex
	slug     string
	failedAt time.Time
}

// slugRetry is how long Slug waits after a failed lookup before asking again.
const slugRetry = time.Minute

func newGitHub(cfg *config.Config, logger zerolog.Logger) (*gitHub, error) {
	cc, err := ghclient.NewClientCreator(ghclient.Config{
		V3APIURL:      cfg.GitHubAPIURL,
		AppID:         cfg.AppID,
		PrivateKeyPEM: cfg.PrivateKeyPEM,
		WebhookSecret: cfg.WebhookSecret,
		UserAgent:     userAgent,
	}, logger)
	if err != nil {
		return nil, &config.Error{Setting: "CONVISO_GITHUB_PRIVATE_KEY", Problem: err.Error()}
	}
	// Tarball downloads follow a short-lived URL that carries its own token.
	return &gitHub{ClientCreator: cc, download: &http.Client{Timeout: cfg.ScanTimeout}}, nil
}

// Slug returns the app's slug (its bot user is "<slug>[bot]"), asking GitHub
// once; while GitHub cannot be asked it returns "".
func (g *gitHub) Slug(ctx context.Context) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.slug != "" || time.Since(g.failedAt) < slugRetry {
		return g.slug
	}
	client, err := g.NewAppClient()
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	app, _, err := client.Apps.Get(ctx, "")
	if err != nil {
		g.failedAt = time.Now()
		zerolog.Ctx(ctx).Warn().Err(err).Msg("Cannot read the app's slug yet; the app's own events are recognised once it can")
		return ""
	}
	g.slug = app.GetSlug()
	return g.slug
}
