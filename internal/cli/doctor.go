package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/conviso/conviso-github-app/internal/health"
)

// DoctorOptions are conviso doctor's inputs.
type DoctorOptions struct {
	// URL is the running app's base URL (CONVISO_URL when empty).
	URL string
	// Token is the operator token (CONVISO_ADMIN_TOKEN when empty).
	Token string
	// HTTPClient makes the request (a 60 s client when nil).
	HTTPClient *http.Client
	// Out receives the table.
	Out io.Writer
}

// Doctor asks a running app for its health report (GET /api/v1/health)
// and prints it as a table. It returns ExitPass when no check failed,
// ExitBlock when one did, and ExitError with the error when it cannot ask.
func Doctor(ctx context.Context, o DoctorOptions) (int, error) {
	base, token := cmpOrEnv(o.URL, "CONVISO_URL"), cmpOrEnv(o.Token, "CONVISO_ADMIN_TOKEN")
	if base == "" || token == "" {
		return ExitError, fmt.Errorf("set CONVISO_URL and CONVISO_ADMIN_TOKEN to the app's URL and operator token")
	}
	rep, err := fetchHealth(ctx, o.HTTPClient, base, token)
	if err != nil {
		return ExitError, err
	}
	writeHealth(o.Out, rep)
	if rep.Failed() {
		return ExitBlock, nil
	}
	return ExitPass, nil
}

// fetchHealth calls GET /api/v1/health.
func fetchHealth(ctx context.Context, client *http.Client, base, token string) (health.Report, error) {
	var rep health.Report
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/api/v1/health", nil)
	if err != nil {
		return rep, fmt.Errorf("doctor: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return rep, fmt.Errorf("doctor: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return rep, fmt.Errorf("doctor: reading the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return rep, fmt.Errorf("doctor: HTTP %d: %s", resp.StatusCode, e.Error)
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		return rep, fmt.Errorf("doctor: decoding the report: %w", err)
	}
	if len(rep.Checks) == 0 {
		return rep, fmt.Errorf("doctor: the app answered no checks")
	}
	return rep, nil
}

// writeHealth prints one row per check, then the overall status.
func writeHealth(w io.Writer, rep health.Report) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL\tWHAT TO DO")
	for _, c := range rep.Checks {
		action := c.Action
		if action == "" {
			action = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", oneLine(c.Name), strings.ToUpper(string(c.Status)), oneLine(c.Detail), oneLine(action))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nhealth: %s\n", strings.ToUpper(string(rep.Status)))
}
