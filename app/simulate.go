package app

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/simulate"
	"github.com/conviso/conviso-github-app/internal/store"
)

// maxCandidateBytes bounds a candidate policy's size.
const maxCandidateBytes = 1 << 20

// defaultSince is the replay window without since.
const defaultSince = 30 * 24 * time.Hour

// policyProblem is one problem of a broken candidate policy.
type policyProblem struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
}

// simulateHandler serves POST /api/v1/policy/simulate?repo=owner/name or
// ?org=ORG, &since=30d (a duration in days or hours, or a date): the
// candidate policy in the body replayed over the recent gate evaluations
// (see package simulate). The candidate is the repository file (repo) or
// the org file (org), above the server default. A broken candidate is a
// 400 listing every problem with its line and key.
func simulateHandler(cfg *config.Config, kv store.KV) http.HandlerFunc {
	history := &gatehistory.Store{KV: kv}
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		query, err := replayQuery(q, time.Now())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCandidateBytes))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "reading the candidate policy: " + err.Error()})
			return
		}
		f, err := policy.Parse("candidate.yml", body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "the candidate policy is invalid", "problems": problemsOf(err)})
			return
		}
		server, err := serverPolicy(cfg)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		org, repo := (*policy.File)(nil), f
		if query.Org != "" {
			org, repo = f, nil
		}
		p, _, mergeProblems := policy.Merge(server, org, repo)
		entries, truncated, err := simulate.Entries(r.Context(), history, query)
		if err == nil {
			var cases []simulate.Case
			if cases, err = simulate.Load(r.Context(), kv, entries); err == nil {
				rep := simulate.Replay(p, cases)
				for _, e := range mergeProblems {
					rep.Notes = append(rep.Notes, "candidate: "+e.Error())
				}
				if truncated {
					rep.Notes = append(rep.Notes, fmt.Sprintf("only the newest %d evaluations were replayed", gatehistory.MaxLimit))
				}
				writeJSON(w, http.StatusOK, rep)
				return
			}
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
	}
}

// replayQuery reads repo or org (one of them is required) and since.
func replayQuery(q url.Values, now time.Time) (simulate.Query, error) {
	query := simulate.Query{Repo: q.Get("repo"), Org: q.Get("org")}
	if (query.Repo == "") == (query.Org == "") {
		return query, errors.New("give either repo (owner/name) or org")
	}
	if strings.ContainsAny(query.Org, "/: ") {
		return query, fmt.Errorf("org: %q is not an organisation", query.Org)
	}
	var err error
	query.Since, err = parseSince(q.Get("since"), now)
	return query, err
}

// parseSince reads "30d", "12h" (back from now) or a date or RFC 3339
// time; "" is defaultSince back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now.Add(-defaultSince), nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d > 0 {
			return now.AddDate(0, 0, -d), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	t, err := parseWhen(s, false)
	if err != nil {
		return t, fmt.Errorf("since: %q is not a duration (30d, 12h), a date (2026-11-01) or an RFC 3339 time", s)
	}
	return t, nil
}

// problemsOf lists a parse error's problems.
func problemsOf(err error) []policyProblem {
	var ve *policy.ValidationError
	if errors.As(err, &ve) {
		out := make([]policyProblem, len(ve.Errors))
		for i, e := range ve.Errors {
			out[i] = policyProblem{Line: e.Pos.Line, Column: e.Pos.Column, Key: e.Path, Message: e.Msg}
		}
		return out
	}
	var pe *policy.Error
	if errors.As(err, &pe) {
		return []policyProblem{{Line: pe.Pos.Line, Column: pe.Pos.Column, Key: pe.Path, Message: pe.Msg}}
	}
	return []policyProblem{{Message: err.Error()}}
}

// TopRule is one rule's share of the gate's blocks.
type TopRule struct {
	Rule           string   `json:"rule"`
	Repositories   []string `json:"repositories"`
	Blocks         int      `json:"blocks"`
	FalsePositives int      `json:"false_positives"`
}

// topRulesHandler serves GET /api/v1/gate/top-rules?since=30d[&org=ORG]:
// per rule, the evaluations its findings blocked, in which repositories,
// and the false-positive exceptions filed against it, most blocks first.
func topRulesHandler(kv store.KV) http.HandlerFunc {
	history := &gatehistory.Store{KV: kv}
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		since, err := parseSince(q.Get("since"), time.Now())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		entries, truncated, err := simulate.Entries(r.Context(), history, simulate.Query{Org: q.Get("org"), Since: since})
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		rules, fp, err := topRules(r, kv, entries, q.Get("org"))
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		for i := range rules {
			rules[i].FalsePositives = fp[rules[i].Rule]
		}
		writeJSON(w, http.StatusOK, map[string]any{"rules": rules, "evaluations": len(entries), "truncated": truncated})
	}
}

// topRules counts blocks per rule over entries, and the false-positive
// exceptions of the repositories concerned (every repository without org).
func topRules(r *http.Request, kv store.KV, entries []gatehistory.Entry, org string) ([]TopRule, map[string]int, error) {
	byRule := map[string]*TopRule{}
	repoIDs := map[int64]bool{}
	for _, e := range entries {
		if e.RepoID != 0 {
			repoIDs[e.RepoID] = true
		}
		if !e.Blocks() {
			continue
		}
		for _, rule := range e.BlockingRules {
			t := byRule[rule]
			if t == nil {
				t = &TopRule{Rule: rule}
				byRule[rule] = t
			}
			t.Blocks++
			if !slices.Contains(t.Repositories, e.Repo) {
				t.Repositories = append(t.Repositories, e.Repo)
			}
		}
	}
	out := make([]TopRule, 0, len(byRule))
	for _, t := range byRule {
		slices.Sort(t.Repositories)
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b TopRule) int { return cmp.Or(cmp.Compare(b.Blocks, a.Blocks), cmp.Compare(a.Rule, b.Rule)) })
	fp := map[string]int{}
	if org == "" {
		all, err := exceptions.FalsePositivesByRule(r.Context(), kv, 0)
		return out, all, wrapFP(err)
	}
	for id := range repoIDs {
		counts, err := exceptions.FalsePositivesByRule(r.Context(), kv, id)
		if err != nil {
			return nil, nil, wrapFP(err)
		}
		for rule, n := range counts {
			fp[rule] += n
		}
	}
	return out, fp, nil
}

func wrapFP(err error) error {
	if err != nil {
		return fmt.Errorf("counting false-positive exceptions: %w", err)
	}
	return nil
}
