package fakegithub

import "time"

// GitHub's documented limits. The fake enforces each one the way GitHub
// does, and records a violation whenever the app exceeds one.
const (
	// MaxAnnotationsPerRequest is the most annotations one create or update
	// check-run request may carry; more must be sent in further updates.
	// https://docs.github.com/en/rest/checks/runs#update-a-check-run
	MaxAnnotationsPerRequest = 50

	// MaxCheckRunTextLength is the maximum length, in characters, of a check
	// run's output.summary and output.text.
	// https://docs.github.com/en/rest/checks/runs#create-a-check-run
	MaxCheckRunTextLength = 65535

	// MaxPerPage is the largest per_page GitHub honours; it silently caps
	// larger values at 100.
	// https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
	MaxPerPage = 100

	// DefaultPerPage is the page size GitHub uses when per_page is absent.
	// https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
	DefaultPerPage = 30

	// MaxPullRequestFiles is the most files "List pull requests files"
	// returns, whatever the pull request's size.
	// https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files
	MaxPullRequestFiles = 3000

	// MaxConcurrentRequests is GitHub's secondary rate limit on concurrent
	// requests (shared across the REST and GraphQL APIs).
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
	MaxConcurrentRequests = 100

	// MaxContentCreatingPerMinute is GitHub's secondary rate limit on
	// content-generating requests per minute.
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
	MaxContentCreatingPerMinute = 80

	// InstallationRateLimit is the primary rate limit of an installation
	// access token (requests per hour, before scaling with repositories).
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github-app-installations
	InstallationRateLimit = 5000

	// InstallationTokenLifetime is how long an installation access token lives.
	// https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app
	InstallationTokenLifetime = time.Hour

	// MaxJWTLifetime is the furthest in the future an app JWT's exp may be.
	// https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
	MaxJWTLifetime = 10 * time.Minute

	// JWTClockDrift is the clock drift GitHub's docs allow for (they advise
	// setting iat 60 seconds in the past).
	// https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
	JWTClockDrift = 60 * time.Second

	// ArchiveLinkLifetime is how long a private repository's archive download
	// link stays valid.
	// https://docs.github.com/en/rest/repos/contents#download-a-repository-archive-tar
	ArchiveLinkLifetime = 5 * time.Minute
)
