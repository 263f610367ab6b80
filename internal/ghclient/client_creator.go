package ghclient

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"
)

// Option adjusts NewClientCreator beyond Config; tests use it to inject a
// fake clock or transport.
type Option func(*creatorOptions)

// creatorOptions collects Options.
type creatorOptions struct {
	base   http.RoundTripper
	clock  Clock
	jitter func(time.Duration) time.Duration
}

// WithBaseTransport sets the RoundTripper under RetryTransport (default
// http.DefaultTransport), e.g. to tune TLS, proxies or connection pools.
func WithBaseTransport(rt http.RoundTripper) Option {
	return func(o *creatorOptions) { o.base = rt }
}

// WithClock sets the Clock of RetryTransport (default SystemClock).
func WithClock(c Clock) Option {
	return func(o *creatorOptions) { o.clock = c }
}

// WithJitter sets RetryOptions.Jitter (default EqualJitter).
func WithJitter(j func(time.Duration) time.Duration) Option {
	return func(o *creatorOptions) { o.jitter = j }
}

// NewClientCreator returns a caching githubapp.ClientCreator (one client per
// installation, kept in go-githubapp's LRU) for the App described by cfg.
// Every client it creates sends requests through, outermost first:
//
//  1. a middleware that gives the request logger when the request context
//     carries none;
//  2. githubapp.ClientLogging at debug level: one "github_request" line per
//     call with method, URL, status, size and elapsed time, and no headers
//     or bodies, hence no token;
//  3. ghinstallation, which signs the App JWT, mints installation tokens,
//     caches each until a minute before it expires and sets Authorization;
//  4. RetryTransport (see there), configured from cfg, which therefore also
//     retries token minting and tells installations apart by their token;
//  5. the base transport (WithBaseTransport).
//
// cfg.Timeout becomes http.Client.Timeout (githubapp.WithClientTimeout): it
// bounds each call including its retries, and RetryTransport never waits
// past it. Errors name the invalid setting, never the key.
func NewClientCreator(cfg Config, logger zerolog.Logger, opts ...Option) (githubapp.ClientCreator, error) {
	n, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	o := creatorOptions{base: http.DefaultTransport}
	for _, opt := range opts {
		opt(&o)
	}
	if n.Timeout <= n.MaxRetryWait {
		logger.Warn().Dur("timeout", n.Timeout).Dur("max_retry_wait", n.MaxRetryWait).
			Msg("ghclient: Timeout does not exceed MaxRetryWait; the longest rate-limit waits will not be taken")
	}
	retry := RetryTransport(RetryOptions{
		MaxRetries:   n.MaxRetries,
		MaxRetryWait: n.MaxRetryWait,
		Clock:        o.clock,
		Jitter:       o.jitter,
	})
	appConfig, err := n.GitHubAppConfig()
	if err != nil {
		return nil, err
	}
	cc, err := githubapp.NewDefaultCachingClientCreator(appConfig,
		githubapp.WithClientUserAgent(n.UserAgent),
		githubapp.WithClientTimeout(n.Timeout),
		githubapp.WithTransport(retry(o.base)),
		// WithClientMiddleware replaces earlier middleware: pass all at once.
		githubapp.WithClientMiddleware(
			defaultLogger(logger),
			githubapp.ClientLogging(zerolog.DebugLevel),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ghclient: creating client creator: %w", err)
	}
	return cc, nil
}

// defaultLogger is middleware that attaches logger to requests whose
// context has no logger of its own, so that background jobs log too.
// A logger already in the context (from a webhook handler, with its
// delivery and installation fields) is kept.
func defaultLogger(logger zerolog.Logger) githubapp.ClientMiddleware {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
			if zerolog.Ctx(req.Context()) == zerolog.Ctx(context.Background()) {
				req = req.WithContext(logger.WithContext(req.Context()))
			}
			return next.RoundTrip(req)
		})
	}
}

// roundTripperFunc adapts a function to http.RoundTripper.
type roundTripperFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
