package health

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// Check names of the GitHub checks.
const (
	NameJWT           = "github_app_jwt"
	NameInstallations = "installation_tokens"
	NameDeliveries    = "webhook_deliveries"
)

// maxDeliveryPages bounds the delivery log walk (100 per page).
const maxDeliveryPages = 50

// keyAction is the advice when GitHub rejects the app's JWT.
const keyAction = "Check CONVISO_GITHUB_APP_ID and the private key (CONVISO_GITHUB_PRIVATE_KEY[_PATH]): " +
	"the key must be a current key of this app (GitHub App settings → Private keys; generate a new one if it was " +
	"revoked) and the server clock must be correct (NTP)."

// checkJWT asks GET /app with the app JWT.
func checkJWT(ctx context.Context, d Deps, _ time.Time) Check {
	c := Check{Name: NameJWT}
	if d.GitHub == nil {
		return c.warn("no GitHub client configured", "")
	}
	client, err := d.GitHub.NewAppClient()
	if err != nil {
		return c.fail(fmt.Sprintf("cannot create the app client: %v", err), keyAction)
	}
	app, _, err := client.Apps.Get(ctx, "")
	if err != nil {
		if status(err) == http.StatusUnauthorized {
			return c.fail(fmt.Sprintf("GitHub rejected the app JWT: %v", err), keyAction)
		}
		return c.fail(fmt.Sprintf("GET /app failed: %v", err), "Check that GitHub (CONVISO_GITHUB_API_URL) is reachable from the server.")
	}
	return c.pass(fmt.Sprintf("app %q (ID %d) accepted the JWT", app.GetSlug(), app.GetID()))
}

// checkInstallations lists the installations and obtains a token for
// each with one cheap call (GET /installation/repositories?per_page=1).
func checkInstallations(ctx context.Context, d Deps, _ time.Time) Check {
	c := Check{Name: NameInstallations}
	if d.GitHub == nil {
		return c.warn("no GitHub client configured", "")
	}
	client, err := d.GitHub.NewAppClient()
	if err != nil {
		return c.fail(fmt.Sprintf("cannot create the app client: %v", err), keyAction)
	}
	insts, err := listInstallations(ctx, client)
	if err != nil {
		return c.fail(fmt.Sprintf("cannot list installations: %v", err), keyAction)
	}
	if len(insts) == 0 {
		return c.warn("the app has no installations", "Install the app on an organisation or account (GitHub App settings → Install App).")
	}
	var failed, suspended []string
	for _, inst := range insts {
		who := fmt.Sprintf("%s (%d)", inst.GetAccount().GetLogin(), inst.GetID())
		if inst.SuspendedAt != nil {
			suspended = append(suspended, who)
			continue
		}
		if err := tryToken(ctx, d, inst.GetID()); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", who, err))
		}
	}
	ok := len(insts) - len(failed) - len(suspended)
	detail := fmt.Sprintf("%d of %d installation(s) obtained a token", ok, len(insts))
	switch {
	case len(failed) > 0:
		return c.fail(detail+"; failed: "+strings.Join(failed, "; "),
			"Check the installation's permissions and that it is not restricted; reinstall the app on that account if it persists.")
	case len(suspended) > 0:
		return c.warn(detail+"; suspended: "+strings.Join(suspended, ", "),
			"Unsuspend the app on those accounts (Settings → GitHub Apps → Configure) or uninstall it.")
	}
	return c.pass(detail)
}

// listInstallations pages through GET /app/installations.
func listInstallations(ctx context.Context, client *github.Client) ([]*github.Installation, error) {
	var all []*github.Installation
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := client.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("GET /app/installations: %w", err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

// tryToken obtains an installation token through the client creator and
// uses it once.
func tryToken(ctx context.Context, d Deps, id int64) error {
	client, err := d.GitHub.NewInstallationClient(id)
	if err != nil {
		return fmt.Errorf("creating the client: %w", err)
	}
	if _, _, err := client.Apps.ListRepos(ctx, &github.ListOptions{PerPage: 1}); err != nil {
		return fmt.Errorf("using the token: %w", err)
	}
	return nil
}

// checkDeliveries computes the failed share of webhook deliveries over
// DeliveryWindow from GET /app/hook/deliveries.
func checkDeliveries(ctx context.Context, d Deps, now time.Time) Check {
	c := Check{Name: NameDeliveries}
	if d.GitHub == nil {
		return c.warn("no GitHub client configured", "")
	}
	client, err := d.GitHub.NewAppClient()
	if err != nil {
		return c.fail(fmt.Sprintf("cannot create the app client: %v", err), keyAction)
	}
	total, failed, err := countDeliveries(ctx, client, now.Add(-DeliveryWindow))
	if err != nil {
		return c.warn(fmt.Sprintf("cannot read the delivery log: %v", err), "Check that the app has a webhook configured and GitHub is reachable.")
	}
	if total == 0 {
		return c.pass("no deliveries in the last 24 h")
	}
	rate := float64(failed) / float64(total)
	detail := fmt.Sprintf("%d of %d deliveries failed in the last 24 h (%.1f%%)", failed, total, rate*100)
	const action = "Check that the webhook URL reaches this server (GitHub App settings → Advanced → Recent Deliveries), " +
		"the webhook secret matches CONVISO_GITHUB_WEBHOOK_SECRET and the store accepts jobs; failed deliveries are redelivered every 5 minutes."
	switch {
	case rate > DeliveryFailRate:
		return c.fail(detail, action)
	case rate > DeliveryWarnRate:
		return c.warn(detail, action)
	}
	return c.pass(detail)
}

// countDeliveries walks the delivery log (newest first, cursor paginated)
// back to since.
func countDeliveries(ctx context.Context, client *github.Client, since time.Time) (total, failed int, err error) {
	opts := &github.ListCursorOptions{PerPage: 100}
	for range maxDeliveryPages {
		page, resp, err := client.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			return 0, 0, fmt.Errorf("GET /app/hook/deliveries: %w", err)
		}
		for _, d := range page {
			if d.GetDeliveredAt().Time.Before(since) {
				return total, failed, nil
			}
			total++
			if code := d.GetStatusCode(); code < 200 || code > 299 {
				failed++
			}
		}
		if resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	return total, failed, nil
}

// status returns the HTTP status of a go-github error, or 0.
func status(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

func (c Check) pass(detail string) Check {
	c.Status, c.Detail = Pass, detail
	return c
}

func (c Check) warn(detail, action string) Check {
	c.Status, c.Detail, c.Action = Warn, detail, action
	return c
}

func (c Check) fail(detail, action string) Check {
	c.Status, c.Detail, c.Action = Fail, detail, action
	return c
}
