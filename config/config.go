// Package config loads the server's configuration from a YAML file and the
// environment (the environment wins), in two layers: strict parsing into raw
// strings, then Validate into typed values. Every error names the setting,
// the bad value (never a secret's) and what is allowed.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults for optional settings.
const (
	DefaultAddr         = ":3000"
	DefaultGitHubAPIURL = "https://api.github.com/"
	DefaultGitHubWebURL = "https://github.com/"
	DefaultDataDir      = "./data"
	DefaultLogLevel     = "info"
	DefaultLogFormat    = "json"
	DefaultCheckName    = "Conviso Security Gate"
	DefaultWorkers      = 4
	// DefaultMaxWebhookBytes is GitHub's cap on webhook payloads: "Payloads
	// are capped at 25 MB" (https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap).
	DefaultMaxWebhookBytes = 25 << 20
	DefaultScanTimeout     = 10 * time.Minute
	DefaultShutdownGrace   = 30 * time.Second
	// DefaultRedisPrefix namespaces every Redis key of one deployment.
	DefaultRedisPrefix = "conviso:"
	// DefaultJobLease is how long a claimed job stays with its worker
	// without renewal; a job whose worker died is reclaimed after it.
	DefaultJobLease = 2 * time.Minute
)

// Config is the validated server configuration.
type Config struct {
	Addr          string
	PublicURL     string
	GitHubAPIURL  string
	GitHubWebURL  string
	AppID         int64
	PrivateKeyPEM []byte
	// PrivateKeyPath is the key file, when the key came from one.
	PrivateKeyPath  string
	WebhookSecret   string
	DataDir         string
	RedisURL        string
	RedisPrefix     string
	LogLevel        string
	LogFormat       string
	CheckName       string
	Workers         int
	MaxWebhookBytes int64
	ScanTimeout     time.Duration
	ShutdownGrace   time.Duration
	JobLease        time.Duration
	AdminToken      string
	PolicyFile      string
	BaselineScans   bool
	OnboardingPR    bool // CONVISO_ONBOARDING_PR: open a starter-policy pull request
	Scanners        []string
	OSVDatabase     string
	// ExternalScanners run after the built-in scanners, always, in order.
	ExternalScanners []ExternalScanner
}

// ExternalScanner is an operator-configured program that writes SARIF (see
// package scanner/external).
type ExternalScanner struct {
	// Name is the findings' scanner name.
	Name string
	// Command is the argv; Command[0] is resolved to an absolute path.
	Command []string
	// Timeout bounds one run.
	Timeout time.Duration
	// VersionCommand prints the version; empty for none.
	VersionCommand []string
	// OKExitCodes are the exit statuses of a completed scan.
	OKExitCodes []int
}

// Raw is the configuration as written: every value a string, as it comes
// from YAML or the environment, before validation.
type Raw struct {
	Addr            string `yaml:"addr"`
	PublicURL       string `yaml:"public_url"`
	GitHubAPIURL    string `yaml:"github_api_url"`
	GitHubWebURL    string `yaml:"github_web_url"`
	AppID           string `yaml:"github_app_id"`
	PrivateKeyPath  string `yaml:"github_private_key_path"`
	PrivateKey      string `yaml:"github_private_key"`
	WebhookSecret   string `yaml:"github_webhook_secret"`
	DataDir         string `yaml:"data_dir"`
	RedisURL        string `yaml:"redis_url"`
	RedisPrefix     string `yaml:"redis_prefix"`
	LogLevel        string `yaml:"log_level"`
	LogFormat       string `yaml:"log_format"`
	CheckName       string `yaml:"check_name"`
	Workers         string `yaml:"workers"`
	MaxWebhookBytes string `yaml:"max_webhook_bytes"`
	ScanTimeout     string `yaml:"scan_timeout"`
	ShutdownGrace   string `yaml:"shutdown_grace"`
	JobLease        string `yaml:"job_lease"`
	AdminToken      string `yaml:"admin_token"`
	PolicyFile      string `yaml:"policy_file"`
	BaselineScans   string `yaml:"baseline_scans"`
	OnboardingPR    string `yaml:"onboarding_pr"`
	Scanners        string `yaml:"scanners"`
	OSVDatabase     string `yaml:"osv_database"`
	// ExternalScanners is YAML-only: no environment variable sets it.
	ExternalScanners []RawExternalScanner `yaml:"external_scanners"`
}

// RawExternalScanner is one entry of external_scanners as written.
type RawExternalScanner struct {
	Name           string   `yaml:"name"`
	Command        []string `yaml:"command"`
	Timeout        string   `yaml:"timeout"`
	VersionCommand []string `yaml:"version_command"`
	OKExitCodes    []int    `yaml:"ok_exit_codes"`
}

// setting ties a Raw field to its environment variable and YAML key.
type setting struct {
	env   string
	yaml  string
	field func(*Raw) *string
}

