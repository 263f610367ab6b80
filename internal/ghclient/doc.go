// Package ghclient is the GitHub client layer of the app: it builds the
// go-githubapp ClientCreator from which handlers and jobs get go-github
// clients authenticated as the App or as one of its installations, and the
// RetryTransport under those clients that retries transient failures and
// waits out GitHub's rate limits as GitHub documents them.
//
// Token minting and caching come from go-githubapp and ghinstallation: an
// installation client fetches its token on first use and reuses it until a
// minute before it expires.
//
// Usage:
//
//	cc, err := ghclient.NewClientCreator(ghclient.Config{
//		V3APIURL:      cfg.GitHubAPIURL,
//		AppID:         cfg.AppID,
//		PrivateKeyPEM: cfg.PrivateKeyPEM,
//		WebhookSecret: cfg.WebhookSecret,
//	}, logger)
//	if err != nil {
//		return fmt.Errorf("github client: %w", err)
//	}
//	client, err := cc.NewInstallationClient(installationID)
//	if err != nil {
//		return fmt.Errorf("installation %d client: %w", installationID, err)
//	}
//	_, _, err = client.Checks.UpdateCheckRun(ctx, owner, repo, runID, opts)
//
// A call that fails after retries returns go-github's usual errors; a rate
// limit longer than MaxRetryWait or the call's deadline surfaces as
// *github.RateLimitError or *github.AbuseRateLimitError, whose reset time or
// RetryAfter tells a job queue when to try again.
package ghclient
