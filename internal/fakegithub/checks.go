package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CheckRun is a check run as the fake stores it.
type CheckRun struct {
	// ID is the check run ID.
	ID int64
	// Owner and Repo name its repository.
	Owner, Repo string
	// Name and HeadSHA are as created.
	Name, HeadSHA string
	// Status is queued, in_progress or completed; Conclusion is set once
	// completed.
	Status, Conclusion string
	// ExternalID and DetailsURL are as the app set them.
	ExternalID, DetailsURL string
	// StartedAt and CompletedAt are set by the app or by the fake
	// (CompletedAt when the run completes).
	StartedAt, CompletedAt time.Time
	// InstallationID is the installation whose token created it.
	InstallationID int64
	// Output is the latest title, summary and text.
	Output CheckRunOutput
	// Annotations accumulate across create and updates, as on GitHub.
	Annotations []Annotation
	// Actions are the requested-action buttons last set.
	Actions []CheckRunAction
	// Updates are the raw bodies of the create request and every update.
	Updates []json.RawMessage
}

// CheckRunOutput is a check run's output (annotations are kept apart);
// fields are GitHub's.
type CheckRunOutput struct {
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Text    string `json:"text"`
}

// Annotation is one check run annotation; fields are GitHub's.
type Annotation struct {
	Path            string `json:"path"`
	StartLine       int    `json:"start_line"`
	EndLine         int    `json:"end_line"`
	StartColumn     *int   `json:"start_column,omitempty"`
	EndColumn       *int   `json:"end_column,omitempty"`
	AnnotationLevel string `json:"annotation_level"`
	Message         string `json:"message"`
	Title           string `json:"title,omitempty"`
	RawDetails      string `json:"raw_details,omitempty"`
}

// CheckRunAction is a requested-action button; fields are GitHub's.
type CheckRunAction struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	Identifier  string `json:"identifier"`
}

// checkRunBody is the body of check run create and update requests.
type checkRunBody struct {
	Name        *string          `json:"name"`
	HeadSHA     string           `json:"head_sha"`
	DetailsURL  *string          `json:"details_url"`
	ExternalID  *string          `json:"external_id"`
	Status      *string          `json:"status"`
	Conclusion  *string          `json:"conclusion"`
	StartedAt   *time.Time       `json:"started_at"`
	CompletedAt *time.Time       `json:"completed_at"`
	Output      *checkRunOutput  `json:"output"`
	Actions     []CheckRunAction `json:"actions"`
}

type checkRunOutput struct {
	Title       *string      `json:"title"`
	Summary     *string      `json:"summary"`
	Text        *string      `json:"text"`
	Annotations []Annotation `json:"annotations"`
}

// checkLimits applies GitHub's documented limits to a create or update.
func checkLimits(b checkRunBody) string {
	if b.Status != nil && *b.Status == "completed" && b.Conclusion == nil {
		return "conclusion is required when status is completed"
	}
	if b.CompletedAt != nil && b.Conclusion == nil {
		return "conclusion is required when completed_at is set"
	}
	out := b.Output
	if out == nil {
		return ""
	}
	switch {
	case out.Title == nil:
		return "output.title is required when output is given"
	case out.Summary == nil:
		return "output.summary is required when output is given"
	case len(out.Annotations) > MaxAnnotationsPerRequest:
		return fmt.Sprintf("output.annotations has %d items; at most %d per request", len(out.Annotations), MaxAnnotationsPerRequest)
	case charLen(out.Summary) > MaxCheckRunTextLength:
		return fmt.Sprintf("output.summary is %d characters; at most %d", charLen(out.Summary), MaxCheckRunTextLength)
	case charLen(out.Text) > MaxCheckRunTextLength:
		return fmt.Sprintf("output.text is %d characters; at most %d", charLen(out.Text), MaxCheckRunTextLength)
	}
	return ""
}

func charLen(s *string) int {
	if s == nil {
		return 0
	}
	return len([]rune(*s))
}

