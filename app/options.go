package app

import (
	"io"
	"os"
	"time"

	"github.com/conviso/conviso-github-app/jobs"
	"github.com/conviso/conviso-github-app/scanner"
)

// Option adjusts how New builds the app (tests and embedding).
type Option func(*options)

type options struct {
	logOutput   io.Writer
	redisPrefix string
	lease       time.Duration
	staleAfter  time.Duration
	watchEvery  time.Duration
	scanners    []scanner.Scanner
}

func defaultOptions() options {
	return options{logOutput: os.Stderr, redisPrefix: "conviso:", lease: jobs.DefaultLease}
}

// WithLogOutput sends logs to w instead of standard error.
func WithLogOutput(w io.Writer) Option { return func(o *options) { o.logOutput = w } }

// WithRedisPrefix namespaces every Redis key under prefix (default "conviso:").
func WithRedisPrefix(prefix string) Option { return func(o *options) { o.redisPrefix = prefix } }

// WithLease sets how long a claimed job stays leased without renewal.
func WithLease(d time.Duration) Option { return func(o *options) { o.lease = d } }

// WithWatchdog sets how stale a check run must be before the watchdog
// completes it, and how often it looks.
func WithWatchdog(staleAfter, every time.Duration) Option {
	return func(o *options) { o.staleAfter, o.watchEvery = staleAfter, every }
}

// WithScanners replaces the built-in scanners.
func WithScanners(s ...scanner.Scanner) Option { return func(o *options) { o.scanners = s } }
