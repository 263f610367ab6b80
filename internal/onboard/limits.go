package onboard

import "time"

// GitHub's documented limits that onboarding paces itself against.
const (
	// PrimaryRequestsPerHour is the primary rate limit of a GitHub App
	// installation: 5,000 requests per hour (more for large organizations
	// and Enterprise Cloud, which this package does not count on).
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github-app-installations
	PrimaryRequestsPerHour = 5000

	// MaxConcurrentRequests is GitHub's secondary rate limit on requests in
	// flight at once (REST and GraphQL together).
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
	MaxConcurrentRequests = 100

	// MaxContentCreatingPerMinute is GitHub's secondary rate limit on
	// content-generating requests (such as creating or updating a check run)
	// per minute.
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
	MaxContentCreatingPerMinute = 80

	// MaxPerPage is the largest page size GitHub's list endpoints honour.
	// https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
	MaxPerPage = 100

	// RedeliveryMaxAge is how far back GitHub lets an app redeliver webhook
	// deliveries on github.com (GitHub Enterprise Server keeps 7 days).
	// https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/redelivering-webhooks
	RedeliveryMaxAge = 3 * 24 * time.Hour
)

// Defaults of this package's settings.
const (
	// DefaultCoverageWindow is how recent a successful scan must be for a
	// repository to count as covered.
	DefaultCoverageWindow = 7 * 24 * time.Hour

	// DefaultStaleGrace is how long after a push a scan result may take
	// before Stale reports the repository.
	DefaultStaleGrace = time.Hour

	// DefaultRequestsPerScan is the number of API requests one baseline
	// scan is assumed to cost (token, repository, tarball, check run
	// create and update, configuration).
	DefaultRequestsPerScan = 6

	// DefaultContentPerScan is how many of those requests create content
	// (creating and completing the check run).
	DefaultContentPerScan = 2

	// DefaultShare is the fraction of each GitHub limit baseline scans may
	// use, leaving the rest to pull request and push traffic.
	DefaultShare = 0.5

	// DefaultBurst is how many baseline scans an installation may start at
	// once before the steady pace applies.
	DefaultBurst = 10

	// DefaultInFlightTimeout is how long an enqueued baseline scan counts as
	// running; after it, a scan without a recorded result is "overdue".
	DefaultInFlightTimeout = time.Hour

	// DefaultClaimTimeout is how long a planner's claim on a repository
	// (taken just before Enqueue) blocks other planners; a claim older than
	// this, never confirmed, belonged to a planner that died mid-enqueue.
	DefaultClaimTimeout = 10 * time.Minute

	// DefaultIdleInterval is how often a planner with nothing to do looks
	// again for newly covered repositories.
	DefaultIdleInterval = time.Minute

	// DefaultMinTickInterval is the shortest pause between two planner ticks:
	// each tick reads the inventory, so ticks are batched rather than run
	// for every single token.
	DefaultMinTickInterval = 15 * time.Second

	// DefaultLookback is how far back the Redeliverer looks for failed
	// deliveries on its first run (later runs resume where the last stopped).
	DefaultLookback = 24 * time.Hour

	// DefaultRedeliveryInterval is how often Redeliverer.Run checks.
	DefaultRedeliveryInterval = 5 * time.Minute

	// DefaultMaxRedeliveriesPerRun bounds the redeliveries of one run, so a
	// long outage is worked off over several runs instead of at once.
	DefaultMaxRedeliveriesPerRun = 100
)
