package config

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	logLevels  = []string{"trace", "debug", "info", "warn", "error"}
	logFormats = []string{"json", "console"}
)

// maxWorkers bounds the worker pool to a sane size for one process.
const maxWorkers = 256

// Validate turns the raw settings into a Config, reading the private key
// file with readFile when a path is given. The first problem found is
// returned as an *Error.
func (r Raw) Validate(readFile func(string) ([]byte, error)) (*Config, error) {
	c := &Config{
		Addr:          orDefault(r.Addr, DefaultAddr),
		PublicURL:     strings.TrimSpace(r.PublicURL),
		WebhookSecret: r.WebhookSecret,
		DataDir:       orDefault(r.DataDir, DefaultDataDir),
		RedisURL:      strings.TrimSpace(r.RedisURL),
		RedisPrefix:   orDefault(r.RedisPrefix, DefaultRedisPrefix),
		CheckName:     orDefault(r.CheckName, DefaultCheckName),
	}
	steps := []func() error{
		func() (err error) {
			c.GitHubAPIURL, err = baseURL("CONVISO_GITHUB_API_URL", orDefault(r.GitHubAPIURL, DefaultGitHubAPIURL))
			return
		},
		func() (err error) {
			c.GitHubWebURL, err = baseURL("CONVISO_GITHUB_WEB_URL", orDefault(r.GitHubWebURL, DefaultGitHubWebURL))
			return
		},
		func() (err error) { c.AppID, err = appID(r.AppID); return },
		func() (err error) {
			c.PrivateKeyPEM, err = privateKey(r.PrivateKey, r.PrivateKeyPath, readFile)
			return
		},
		func() error { return webhookSecret(r.WebhookSecret) },
		func() error { c.AdminToken = r.AdminToken; return adminToken(r.AdminToken) },
		func() error { c.PolicyFile = strings.TrimSpace(r.PolicyFile); return nil },
		func() (err error) {
			c.BaselineScans, err = onOff("CONVISO_BASELINE_SCANS", r.BaselineScans, true)
			return
		},
		func() (err error) {
			c.OnboardingPR, err = onOff("CONVISO_ONBOARDING_PR", r.OnboardingPR, false)
			return
		},
		func() (err error) { c.Scanners, err = scannerList(r.Scanners); return },
		func() error { c.OSVDatabase = strings.TrimSpace(r.OSVDatabase); return osvDatabase(c) },
		func() (err error) { c.ExternalScanners, err = externalScanners(r.ExternalScanners); return },
		func() error { return publicURL(c.PublicURL) },
		func() error { return redisURL(c.RedisURL) },
		func() (err error) {
			c.LogLevel, err = oneOf("CONVISO_LOG_LEVEL", orDefault(r.LogLevel, DefaultLogLevel), logLevels)
			return
		},
		func() (err error) {
			c.LogFormat, err = oneOf("CONVISO_LOG_FORMAT", orDefault(r.LogFormat, DefaultLogFormat), logFormats)
			return
		},
		func() (err error) {
			c.Workers, err = intIn("CONVISO_WORKERS", r.Workers, DefaultWorkers, 1, maxWorkers)
			return
		},
		func() (err error) {
			n, err := intIn("CONVISO_MAX_WEBHOOK_BYTES", r.MaxWebhookBytes, DefaultMaxWebhookBytes, 1024, DefaultMaxWebhookBytes)
			c.MaxWebhookBytes = int64(n)
			return err
		},
		func() (err error) {
			c.ScanTimeout, err = duration("CONVISO_SCAN_TIMEOUT", r.ScanTimeout, DefaultScanTimeout)
			return
		},
		func() (err error) {
			c.ShutdownGrace, err = duration("CONVISO_SHUTDOWN_GRACE", r.ShutdownGrace, DefaultShutdownGrace)
			return
		},
		func() (err error) {
			c.JobLease, err = duration("CONVISO_JOB_LEASE", r.JobLease, DefaultJobLease)
			return
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}

func baseURL(env, v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", settingError(env, "%q is not an absolute http(s) URL", v)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}

func appID(v string) (int64, error) {
	if strings.TrimSpace(v) == "" {
		return 0, settingError("CONVISO_GITHUB_APP_ID", "is required (the numeric App ID shown on the GitHub App's settings page)")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id <= 0 {
		return 0, settingError("CONVISO_GITHUB_APP_ID", "%q is not a positive integer", v)
	}
	return id, nil
}

func privateKey(text, path string, readFile func(string) ([]byte, error)) ([]byte, error) {
	const env = "CONVISO_GITHUB_PRIVATE_KEY"
	switch {
	case text != "" && path != "":
		return nil, settingError(env, "set either CONVISO_GITHUB_PRIVATE_KEY or CONVISO_GITHUB_PRIVATE_KEY_PATH, not both")
	case text == "" && path == "":
		return nil, settingError(env, "is required: set CONVISO_GITHUB_PRIVATE_KEY (PEM text) or CONVISO_GITHUB_PRIVATE_KEY_PATH (a .pem file)")
	case path != "":
		b, err := readFile(path)
		if err != nil {
			return nil, settingError("CONVISO_GITHUB_PRIVATE_KEY_PATH", "cannot read %s: %v", path, unwrapPathError(err))
		}
		if err := checkPEM(b); err != nil {
			return nil, settingError("CONVISO_GITHUB_PRIVATE_KEY_PATH", "%s: %v", path, err)
		}
		return b, nil
	default:
		b := []byte(strings.ReplaceAll(text, `\n`, "\n"))
		if err := checkPEM(b); err != nil {
			return nil, settingError(env, "%v", err)
		}
		return b, nil
	}
}

// checkPEM accepts the RSA private keys GitHub issues (PKCS#1) and PKCS#8.
// The error never quotes the key.
func checkPEM(b []byte) error {
	block, _ := pem.Decode(b)
	if block == nil {
		return fmt.Errorf("not a PEM-encoded private key (expected a block starting with -----BEGIN RSA PRIVATE KEY-----)")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	return fmt.Errorf("PEM block %q is not an RSA private key", block.Type)
}

// minSecretLen is a floor against trivially guessable webhook secrets.
const minSecretLen = 16

func webhookSecret(v string) error {
	if v == "" {
		return settingError("CONVISO_GITHUB_WEBHOOK_SECRET", "is required: the secret set on the GitHub App's webhook, used to verify X-Hub-Signature-256")
	}
	if len(v) < minSecretLen {
		return settingError("CONVISO_GITHUB_WEBHOOK_SECRET", "is %d characters long; use at least %d random characters", len(v), minSecretLen)
	}
	return nil
}

// minAdminTokenLen keeps the admin API's bearer token out of guessing range.
const minAdminTokenLen = 32

func adminToken(v string) error {
	if v != "" && len(v) < minAdminTokenLen {
		return settingError("CONVISO_ADMIN_TOKEN", "is %d characters long; use at least %d random characters", len(v), minAdminTokenLen)
	}
	return nil
}

func publicURL(v string) error {
	if v == "" {
		return nil
	}
	_, err := baseURL("CONVISO_PUBLIC_URL", v)
	return err
}

func redisURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
		return settingError("CONVISO_REDIS_URL", "%q is not a redis://, rediss:// or unix:// URL", redactURL(v))
	}
	return nil
}

// redactURL hides a password in a URL before it is quoted in an error.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

func oneOf(env, v string, allowed []string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, nil
		}
	}
	return "", settingError(env, "%q is not allowed (allowed: %s)", v, strings.Join(allowed, ", "))
}

// BuiltinScanners are the scanners the app can run, in the order they run.
var BuiltinScanners = []string{"gitleaks", "gosec", "osv"}

// defaultScanners run when CONVISO_SCANNERS is not set (osv joins them when
// CONVISO_OSV_DATABASE is set).
var defaultScanners = []string{"gitleaks", "gosec"}

func scannerList(v string) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return defaultScanners, nil
	}
	var out []string
	for _, name := range strings.Split(v, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(BuiltinScanners, name) {
			return nil, settingError("CONVISO_SCANNERS", "%q is not a built-in scanner (allowed: %s)", name, strings.Join(BuiltinScanners, ", "))
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// osvDatabase adds osv to the default scanners when a database is given,
// and requires one when osv is asked for.
func osvDatabase(c *Config) error {
	asked := slices.Contains(c.Scanners, "osv")
	switch {
	case asked && c.OSVDatabase == "":
		return settingError("CONVISO_OSV_DATABASE", "is required when CONVISO_SCANNERS includes osv: a folder of OSV JSON records")
	case !asked && c.OSVDatabase != "" && slices.Equal(c.Scanners, defaultScanners):
		c.Scanners = append(slices.Clone(c.Scanners), "osv")
	}
	return nil
}

func onOff(env, v string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def, nil
	case "on", "true", "1", "yes":
		return true, nil
	case "off", "false", "0", "no":
		return false, nil
	}
	return false, settingError(env, "%q is not allowed (allowed: on, off)", v)
}

func intIn(env, v string, def, lo, hi int) (int, error) {
	if strings.TrimSpace(v) == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		return 0, settingError(env, "%q is not an integer from %d to %d", v, lo, hi)
	}
	return n, nil
}

