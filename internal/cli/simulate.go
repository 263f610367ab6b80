package cli

import (
	"bytes"
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

	"github.com/conviso/conviso-github-app/internal/simulate"
)

// APIOptions say how to reach a running app's operator API.
type APIOptions struct {
	// URL is the app's base URL (CONVISO_URL when empty).
	URL string
	// Token is the operator token (CONVISO_ADMIN_TOKEN when empty).
	Token string
	// HTTPClient makes the request (a 30-second client when nil).
	HTTPClient *http.Client
	// Out receives the table.
	Out io.Writer
}

// SimulateOptions are conviso policy simulate's inputs.
type SimulateOptions struct {
	APIOptions
	// PolicyPath is the candidate policy file (required).
	PolicyPath string
	// Repo or Org selects the evaluations replayed; Since bounds them (30d).
	Repo, Org, Since string
}

// PolicySimulate replays recent gate evaluations against a candidate
// policy through POST /api/v1/policy/simulate and prints the comparison.
// It returns ExitPass, or ExitError with the error (a broken candidate's
// problems are in the error, one per line).
func PolicySimulate(ctx context.Context, o SimulateOptions) (int, error) {
	body, err := os.ReadFile(o.PolicyPath)
	if err != nil {
		return ExitError, fmt.Errorf("reading the candidate policy: %w", err)
	}
	q := url.Values{}
	for k, v := range map[string]string{"repo": o.Repo, "org": o.Org, "since": o.Since} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var rep simulate.Report
	if err := callAPI(ctx, o.APIOptions, http.MethodPost, "/api/v1/policy/simulate?"+q.Encode(), body, &rep); err != nil {
		return ExitError, fmt.Errorf("policy simulate: %w", err)
	}
	writeSimulation(o.Out, rep)
	return ExitPass, nil
}

// TopRulesOptions are conviso gate top-rules' inputs.
type TopRulesOptions struct {
	APIOptions
	// Since bounds the evaluations counted (30d); Org keeps one owner.
	Since, Org string
}

// GateTopRules lists the rules whose findings blocked most, with the
// false-positive exceptions filed against them, through
// GET /api/v1/gate/top-rules. It returns ExitPass, or ExitError.
func GateTopRules(ctx context.Context, o TopRulesOptions) (int, error) {
	q := url.Values{}
	for k, v := range map[string]string{"org": o.Org, "since": o.Since} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var body struct {
		Rules []struct {
			Rule           string   `json:"rule"`
			Repositories   []string `json:"repositories"`
			Blocks         int      `json:"blocks"`
			FalsePositives int      `json:"false_positives"`
		} `json:"rules"`
		Evaluations int  `json:"evaluations"`
		Truncated   bool `json:"truncated"`
	}
	if err := callAPI(ctx, o.APIOptions, http.MethodGet, "/api/v1/gate/top-rules?"+q.Encode(), nil, &body); err != nil {
		return ExitError, fmt.Errorf("gate top-rules: %w", err)
	}
	tw := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tBLOCKS\tFALSE POSITIVES\tREPOSITORIES")
	for _, r := range body.Rules {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", oneLine(r.Rule), r.Blocks, r.FalsePositives, oneLine(strings.Join(r.Repositories, ", ")))
	}
	_ = tw.Flush()
	fmt.Fprintf(o.Out, "\n%d evaluations", body.Evaluations)
	if body.Truncated {
		fmt.Fprint(o.Out, " (the newest only: narrow the window)")
	}
	fmt.Fprintln(o.Out)
	return ExitPass, nil
}

// callAPI sends one request to the operator API and decodes the JSON
// answer into out; a non-200 answer is an error with its message and
// problems.
func callAPI(ctx context.Context, o APIOptions, method, path string, body []byte, out any) error {
	base, token := cmpOrEnv(o.URL, "CONVISO_URL"), cmpOrEnv(o.Token, "CONVISO_ADMIN_TOKEN")
	if base == "" || token == "" {
		return fmt.Errorf("set CONVISO_URL and CONVISO_ADMIN_TOKEN to the app's URL and operator token")
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(base, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/yaml")
	}
	client := o.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error    string `json:"error"`
			Problems []struct {
				Line    int    `json:"line"`
				Key     string `json:"key"`
				Message string `json:"message"`
			} `json:"problems"`
		}
		_ = json.Unmarshal(b, &e)
		msg := fmt.Sprintf("HTTP %d: %s", resp.StatusCode, e.Error)
		for _, p := range e.Problems {
			msg += fmt.Sprintf("\n  line %d: %s: %s", p.Line, p.Key, p.Message)
		}
		return fmt.Errorf("%s", msg)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	return nil
}

// writeSimulation prints the block rates, per repository and overall,
// the drivers and the flipped evaluations.
func writeSimulation(w io.Writer, rep simulate.Report) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tEVALUATIONS\tBLOCKED NOW\tBLOCKED WITH CANDIDATE")
	row := func(name string, r simulate.Rate) {
		fmt.Fprintf(tw, "%s\t%d\t%d (%.0f%%)\t%d (%.0f%%)\n", oneLine(name), r.Cases, r.BlockedNow, 100*r.RateNow,
			r.BlockedCandidate, 100*r.RateCandidate)
	}
	for _, r := range rep.Repositories {
		row(r.Repo, r.Rate)
	}
	row("(all)", rep.Overall)
	_ = tw.Flush()
	fmt.Fprintf(w, "\nnot replayable: %d\n", rep.NotReplayable)
	for why, n := range rep.Skipped {
		fmt.Fprintf(w, "  %d: %s\n", n, why)
	}
	if len(rep.Drivers) > 0 {
		fmt.Fprintln(w, "\ndrivers:")
		for _, d := range rep.Drivers {
			fmt.Fprintf(w, "  %s\n", oneLine(d.String()))
		}
	}
	if len(rep.Flipped) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tREPOSITORY\tPR\tCOMMIT\tNOW\tCANDIDATE\tDRIVERS")
		for _, f := range rep.Flipped {
			pr := "-"
			if f.PullRequest != 0 {
				pr = fmt.Sprintf("#%d", f.PullRequest)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.At.UTC().Format(time.RFC3339), oneLine(f.Repo), pr, short(f.Commit),
				f.Outcome, f.Candidate, oneLine(strings.Join(f.Drivers, ", ")))
		}
		_ = tw.Flush()
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", oneLine(n))
	}
}