// decodeCheckRun parses and checks a create or update body.
func (c *call) decodeCheckRun() (checkRunBody, *reply) {
	var b checkRunBody
	if err := json.Unmarshal(c.body, &b); err != nil {
		rep := errorReply(http.StatusBadRequest, "Problems parsing JSON", docsURL(c.route.Operation))
		return b, &rep
	}
	if msg := checkLimits(b); msg != "" {
		rep := c.unprocessable(msg)
		return b, &rep
	}
	return b, nil
}

// createCheckRun serves POST /repos/{owner}/{repo}/check-runs.
func (c *call) createCheckRun() reply {
	b, bad := c.decodeCheckRun()
	if bad != nil {
		return *bad
	}
	if c.refSHA(b.HeadSHA) == "" || len(b.HeadSHA) != 40 {
		return errorReply(http.StatusUnprocessableEntity, "No commit found for SHA: "+b.HeadSHA, docsURL(c.route.Operation))
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	run := &CheckRun{
		ID: s.st.id(), Owner: c.repo.owner, Repo: c.repo.name, HeadSHA: b.HeadSHA, Status: "queued",
		StartedAt: time.Now().UTC().Truncate(time.Second), InstallationID: c.inst.ID,
	}
	run.apply(b, c.body)
	s.st.checkRuns = append(s.st.checkRuns, run)
	return created(s.checkRunJSON(run))
}

// apply merges a create or update body into the run.
func (run *CheckRun) apply(b checkRunBody, raw []byte) {
	run.Updates = append(run.Updates, append(json.RawMessage(nil), raw...))
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&run.Name, b.Name)
	set(&run.DetailsURL, b.DetailsURL)
	set(&run.ExternalID, b.ExternalID)
	set(&run.Status, b.Status)
	if b.StartedAt != nil {
		run.StartedAt = b.StartedAt.UTC()
	}
	if b.Conclusion != nil {
		run.Conclusion, run.Status = *b.Conclusion, "completed"
	}
	if run.Status == "completed" && run.CompletedAt.IsZero() {
		run.CompletedAt = time.Now().UTC().Truncate(time.Second)
	}
	if b.CompletedAt != nil {
		run.CompletedAt = b.CompletedAt.UTC()
	}
	if b.Actions != nil {
		run.Actions = b.Actions
	}
	if o := b.Output; o != nil {
		set(&run.Output.Title, o.Title)
		set(&run.Output.Summary, o.Summary)
		set(&run.Output.Text, o.Text)
		run.Annotations = append(run.Annotations, o.Annotations...)
	}
}

// checkRunFromParam resolves {check_run_id} in the call's repository.
// Callers hold s.mu.
func (c *call) checkRunFromParam() *CheckRun {
	return byParam(c, "check_run_id", c.s.st.checkRuns, func(run *CheckRun) (int64, string) {
		return run.ID, run.Owner + "/" + run.Repo
	})
}

// updateCheckRun serves PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}.
func (c *call) updateCheckRun() reply {
	b, bad := c.decodeCheckRun()
	if bad != nil {
		return *bad
	}
	return withItem(c, c.checkRunFromParam, func(run *CheckRun) reply {
		run.apply(b, c.body)
		return ok(c.s.checkRunJSON(run))
	})
}

// getCheckRun serves GET /repos/{owner}/{repo}/check-runs/{check_run_id}.
func (c *call) getCheckRun() reply {
	return withItem(c, c.checkRunFromParam, func(run *CheckRun) reply { return ok(c.s.checkRunJSON(run)) })
}