func duration(env, v string, def time.Duration) (time.Duration, error) {
	if strings.TrimSpace(v) == "" {
		return def, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return 0, settingError(env, "%q is not a positive duration such as 30s or 10m", v)
	}
	return d, nil
}

// External scanner limits and defaults.
const (
	DefaultExternalTimeout = 10 * time.Minute
	maxExternalTimeout     = time.Hour
)

var (
	externalNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,40}$`)
	placeholderRE  = regexp.MustCompile(`\{\{[^{}]*\}\}`)
)

// externalError names one key of one external_scanners entry.
func externalError(i int, key, format string, args ...any) error {
	return &Error{Setting: fmt.Sprintf("external_scanners[%d].%s", i, key), Problem: fmt.Sprintf(format, args...)}
}

// externalScanners validates the external_scanners entries (0-based
// indexes in errors).
func externalScanners(raw []RawExternalScanner) ([]ExternalScanner, error) {
	var out []ExternalScanner
	for i, r := range raw {
		e := ExternalScanner{Name: strings.TrimSpace(r.Name)}
		switch {
		case !externalNameRE.MatchString(e.Name):
			return nil, externalError(i, "name", "%q is not allowed (allowed: 1 to 41 of a-z, 0-9, _ and -, starting with a letter or digit)", r.Name)
		case slices.Contains(BuiltinScanners, e.Name):
			return nil, externalError(i, "name", "%q is a built-in scanner's name (taken: %s)", e.Name, strings.Join(BuiltinScanners, ", "))
		case slices.ContainsFunc(out, func(o ExternalScanner) bool { return o.Name == e.Name }):
			return nil, externalError(i, "name", "%q is already the name of another external scanner", e.Name)
		}
		var err error
		if e.Command, err = externalCommand(i, "command", r.Command, true); err != nil {
			return nil, err
		}
		if len(r.VersionCommand) > 0 {
			if e.VersionCommand, err = externalCommand(i, "version_command", r.VersionCommand, false); err != nil {
				return nil, err
			}
		}
		if e.Timeout, err = externalTimeout(i, r.Timeout); err != nil {
			return nil, err
		}
		e.OKExitCodes = []int{0}
		if len(r.OKExitCodes) > 0 {
			e.OKExitCodes = nil
			for _, code := range r.OKExitCodes {
				if code < 0 || code > 255 {
					return nil, externalError(i, "ok_exit_codes", "%d is not an exit status (allowed: 0 to 255)", code)
				}
				if !slices.Contains(e.OKExitCodes, code) {
					e.OKExitCodes = append(e.OKExitCodes, code)
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// externalCommand checks an argv: its program must be an absolute path or
// be found on PATH (it is replaced by its absolute path); its arguments may
// hold {{dir}} and {{output}} (which a scan command needs) when scan is
// set, and no placeholder otherwise.
func externalCommand(i int, key string, argv []string, scan bool) ([]string, error) {
	if len(argv) == 0 || strings.TrimSpace(argv[0]) == "" {
		return nil, externalError(i, key, "is empty (want a list: the program, then its arguments)")
	}
	prog := argv[0]
	if !filepath.IsAbs(prog) && strings.ContainsRune(prog, '/') {
		return nil, externalError(i, key, "%q is a relative path (allowed: an absolute path or a program name found on PATH)", prog)
	}
	path, err := exec.LookPath(prog)
	if err != nil {
		return nil, externalError(i, key, "%q is not an executable program (allowed: an absolute path or a program name found on PATH): %v", prog, unwrapPathError(err))
	}
	out := append([]string{path}, argv[1:]...)
	hasOutput := false
	for _, a := range argv[1:] {
		for _, p := range placeholderRE.FindAllString(a, -1) {
			switch {
			case !scan:
				return nil, externalError(i, key, "placeholder %s in %q is not allowed (allowed: none)", p, a)
			case p == "{{output}}":
				hasOutput = true
			case p != "{{dir}}":
				return nil, externalError(i, key, "unknown placeholder %s in %q (allowed: {{dir}}, {{output}})", p, a)
			}
		}
	}
	if scan && !hasOutput {
		return nil, externalError(i, key, "has no {{output}} argument (the file the scanner must write its SARIF to)")
	}
	return out, nil
}

func externalTimeout(i int, v string) (time.Duration, error) {
	if strings.TrimSpace(v) == "" {
		return DefaultExternalTimeout, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 || d > maxExternalTimeout {
		return 0, externalError(i, "timeout", "%q is not allowed (allowed: a positive duration up to 1h, such as 90s or 10m)", v)
	}
	return d, nil
}