var settings = []setting{
	{"CONVISO_ADDR", "addr", func(r *Raw) *string { return &r.Addr }},
	{"CONVISO_PUBLIC_URL", "public_url", func(r *Raw) *string { return &r.PublicURL }},
	{"CONVISO_GITHUB_API_URL", "github_api_url", func(r *Raw) *string { return &r.GitHubAPIURL }},
	{"CONVISO_GITHUB_WEB_URL", "github_web_url", func(r *Raw) *string { return &r.GitHubWebURL }},
	{"CONVISO_GITHUB_APP_ID", "github_app_id", func(r *Raw) *string { return &r.AppID }},
	{"CONVISO_GITHUB_PRIVATE_KEY_PATH", "github_private_key_path", func(r *Raw) *string { return &r.PrivateKeyPath }},
	{"CONVISO_GITHUB_PRIVATE_KEY", "github_private_key", func(r *Raw) *string { return &r.PrivateKey }},
	{"CONVISO_GITHUB_WEBHOOK_SECRET", "github_webhook_secret", func(r *Raw) *string { return &r.WebhookSecret }},
	{"CONVISO_DATA_DIR", "data_dir", func(r *Raw) *string { return &r.DataDir }},
	{"CONVISO_REDIS_URL", "redis_url", func(r *Raw) *string { return &r.RedisURL }},
	{"CONVISO_REDIS_PREFIX", "redis_prefix", func(r *Raw) *string { return &r.RedisPrefix }},
	{"CONVISO_LOG_LEVEL", "log_level", func(r *Raw) *string { return &r.LogLevel }},
	{"CONVISO_LOG_FORMAT", "log_format", func(r *Raw) *string { return &r.LogFormat }},
	{"CONVISO_CHECK_NAME", "check_name", func(r *Raw) *string { return &r.CheckName }},
	{"CONVISO_WORKERS", "workers", func(r *Raw) *string { return &r.Workers }},
	{"CONVISO_MAX_WEBHOOK_BYTES", "max_webhook_bytes", func(r *Raw) *string { return &r.MaxWebhookBytes }},
	{"CONVISO_SCAN_TIMEOUT", "scan_timeout", func(r *Raw) *string { return &r.ScanTimeout }},
	{"CONVISO_SHUTDOWN_GRACE", "shutdown_grace", func(r *Raw) *string { return &r.ShutdownGrace }},
	{"CONVISO_JOB_LEASE", "job_lease", func(r *Raw) *string { return &r.JobLease }},
	{"CONVISO_ADMIN_TOKEN", "admin_token", func(r *Raw) *string { return &r.AdminToken }},
	{"CONVISO_POLICY_FILE", "policy_file", func(r *Raw) *string { return &r.PolicyFile }},
	{"CONVISO_BASELINE_SCANS", "baseline_scans", func(r *Raw) *string { return &r.BaselineScans }},
	{"CONVISO_ONBOARDING_PR", "onboarding_pr", func(r *Raw) *string { return &r.OnboardingPR }},
	{"CONVISO_SCANNERS", "scanners", func(r *Raw) *string { return &r.Scanners }},
	{"CONVISO_OSV_DATABASE", "osv_database", func(r *Raw) *string { return &r.OSVDatabase }},
}

// Error is a configuration error that names the setting.
type Error struct {
	// Setting is the environment variable name (and YAML key).
	Setting string
	// Problem says what is wrong and what is allowed.
	Problem string
}

func (e *Error) Error() string { return e.Setting + ": " + e.Problem }

func settingError(env, format string, args ...any) error {
	for _, s := range settings {
		if s.env == env {
			return &Error{Setting: fmt.Sprintf("%s (YAML %q)", env, s.yaml), Problem: fmt.Sprintf(format, args...)}
		}
	}
	return &Error{Setting: env, Problem: fmt.Sprintf(format, args...)}
}

// Load reads the optional YAML file at path (empty for none), overlays the
// environment given by lookup (os.LookupEnv in production) and validates.
// Credentials stored by self-registration (CredentialsFile in the data
// directory) fill the GitHub App settings both leave unset.
func Load(path string, lookup func(string) (string, bool)) (*Config, error) {
	raw, err := loadRaw(path, lookup)
	if err != nil {
		return nil, err
	}
	return raw.Validate(os.ReadFile)
}

// loadRaw layers stored credentials, the YAML file and the environment.
func loadRaw(path string, lookup func(string) (string, bool)) (Raw, error) {
	var raw Raw
	if path != "" {
		if err := readYAML(path, &raw); err != nil {
			return raw, err
		}
	}
	for _, s := range settings {
		if v, ok := lookup(s.env); ok {
			*s.field(&raw) = v
		}
	}
	return raw, fillFromCredentials(&raw)
}

func readYAML(path string, raw *Raw) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{Setting: "--config", Problem: fmt.Sprintf("cannot read %s: %v", path, unwrapPathError(err))}
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(raw); err != nil && !errors.Is(err, io.EOF) {
		return &Error{Setting: "--config", Problem: fmt.Sprintf("%s: %s (allowed keys: %s)", path, oneLine(err.Error()), strings.Join(yamlKeys(), ", "))}
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func yamlKeys() []string {
	keys := make([]string, len(settings), len(settings)+1)
	for i, s := range settings {
		keys[i] = s.yaml
	}
	return append(keys, "external_scanners")
}
