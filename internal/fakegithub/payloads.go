package fakegithub

import (
	"strconv"
	"strings"
	"time"
)

// Webhook payload builders. Each builds the payload from the fake's state,
// validates it against GitHub's schema for the event and action (failing
// the test if it does not validate) and returns it for Deliver.

// envelope holds the fields every repository event carries: repository,
// installation, sender and, for organizations, organization. Callers hold
// s.mu.
func (s *Server) envelope(r *Repo, action, sender string) map[string]any {
	m := map[string]any{"repository": s.repoJSON(r), "sender": s.login(sender)}
	if action != "" {
		m["action"] = action
	}
	if r.installationID != 0 {
		m["installation"] = map[string]any{"id": r.installationID, "node_id": nodeID("Installation", r.installationID)}
	}
	if org := s.st.user(r.owner, ""); org.Type == "Organization" {
		m["organization"] = s.orgJSON(org)
	}
	return m
}

// orgJSON is the webhooks' organization-simple object.
func (s *Server) orgJSON(org *User) map[string]any {
	api := s.apiBase() + "/orgs/" + org.Login
	return map[string]any{
		"login": org.Login, "id": org.ID, "node_id": nodeID("Organization", org.ID), "url": api,
		"repos_url": api + "/repos", "events_url": api + "/events", "hooks_url": api + "/hooks",
		"issues_url": api + "/issues", "members_url": api + "/members{/member}",
		"public_members_url": api + "/public_members{/member}", "description": nil,
		"avatar_url": "https://avatars.githubusercontent.com/u/" + strconv.FormatInt(org.ID, 10) + "?v=4",
	}
}