// listCheckRunsForRef serves GET /repos/{owner}/{repo}/commits/{ref}/check-runs.
func (c *call) listCheckRunsForRef() reply {
	sha := c.refSHA(c.params["ref"])
	if sha == "" {
		return errorReply(http.StatusUnprocessableEntity, "No commit found for SHA: "+c.params["ref"], docsURL(c.route.Operation))
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, run := range s.st.checkRuns {
		if run.HeadSHA == sha && strings.EqualFold(run.Owner+"/"+run.Repo, c.repo.owner+"/"+c.repo.name) && c.matches(run) {
			items = append(items, s.checkRunJSON(run))
		}
	}
	total := len(items)
	return ok(map[string]any{"total_count": total, "check_runs": nonNil(pageOf(c, items))})
}

// matches applies the list's check_name, status and app_id filters.
func (c *call) matches(run *CheckRun) bool {
	if n := c.query.Get("check_name"); n != "" && n != run.Name {
		return false
	}
	if st := c.query.Get("status"); st != "" && st != run.Status {
		return false
	}
	if id := c.query.Get("app_id"); id != "" && id != strconv.FormatInt(c.s.app.ID, 10) {
		return false
	}
	return true
}

// checkRunJSON is GitHub's check-run object.
func (s *Server) checkRunJSON(run *CheckRun) map[string]any {
	full := run.Owner + "/" + run.Repo
	api := s.apiBase() + "/repos/" + full + "/check-runs/" + strconv.FormatInt(run.ID, 10)
	return map[string]any{
		"id": run.ID, "node_id": nodeID("CheckRun", run.ID), "head_sha": run.HeadSHA, "name": run.Name,
		"external_id": run.ExternalID, "url": api,
		"html_url":    htmlBase + "/" + full + "/runs/" + strconv.FormatInt(run.ID, 10),
		"details_url": nilIfEmpty(run.DetailsURL), "status": run.Status, "conclusion": nilIfEmpty(run.Conclusion),
		"started_at": tsOrNil(run.StartedAt), "completed_at": tsOrNil(run.CompletedAt),
		"output": map[string]any{
			"title": nilIfEmpty(run.Output.Title), "summary": nilIfEmpty(run.Output.Summary),
			"text": nilIfEmpty(run.Output.Text), "annotations_count": len(run.Annotations),
			"annotations_url": api + "/annotations",
		},
		"check_suite": map[string]any{"id": checkSuiteID(run.HeadSHA)}, "app": s.appJSON(),
		"pull_requests": s.pullsForSHA(full, run.HeadSHA),
	}
}

// checkSuiteID derives a stable check suite ID from the head SHA.
func checkSuiteID(sha string) int64 {
	n, _ := strconv.ParseInt(sha[:min(len(sha), 12)], 16, 64)
	return n%1_000_000_000 + 1
}

// pullsForSHA lists the open pull requests whose head is sha, as
// pull-request-minimal objects.
func (s *Server) pullsForSHA(fullName, sha string) []any {
	r := s.st.repos[strings.ToLower(fullName)]
	out := []any{}
	if r == nil {
		return out
	}
	for _, pr := range r.pulls {
		if pr.headSHA != sha || pr.state != "open" {
			continue
		}
		out = append(out, map[string]any{
			"id": pr.ID, "number": pr.Number, "url": s.apiBase() + "/repos/" + fullName + "/pulls/" + strconv.Itoa(pr.Number),
			"head": s.minimalRef(r, pr.Head, pr.headSHA), "base": s.minimalRef(r, pr.Base, pr.baseSHA),
		})
	}
	return out
}

func (s *Server) minimalRef(r *Repo, branch, sha string) map[string]any {
	return map[string]any{"ref": branch, "sha": sha, "repo": map[string]any{
		"id": r.ID, "url": s.apiBase() + "/repos/" + r.owner + "/" + r.name, "name": r.name,
	}}
}

// CheckRuns returns copies of the check runs created on owner/repo, in
// creation order, with their accumulated annotations and updates.
func (s *Server) CheckRuns(owner, repo string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, run := range s.st.checkRuns {
		if strings.EqualFold(run.Owner+"/"+run.Repo, owner+"/"+repo) {
			cp := *run
			cp.Annotations = append([]Annotation(nil), run.Annotations...)
			cp.Updates = append([]json.RawMessage(nil), run.Updates...)
			cp.Actions = append([]CheckRunAction(nil), run.Actions...)
			out = append(out, cp)
		}
	}
	return out
}
