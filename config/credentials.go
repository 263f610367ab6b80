package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CredentialsFile is the file, in the data directory, where self-registration
// (the setup page) stores the GitHub App's credentials.
const CredentialsFile = "github-app.json"

// Credentials are a GitHub App's credentials as returned by GitHub's
// manifest conversion and stored in CredentialsFile.
type Credentials struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	PEM           string `json:"pem"`
	WebhookSecret string `json:"webhook_secret"`
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
}

// CredentialsPath is where the credentials of dataDir live.
func CredentialsPath(dataDir string) string {
	return filepath.Join(orDefault(dataDir, DefaultDataDir), CredentialsFile)
}

// ReadCredentials reads the stored credentials of dataDir; ok is false when
// none are stored.
func ReadCredentials(dataDir string) (c Credentials, ok bool, err error) {
	path := CredentialsPath(dataDir)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, &Error{Setting: "CONVISO_DATA_DIR", Problem: fmt.Sprintf("cannot read %s: %v", path, unwrapPathError(err))}
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, false, &Error{Setting: "CONVISO_DATA_DIR", Problem: fmt.Sprintf("%s is not valid JSON credentials (delete it to register again)", path)}
	}
	return c, true, nil
}

// WriteCredentials stores c in dataDir atomically (a temporary file renamed
// over the target) with mode 0600, and returns the file's path.
func WriteCredentials(dataDir string, c Credentials) (string, error) {
	path := CredentialsPath(dataDir)
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding credentials: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("creating the data directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+CredentialsFile+".*")
	if err != nil {
		return "", fmt.Errorf("storing credentials: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("storing credentials: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("storing credentials: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return "", fmt.Errorf("storing credentials: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("storing credentials: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("storing credentials: %w", err)
	}
	return path, nil
}

// fillFromCredentials fills the GitHub App settings the YAML file and the
// environment leave unset from the stored credentials (a fallback layer).
func fillFromCredentials(raw *Raw) error {
	c, ok, err := ReadCredentials(raw.DataDir)
	if err != nil || !ok {
		return err
	}
	if raw.AppID == "" && c.ID != 0 {
		raw.AppID = strconv.FormatInt(c.ID, 10)
	}
	if raw.PrivateKey == "" && raw.PrivateKeyPath == "" {
		raw.PrivateKey = c.PEM
	}
	if raw.WebhookSecret == "" {
		raw.WebhookSecret = c.WebhookSecret
	}
	return nil
}

// Setup is what the setup server (self-registration) needs, loaded when the
// GitHub App's credentials are missing.
type Setup struct {
	Addr         string
	PublicURL    string
	GitHubAPIURL string
	GitHubWebURL string
	DataDir      string
	// NeedsCredentials is set when no App ID, private key or webhook secret
	// is configured or stored: the server must register the app first.
	NeedsCredentials bool
}

// LoadSetup reads the settings like Load, including stored credentials, and
// reports whether the app must be registered first. It validates only what
// the setup server uses; Load validates the rest.
func LoadSetup(path string, lookup func(string) (string, bool)) (*Setup, error) {
	raw, err := loadRaw(path, lookup)
	if err != nil {
		return nil, err
	}
	s := &Setup{
		Addr:      orDefault(raw.Addr, DefaultAddr),
		PublicURL: strings.TrimSpace(raw.PublicURL),
		DataDir:   orDefault(raw.DataDir, DefaultDataDir),
		NeedsCredentials: raw.AppID == "" && raw.PrivateKey == "" && raw.PrivateKeyPath == "" &&
			raw.WebhookSecret == "",
	}
	if s.GitHubAPIURL, err = baseURL("CONVISO_GITHUB_API_URL", orDefault(raw.GitHubAPIURL, DefaultGitHubAPIURL)); err != nil {
		return nil, err
	}
	if s.GitHubWebURL, err = baseURL("CONVISO_GITHUB_WEB_URL", orDefault(raw.GitHubWebURL, DefaultGitHubWebURL)); err != nil {
		return nil, err
	}
	if err := publicURL(s.PublicURL); err != nil {
		return nil, err
	}
	return s, nil
}