// PullRequestEvent builds a pull_request event: action is "opened",
// "synchronize" (before is the head before the last Commit to the head
// branch), "reopened", "ready_for_review", "closed" or "edited" (changes
// from the last Edit).
func (s *Server) PullRequestEvent(pr *PullRequest, action string) Webhook {
	s.t.Helper()
	s.mu.Lock()
	base, head := pr.baseSHA, pr.headSHA
	s.mu.Unlock()
	stats, err := pullStats(pr.Repo.git, base, head)
	if err != nil {
		s.t.Fatalf("fakegithub: pull request stats: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.envelope(pr.Repo, action, pr.Author)
	body := s.pullJSON(pr)
	for k, v := range stats {
		body[k] = v
	}
	m["number"], m["pull_request"] = pr.Number, body
	switch action {
	case "synchronize":
		m["before"], m["after"] = pr.prevHeadSHA, pr.headSHA
	case "edited":
		m["changes"] = pr.changes()
	}
	return s.mustValid(Webhook{Event: "pull_request", Action: action, Payload: m})
}

// changes is the "edited" event's changes from the last Edit.
func (pr *PullRequest) changes() map[string]any {
	ch := map[string]any{}
	if pr.oldTitle != nil && *pr.oldTitle != pr.title {
		ch["title"] = map[string]any{"from": *pr.oldTitle}
	}
	if pr.oldBody != nil && *pr.oldBody != pr.body {
		ch["body"] = map[string]any{"from": *pr.oldBody}
	}
	return ch
}

// IssueCommentEvent builds an issue_comment event ("created" or "edited",
// whose changes come from the comment's last edit) for a comment on a pull
// request or issue of repo.
func (s *Server) IssueCommentEvent(repo *Repo, comment Comment, action string) Webhook {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.envelope(repo, action, comment.Author)
	m["issue"] = s.issueJSON(repo, comment.IssueNumber)
	cm := s.commentJSON(&comment)
	m["comment"] = cm
	if action == "edited" && len(comment.Edits) > 0 {
		m["changes"] = map[string]any{"body": map[string]any{"from": comment.Edits[len(comment.Edits)-1]}}
	} else if action == "edited" {
		m["changes"] = map[string]any{}
	}
	return s.mustValid(Webhook{Event: "issue_comment", Action: action, Payload: m})
}

// issueJSON is the issue (or a pull request seen as an issue) of an
// issue_comment event.
func (s *Server) issueJSON(r *Repo, n int) map[string]any {
	full := r.owner + "/" + r.name
	api := s.apiBase() + "/repos/" + full
	num := strconv.Itoa(n)
	self := api + "/issues/" + num
	m := map[string]any{
		"url": self, "repository_url": api, "labels_url": self + "/labels{/name}", "comments_url": self + "/comments",
		"events_url": self + "/events", "html_url": htmlBase + "/" + full + "/issues/" + num, "number": n,
		"assignees": []any{}, "assignee": nil, "milestone": nil, "comments": s.commentCount(full, n), "labels": []any{},
		"created_at": ts(epoch), "updated_at": ts(epoch), "closed_at": nil, "author_association": "NONE",
		"active_lock_reason": nil, "body": nil, "locked": false, "state": "open",
		"reactions": map[string]any{"url": self + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
			"confused": 0, "heart": 0, "hooray": 0, "eyes": 0, "rocket": 0},
	}
	if pr := r.pulls[n]; pr != nil {
		m["id"], m["node_id"], m["title"], m["user"] = pr.ID, nodeID("Issue", pr.ID), pr.title, s.login(pr.Author)
		m["state"], m["created_at"], m["updated_at"] = pr.state, ts(pr.createdAt), ts(pr.updatedAt)
		m["html_url"] = htmlBase + "/" + full + "/pull/" + num
		m["pull_request"] = map[string]any{"url": api + "/pulls/" + num, "html_url": m["html_url"],
			"diff_url": m["html_url"].(string) + ".diff", "patch_url": m["html_url"].(string) + ".patch", "merged_at": nil}
	} else if is := r.issues[n]; is != nil {
		m["id"], m["node_id"], m["title"], m["user"] = is.ID, nodeID("Issue", is.ID), is.Title, s.login(is.Author)
	} else {
		s.t.Fatalf("fakegithub: %s has no issue or pull request #%d", full, n)
	}
	return m
}

func (s *Server) commentCount(fullName string, n int) int {
	count := 0
	for _, cm := range s.st.comments {
		if strings.EqualFold(cm.Owner+"/"+cm.Repo, fullName) && cm.IssueNumber == n {
			count++
		}
	}
	return count
}

// CheckRunEvent builds a check_run event for a run the app created:
// "rerequested", or "requested_action" with the action's identifier.
func (s *Server) CheckRunEvent(run CheckRun, action, identifier, sender string) Webhook {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.repos[repoKey(run.Owner, run.Repo)]
	if r == nil {
		s.t.Fatalf("fakegithub: no repository %s/%s", run.Owner, run.Repo)
	}
	m := s.envelope(r, action, sender)
	cr := s.checkRunJSON(&run)
	cr["check_suite"] = s.checkSuiteJSON(r, run.HeadSHA, false)
	cr["details_url"], cr["external_id"] = run.DetailsURL, run.ExternalID
	m["check_run"] = cr
	if action == "requested_action" {
		m["requested_action"] = map[string]any{"identifier": identifier}
	}
	return s.mustValid(Webhook{Event: "check_run", Action: action, Payload: m})
}

// CheckSuiteEvent builds a check_suite "rerequested" event for headSHA.
func (s *Server) CheckSuiteEvent(repo *Repo, headSHA, action, sender string) Webhook {
	s.t.Helper()
	head, err := repo.git.commitInfo(headSHA)
	if err != nil {
		s.t.Fatalf("fakegithub: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.envelope(repo, action, sender)
	suite := s.checkSuiteJSON(repo, headSHA, true)
	suite["head_commit"] = map[string]any{
		"id": head.sha, "tree_id": head.tree, "message": head.message, "timestamp": ts(head.when),
		"author":    map[string]any{"name": head.author, "email": head.email},
		"committer": map[string]any{"name": head.author, "email": head.email},
	}
	m["check_suite"] = suite
	return s.mustValid(Webhook{Event: "check_suite", Action: action, Payload: m})
}

// checkSuiteJSON is a check suite for headSHA; full adds the fields of
// check_suite events.
func (s *Server) checkSuiteJSON(r *Repo, sha string, full bool) map[string]any {
	id := checkSuiteID(sha)
	fullName := r.owner + "/" + r.name
	api := s.apiBase() + "/repos/" + fullName + "/check-suites/" + strconv.FormatInt(id, 10)
	branch := s.branchOf(r, sha)
	m := map[string]any{
		"id": id, "node_id": nodeID("CheckSuite", id), "head_branch": branch, "head_sha": sha,
		"status": "completed", "conclusion": "success", "url": api, "before": nil, "after": sha,
		"pull_requests": s.pullsForSHA(fullName, sha), "app": s.appJSON(),
		"created_at": ts(epoch), "updated_at": ts(time.Now()),
	}
	if full {
		m["latest_check_runs_count"] = s.runsFor(fullName, sha)
		m["check_runs_url"] = api + "/check-runs"
	}
	return m
}

// branchOf names an open pull request's head branch at sha, or nil.
func (s *Server) branchOf(r *Repo, sha string) any {
	for _, pr := range r.pulls {
		if pr.headSHA == sha {
			return pr.Head
		}
	}
	return nil
}

func (s *Server) runsFor(fullName, sha string) int {
	n := 0
	for _, run := range s.st.checkRuns {
		if strings.EqualFold(run.Owner+"/"+run.Repo, fullName) && run.HeadSHA == sha {
			n++
		}
	}
	return n
}
