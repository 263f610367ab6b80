package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/conviso/conviso-github-app/internal/gatehistory"
)

// GateHistoryOptions are conviso gate history's inputs.
type GateHistoryOptions struct {
	// URL is the running app's base URL (CONVISO_URL when empty).
	URL string
	// Token is the operator token (CONVISO_ADMIN_TOKEN when empty).
	Token string
	// Repo, Status, Since, Until and Limit filter the history (see
	// GET /api/v1/gate/history); empty values do not filter.
	Repo, Status, Since, Until string
	Limit                      int
	// HTTPClient makes the request (http.DefaultClient when nil).
	HTTPClient *http.Client
	// Out receives the table.
	Out io.Writer
}

// GateHistory lists gate evaluations from a running app's operator API as
// a table, newest first. It returns ExitPass, or ExitError with the error.
func GateHistory(ctx context.Context, o GateHistoryOptions) (int, error) {
	base, token := cmpOrEnv(o.URL, "CONVISO_URL"), cmpOrEnv(o.Token, "CONVISO_ADMIN_TOKEN")
	if base == "" || token == "" {
		return ExitError, fmt.Errorf("set CONVISO_URL and CONVISO_ADMIN_TOKEN to the app's URL and operator token")
	}
	entries, err := fetchHistory(ctx, o, base, token)
	if err != nil {
		return ExitError, err
	}
	writeHistory(o.Out, entries)
	return ExitPass, nil
}

func cmpOrEnv(v, env string) string {
	if v != "" {
		return v
	}
	return os.Getenv(env)
}

// fetchHistory calls GET /api/v1/gate/history.
func fetchHistory(ctx context.Context, o GateHistoryOptions, base, token string) ([]gatehistory.Entry, error) {
	q := url.Values{}
	for k, v := range map[string]string{"repo": o.Repo, "status": o.Status, "since": o.Since, "until": o.Until} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.Limit > 0 {
		q.Set("limit", fmt.Sprint(o.Limit))
	}
	u := strings.TrimSuffix(base, "/") + "/api/v1/gate/history?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("gate history: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := o.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gate history: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Entries []gatehistory.Entry `json:"entries"`
		Error   string              `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("gate history: reading the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("gate history: HTTP %d: %s", resp.StatusCode, body.Error)
	}
	return body.Entries, nil
}

// writeHistory prints one row per evaluation: time, repository, pull
// request or ref, commit, status, rule, found/expected per severity and
// the first reason.
func writeHistory(w io.Writer, entries []gatehistory.Entry) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tREPOSITORY\tPR/REF\tCOMMIT\tSTATUS\tRULE\tFOUND/EXPECTED (C H M L)\tREASON")
	for _, e := range entries {
		where := e.Ref
		if e.PullRequest != 0 {
			where = fmt.Sprintf("#%d", e.PullRequest)
		}
		reason := e.Error
		if len(e.Reasons) > 0 {
			reason = e.Reasons[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), oneLine(e.Repo),
			oneLine(where), short(e.Commit), strings.ToUpper(string(e.Status)), e.Rule, counts(e), oneLine(reason))
	}
	_ = tw.Flush()
}

func short(sha string) string { return sha[:min(len(sha), 7)] }

// counts renders "1/0 2/5 0/- 0/-": found/expected per severity.
func counts(e gatehistory.Entry) string {
	parts := make([]string, 0, len(e.Counts))
	for _, c := range e.Counts {
		exp := "-"
		if c.Expected != nil {
			exp = fmt.Sprint(*c.Expected)
		}
		parts = append(parts, fmt.Sprintf("%d/%s", c.Found, exp))
	}
	return strings.Join(parts, " ")
}
