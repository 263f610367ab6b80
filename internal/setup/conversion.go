package setup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/conviso/conviso-github-app/config"
)

// maxConversionBytes bounds GitHub's answer to the code exchange.
const maxConversionBytes = 1 << 20

// convert exchanges a manifest code for the app's credentials with
// POST /app-manifests/{code}/conversions (no authentication: the one-time
// code is the credential).
func convert(ctx context.Context, client *http.Client, apiURL, code string) (config.Credentials, error) {
	var c config.Credentials
	u := apiURL + "app-manifests/" + url.PathEscape(code) + "/conversions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return c, fmt.Errorf("building the manifest conversion request: %w", err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	res, err := client.Do(req)
	if err != nil {
		return c, fmt.Errorf("manifest conversion: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxConversionBytes))
	if err != nil {
		return c, fmt.Errorf("manifest conversion: reading the answer: %w", err)
	}
	if res.StatusCode != http.StatusCreated {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &e)
		return c, fmt.Errorf("manifest conversion: GitHub answered %d %q (the code is valid once, for one hour: register again)",
			res.StatusCode, e.Message)
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, fmt.Errorf("manifest conversion: decoding the answer: %w", err)
	}
	if c.ID == 0 || c.PEM == "" || c.WebhookSecret == "" {
		return c, fmt.Errorf("manifest conversion: the answer lacks the app ID, private key or webhook secret")
	}
	return c, nil
}
