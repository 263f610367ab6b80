package ghclient

import (
	"cmp"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
)

// Config is what NewClientCreator needs to act as the GitHub App. Zero
// values of optional fields take the defaults named on each.
type Config struct {
	// V3APIURL is the REST API root, e.g. "https://api.github.com/" or
	// "https://ghe.example.com/api/v3/". Empty means DefaultV3APIURL.
	V3APIURL string
	// V4APIURL is the GraphQL endpoint. Empty means derived from V3APIURL:
	// https://api.github.com/graphql for github.com, HOST/api/graphql for
	// an Enterprise Server root ending in /api/v3, else V3APIURL + "graphql".
	V4APIURL string
	// AppID is the GitHub App's ID. Required.
	AppID int64
	// PrivateKeyPEM is the App's PEM-encoded RSA private key (PKCS #1 or
	// PKCS #8). Required.
	PrivateKeyPEM []byte
	// WebhookSecret is carried into GitHubAppConfig for the webhook
	// dispatcher; the clients do not use it.
	WebhookSecret string
	// UserAgent is the base User-Agent; go-githubapp appends the
	// installation. Empty means DefaultUserAgent.
	UserAgent string
	// Timeout bounds one API call, retries and waits included. Zero means
	// DefaultTimeout. A rate-limit wait that would outlast it is not taken.
	Timeout time.Duration
	// MaxRetries is RetryOptions.MaxRetries: zero means DefaultMaxRetries,
	// negative disables retries.
	MaxRetries int
	// MaxRetryWait is RetryOptions.MaxRetryWait. Zero means
	// DefaultMaxRetryWait.
	MaxRetryWait time.Duration
}

// normalized returns c with defaults applied and URLs canonicalised, or an
// error naming the first invalid field. Errors never quote the key.
func (c Config) normalized() (Config, error) {
	if c.AppID <= 0 {
		return c, errors.New("ghclient: config: AppID must be a positive GitHub App ID")
	}
	if err := checkPrivateKey(c.PrivateKeyPEM); err != nil {
		return c, fmt.Errorf("ghclient: config: PrivateKeyPEM: %w", err)
	}
	if c.Timeout < 0 || c.MaxRetryWait < 0 {
		return c, errors.New("ghclient: config: Timeout and MaxRetryWait must not be negative")
	}
	var err error
	if c.V3APIURL, err = normalizeV3URL(c.V3APIURL); err != nil {
		return c, fmt.Errorf("ghclient: config: V3APIURL: %w", err)
	}
	if c.V4APIURL, err = normalizeV4URL(c.V4APIURL, c.V3APIURL); err != nil {
		return c, fmt.Errorf("ghclient: config: V4APIURL: %w", err)
	}
	c.UserAgent = cmp.Or(strings.TrimSpace(c.UserAgent), DefaultUserAgent)
	c.Timeout = cmp.Or(c.Timeout, DefaultTimeout)
	c.MaxRetryWait = cmp.Or(c.MaxRetryWait, DefaultMaxRetryWait)
	return c, nil
}

// GitHubAppConfig returns the go-githubapp configuration equivalent to c,
// with defaults applied, for the parts of go-githubapp (such as the event
// dispatcher) that take one.
func (c Config) GitHubAppConfig() (githubapp.Config, error) {
	n, err := c.normalized()
	if err != nil {
		return githubapp.Config{}, err
	}
	var gc githubapp.Config
	gc.V3APIURL = n.V3APIURL
	gc.V4APIURL = n.V4APIURL
	gc.App.IntegrationID = n.AppID
	gc.App.PrivateKey = string(n.PrivateKeyPEM)
	gc.App.WebhookSecret = n.WebhookSecret
	return gc, nil
}

// checkPrivateKey fails fast on a key that ghinstallation would reject on
// every client creation. It reports the problem, never the key.
func checkPrivateKey(pemBytes []byte) error {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return errors.New("not PEM-encoded")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return errors.New("not a PKCS #1 or PKCS #8 private key")
	}
	if _, ok := key.(*rsa.PrivateKey); !ok {
		return errors.New("not an RSA key (GitHub Apps sign with RS256)")
	}
	return nil
}

// normalizeV3URL defaults, validates and adds the trailing slash that
// go-github requires of a BaseURL.
func normalizeV3URL(raw string) (string, error) {
	u, err := parseAPIURL(cmp.Or(strings.TrimSpace(raw), DefaultV3APIURL))
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}

// normalizeV4URL validates raw, or derives the GraphQL endpoint from the
// normalised v3 root when raw is empty. The result has no trailing slash.
func normalizeV4URL(raw, v3 string) (string, error) {
	if raw = strings.TrimSpace(raw); raw != "" {
		u, err := parseAPIURL(raw)
		if err != nil {
			return "", err
		}
		return strings.TrimSuffix(u.String(), "/"), nil
	}
	u, err := url.Parse(v3)
	if err != nil {
		return "", fmt.Errorf("deriving from V3APIURL: %w", err)
	}
	root := strings.TrimSuffix(u.Path, "/")
	switch {
	case strings.EqualFold(u.Host, githubDotComAPIHost):
		u.Path = graphQLPath
	case strings.HasSuffix(root, enterpriseV3Path):
		u.Path = strings.TrimSuffix(root, enterpriseV3Path) + enterpriseV4Path
	default:
		u.Path = root + graphQLPath
	}
	return u.String(), nil
}

// parseAPIURL accepts absolute http(s) URLs without query or fragment.
func parseAPIURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q must not carry a query, fragment or credentials", u.Redacted())
	}
	return u, nil
}
