package app

import (
	"io"
	"os"
	"time"

	"github.com/conviso/conviso-github-app/internal/scanner"
)

// Option adjusts how New builds the app (tests and embedding).
type Option func(*options)

type options struct {
	logOutput  io.Writer
	staleAfter time.Duration
	watchEvery time.Duration
	scanners   []scanner.Scanner
}

func defaultOptions() options {
	return options{logOutput: os.Stderr}
}

// WithLogOutput sends logs to w instead of standard error.
func WithLogOutput(w io.Writer) Option { return func(o *options) { o.logOutput = w } }

// WithWatchdog sets how stale a check run must be before the watchdog
// completes it, and how often it looks.
func WithWatchdog(staleAfter, every time.Duration) Option {
	return func(o *options) { o.staleAfter, o.watchEvery = staleAfter, every }
}

// WithScanners replaces the built-in scanners.
func WithScanners(s ...scanner.Scanner) Option { return func(o *options) { o.scanners = s } }
