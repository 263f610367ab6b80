package ghclient

import "time"

// GitHub endpoints and headers, as GitHub documents them.
const (
	// DefaultV3APIURL is the REST API root of github.com.
	// https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api
	DefaultV3APIURL = "https://api.github.com/"

	// githubDotComAPIHost is the host of DefaultV3APIURL, whose GraphQL
	// endpoint is https://api.github.com/graphql.
	// https://docs.github.com/en/graphql/guides/forming-calls-with-graphql#the-graphql-endpoint
	githubDotComAPIHost = "api.github.com"

	// enterpriseV3Path and enterpriseV4Path are the REST and GraphQL paths of
	// GitHub Enterprise Server: http(s)://HOSTNAME/api/v3 and
	// http(s)://HOSTNAME/api/graphql.
	// https://docs.github.com/en/enterprise-server@latest/rest/using-the-rest-api/getting-started-with-the-rest-api
	// https://docs.github.com/en/enterprise-server@latest/graphql/guides/forming-calls-with-graphql#the-graphql-endpoint
	enterpriseV3Path = "/api/v3"
	enterpriseV4Path = "/api/graphql"

	// graphQLPath is the GraphQL path under a github.com style API root.
	// https://docs.github.com/en/graphql/guides/forming-calls-with-graphql#the-graphql-endpoint
	graphQLPath = "/graphql"

	// HeaderRetryAfter is the number of seconds to wait before retrying
	// after a rate-limit response: "If the retry-after response header is
	// present, you should not retry your request until after that many
	// seconds has elapsed."
	// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately
	HeaderRetryAfter = "Retry-After"

	// HeaderRateLimitRemaining is the number of requests left in the current
	// rate-limit window; 0 on a 403 or 429 means the primary rate limit was
	// exceeded.
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
	HeaderRateLimitRemaining = "X-RateLimit-Remaining"

	// HeaderRateLimitReset is the time, in UTC epoch seconds, at which the
	// current rate-limit window resets.
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
	HeaderRateLimitReset = "X-RateLimit-Reset"

	// HeaderRateLimitResource is the rate-limit resource ("core", "search",
	// "graphql", ...) the request counted against.
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
	HeaderRateLimitResource = "X-RateLimit-Resource"
)

// Rate-limit resources that RetryTransport tells apart before a request is
// sent, named as GitHub names them in HeaderRateLimitResource and in
// GET /rate_limit.
// https://docs.github.com/en/rest/rate-limit/rate-limit#about-rate-limits
const (
	resourceCore       = "core"
	resourceSearch     = "search"
	resourceCodeSearch = "code_search"
	resourceGraphQL    = "graphql"
)

// GitHub's guidance for waiting out rate limits.
const (
	// SecondaryRateLimitMinWait is the wait after a secondary rate limit
	// that carries neither Retry-After nor x-ratelimit-remaining: 0:
	// "Otherwise, wait for at least one minute before retrying. If your
	// request continues to fail due to a secondary rate limit, wait for an
	// exponentially increasing amount of time between retries".
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
	SecondaryRateLimitMinWait = time.Minute

	// RateLimitResetSkew is added to waits computed from
	// HeaderRateLimitReset, so that a clock slightly behind GitHub's does
	// not retry a moment before the window has reset. It is this package's
	// choice, not a GitHub figure; the header has one-second resolution.
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
	RateLimitResetSkew = time.Second

	// GitHubProcessingTimeout is how long GitHub works on one API request
	// before terminating it with a timeout response ("Server Error", a 502
	// or 504), which RetryTransport retries for idempotent requests: "If
	// GitHub takes more than 10 seconds to process an API request, GitHub
	// will terminate the request".
	// https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts
	// https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api#timeouts
	GitHubProcessingTimeout = 10 * time.Second
)

// Defaults for Config and RetryOptions. They are this package's choices,
// sized against GitHub's documented limits noted on each.
const (
	// DefaultMaxRetries is how many times a request is retried after the
	// first attempt. GitHub asks clients to "throw an error after a specific
	// number of retries".
	// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately
	DefaultMaxRetries = 3

	// DefaultMaxRetryWait is the longest single wait before a retry. It is
	// above SecondaryRateLimitMinWait so that a secondary rate limit is
	// waited out in-process; a primary limit resets hourly, so its waits
	// are usually longer and are left to the job queue.
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits
	DefaultMaxRetryWait = 90 * time.Second

	// DefaultBaseBackoff is the first backoff after a 5xx or a network
	// error; it doubles on every further retry. One second also matches
	// GitHub's advice to "wait at least one second" between mutative
	// requests.
	// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#pause-between-mutative-requests
	DefaultBaseBackoff = time.Second

	// DefaultTimeout bounds one API call made through a created client,
	// retries and waits included (http.Client.Timeout). It leaves room for
	// DefaultMaxRetryWait plus DefaultMaxRetries+1 attempts of up to
	// GitHubProcessingTimeout each, with their backoffs.
	// https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts
	DefaultTimeout = 3 * time.Minute

	// DefaultLowRemainingThreshold is the x-ratelimit-remaining value below
	// which further requests on the same credential and resource pause until
	// the window resets (when that is within MaxRetryWait). It is small
	// against the 5,000 requests/hour minimum of an installation.
	// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github-app-installations
	DefaultLowRemainingThreshold = 10

	// DefaultUserAgent is sent when Config.UserAgent is empty. GitHub
	// requires a User-Agent on every request.
	// https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
	DefaultUserAgent = "conviso-github-app"
)

// Internal bounds on how much of a response body this package reads.
const (
	// maxSniffBytes bounds how much of a 403 body is read to tell a
	// secondary rate limit from a permission error. GitHub error bodies are
	// a short JSON object with "message" and "documentation_url".
	// https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#rate-limit-errors
	maxSniffBytes = 64 << 10

	// maxDrainBytes bounds how much of a discarded response is read before
	// closing it, so that the connection can be reused without reading an
	// arbitrarily large body.
	maxDrainBytes = 64 << 10
)
