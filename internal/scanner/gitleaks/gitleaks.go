// Package gitleaks runs gitleaks v8's secret detection, as a library, over
// an extracted source tree.
//
// The tree is scanned as plain files, with no git history, using gitleaks'
// default rules and allowlists (a repository's own .gitleaks.toml and
// .gitleaksignore are not read: the code under review must not be able to
// silence the review, and for the same reason inline "gitleaks:allow"
// comments are ignored: exceptions go through an approved /conviso exception
// instead). Symbolic links are never followed and archives are
// never opened; both are listed in Result.Skipped.
//
// Secrets never leave this package: each match's secret is hashed with
// SHA-256 as soon as gitleaks returns it, and the secret, the match and the
// matched line are dropped; gitleaks' own logging is restricted so that it
// cannot print them (see logging.go).
package gitleaks

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/conviso/conviso-github-app/internal/scanner"
)

// Name is the scanner's stable name.
const Name = "gitleaks"

// modulePath is the gitleaks module, whose version is the scanner's.
const modulePath = "github.com/zricethezav/gitleaks/v8"

// fallbackVersion is reported when the build carries no module information
// (it must match go.mod).
const fallbackVersion = "v8.30.1"

// Defaults for Options.
const (
	// DefaultMaxFileBytes: larger files are skipped (and listed). gitleaks
	// reads files in chunks, so this bounds time, not memory.
	DefaultMaxFileBytes int64 = 20 << 20
	// DefaultMaxDecodeDepth is the gitleaks CLI's default for decoding
	// (base64, hex, percent-encoding) before matching.
	DefaultMaxDecodeDepth = 5
)

// Options configures a Scanner. The zero value selects the defaults.
type Options struct {
	// MaxFileBytes: files larger than this are skipped. 0 selects
	// DefaultMaxFileBytes; a negative value removes the limit.
	MaxFileBytes int64
	// Concurrency is how many files are scanned at once. 0 selects
	// runtime.GOMAXPROCS(0).
	Concurrency int
	// MaxDecodeDepth is how many nested encodings gitleaks decodes. 0
	// selects DefaultMaxDecodeDepth; a negative value disables decoding.
	MaxDecodeDepth int
	// FingerprintKey, when set, keys the hash of each secret in its
	// fingerprint (HMAC-SHA256), so finding ids reveal nothing about weak
	// secrets to someone without the key. The app uses one key per
	// deployment, kept in its store.
	FingerprintKey []byte
}

// withDefaults resolves the zero fields of o.
func (o Options) withDefaults() Options {
	if o.MaxFileBytes == 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.Concurrency <= 0 {
		o.Concurrency = runtime.GOMAXPROCS(0)
	}
	switch {
	case o.MaxDecodeDepth == 0:
		o.MaxDecodeDepth = DefaultMaxDecodeDepth
	case o.MaxDecodeDepth < 0:
		o.MaxDecodeDepth = 0
	}
	return o
}

// Scanner finds committed secrets with gitleaks. It is safe for concurrent
// use: Scan may run on several trees at once.
type Scanner struct {
	opts    Options
	det     *detect.Detector
	version string
}

var _ scanner.Scanner = (*Scanner)(nil)

// New builds a Scanner with gitleaks' default configuration.
func New(opts Options) (*Scanner, error) {
	cfg, err := defaultConfig()
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	det := detect.NewDetector(cfg)
	det.MaxDecodeDepth = opts.MaxDecodeDepth
	det.MaxArchiveDepth = 0
	det.FollowSymlinks = false
	det.IgnoreGitleaksAllow = true // the code under review cannot exempt itself
	det.Verbose = false            // Verbose prints every finding, secret included, to stdout.
	det.Redact = 0                 // The secret is needed, briefly, to hash it.
	return &Scanner{opts: opts, det: det, version: moduleVersion()}, nil
}

// defaultConfig parses gitleaks' embedded default configuration, with a
// private viper instance rather than viper's global one.
func defaultConfig() (config.Config, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		return config.Config{}, fmt.Errorf("gitleaks: reading default config: %w", err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.Config{}, fmt.Errorf("gitleaks: decoding default config: %w", err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		return config.Config{}, fmt.Errorf("gitleaks: compiling default config: %w", err)
	}
	return cfg, nil
}

// moduleVersion is the linked gitleaks module's version.
func moduleVersion() string { return scanner.ModuleVersion(modulePath, fallbackVersion) }

// FileLocal reports true: a secret's detection depends only on its file.
func (s *Scanner) FileLocal() bool { return true }

// Name returns "gitleaks".
func (s *Scanner) Name() string { return Name }

// Version returns the gitleaks module version, e.g. "v8.30.1".
func (s *Scanner) Version() string { return s.version }

// Scan scans the regular files under root for secrets. Findings carry
// repository-relative paths, fingerprints and IDs, and no secret. Files it
// does not analyse (symlinks, archives, special files, files over the size
// limit, unreadable files) are listed in Result.Skipped as "path: reason";
// files excluded by gitleaks' default path allowlist (lock files, vendored
// dependencies, images, ...) are silently left out, as by the CLI.
func (s *Scanner) Scan(ctx context.Context, root string) (scanner.Result, error) {
	run, err := newRun(ctx, s, root)
	if err != nil {
		return scanner.Result{}, err
	}
	defer run.close()
	if err := run.walk(); err != nil {
		return scanner.Result{}, fmt.Errorf("gitleaks: scanning %s: %w", root, err)
	}
	return run.result(), nil
}
