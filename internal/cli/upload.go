package cli

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// UploadArgs are conviso upload's inputs; empty fields default from the
// GitHub Actions environment (GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_REF).
type UploadArgs struct {
	SARIFPath string
	// AppURL is the app's public URL (CONVISO_URL).
	AppURL   string
	Repo     string // owner/name
	Commit   string
	Ref      string
	Category string
	// Token is a repository upload token (CONVISO_TOKEN); without one, the
	// GitHub Actions OIDC token is requested for Audience.
	Token    string
	Audience string
	Env      func(string) string
	Client   *http.Client
	Out      io.Writer
}

// uploadTimeout bounds one upload.
const uploadTimeout = 2 * time.Minute

// Upload sends SARIF to the app's upload API: exit 0 when it was accepted,
// 1 when the app refused it (the reason is printed), 2 on other errors.
func Upload(ctx context.Context, a UploadArgs) (int, error) {
	a = a.withDefaults()
	if a.AppURL == "" || a.Repo == "" || a.Commit == "" || a.Ref == "" {
		return ExitError, fmt.Errorf("need the app URL (CONVISO_URL), --repo, --commit and --ref (or run in GitHub Actions)")
	}
	token, err := a.token(ctx)
	if err != nil {
		return ExitError, err
	}
	body, err := gzipFile(a.SARIFPath)
	if err != nil {
		return ExitError, err
	}
	q := url.Values{"commit_sha": {a.Commit}, "ref": {a.Ref}}
	if a.Category != "" {
		q.Set("category", a.Category)
	}
	endpoint := strings.TrimSuffix(a.AppURL, "/") + "/api/v1/repos/" + a.Repo + "/sarif?" + q.Encode()
	ctx, cancel := context.WithTimeout(ctx, uploadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, body)
	if err != nil {
		return ExitError, fmt.Errorf("building the upload: %w", err)
	}
	req.Header.Set("Content-Type", "application/sarif+json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.Client.Do(req)
	if err != nil {
		return ExitError, fmt.Errorf("uploading: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	fmt.Fprintf(a.Out, "%s %s\n", resp.Status, strings.TrimSpace(string(msg)))
	if resp.StatusCode != http.StatusAccepted {
		return ExitBlock, nil
	}
	return ExitPass, nil
}

func (a UploadArgs) withDefaults() UploadArgs {
	if a.Env == nil {
		a.Env = os.Getenv
	}
	if a.Client == nil {
		a.Client = http.DefaultClient
	}
	def := func(v *string, env string) {
		if *v == "" {
			*v = a.Env(env)
		}
	}
	def(&a.AppURL, "CONVISO_URL")
	def(&a.Repo, "GITHUB_REPOSITORY")
	def(&a.Commit, "GITHUB_SHA")
	def(&a.Ref, "GITHUB_REF")
	def(&a.Token, "CONVISO_TOKEN")
	if a.Audience == "" {
		a.Audience = "conviso"
	}
	return a
}

// token is the repository token, or a GitHub Actions OIDC token
// (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect).
func (a UploadArgs) token(ctx context.Context) (string, error) {
	if a.Token != "" {
		return a.Token, nil
	}
	reqURL, reqToken := a.Env("ACTIONS_ID_TOKEN_REQUEST_URL"), a.Env("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	if reqURL == "" || reqToken == "" {
		return "", fmt.Errorf("no credentials: set CONVISO_TOKEN, or run in GitHub Actions with permissions: id-token: write")
	}
	u, err := url.Parse(reqURL)
	if err != nil {
		return "", fmt.Errorf("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: %w", err)
	}
	q := u.Query()
	q.Set("audience", a.Audience)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("requesting the OIDC token: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+reqToken)
	resp, err := a.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting the OIDC token: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Value string `json:"value"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil || body.Value == "" {
		return "", fmt.Errorf("requesting the OIDC token: GitHub answered %s", resp.Status)
	}
	return body.Value, nil
}

// gzipFile streams path through gzip.
func gzipFile(path string) (io.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	pr, pw := io.Pipe()
	go func() {
		defer f.Close()
		zw := gzip.NewWriter(pw)
		_, err := io.Copy(zw, f)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}
