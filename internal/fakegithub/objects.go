package fakegithub

import (
	"net/url"
	"strconv"
	"strings"
)

// htmlBase is where html_url fields point, as on github.com.
const htmlBase = "https://github.com"

// JSON builders for GitHub's objects. They read state: callers hold s.mu.

// userJSON is GitHub's simple-user object.
func (s *Server) userJSON(u *User) map[string]any {
	api := s.apiBase() + "/users/" + u.Login
	return map[string]any{
		"login": u.Login, "id": u.ID, "node_id": nodeID(u.Type, u.ID),
		"avatar_url":  "https://avatars.githubusercontent.com/u/" + strconv.FormatInt(u.ID, 10) + "?v=4",
		"gravatar_id": "", "url": api, "html_url": htmlBase + "/" + u.Login,
		"followers_url": api + "/followers", "following_url": api + "/following{/other_user}",
		"gists_url": api + "/gists{/gist_id}", "starred_url": api + "/starred{/owner}{/repo}",
		"subscriptions_url": api + "/subscriptions", "organizations_url": api + "/orgs",
		"repos_url": api + "/repos", "events_url": api + "/events{/privacy}",
		"received_events_url": api + "/received_events", "type": u.Type, "site_admin": false,
		"user_view_type": "public",
	}
}

// login returns the user JSON for a login.
func (s *Server) login(name string) map[string]any { return s.userJSON(s.st.user(name, "")) }

// botLogin is the login of the app's bot user.
func (s *Server) botLogin() string { return s.app.Slug + "[bot]" }

// appJSON is GitHub's integration object for the app.
func (s *Server) appJSON() map[string]any {
	owner := s.st.user(s.app.Owner, "Organization")
	events := []string{"check_run", "check_suite", "issue_comment", "pull_request", "push", "repository"}
	return map[string]any{
		"id": s.app.ID, "slug": s.app.Slug, "node_id": nodeID("Integration", s.app.ID), "client_id": s.app.ClientID,
		"owner": s.userJSON(owner), "name": s.app.Name, "description": "Security scanning for pull requests",
		"external_url": "https://www.convisoappsec.com", "html_url": htmlBase + "/apps/" + s.app.Slug,
		"created_at": ts(epoch), "updated_at": ts(epoch), "permissions": DefaultPermissions, "events": events,
		"installations_count": len(s.st.installations),
	}
}

// repoJSON is GitHub's repository object: a superset of the fields of the
// REST "repository" and "full-repository" and the webhooks' repository.
func (s *Server) repoJSON(r *Repo) map[string]any {
	full := r.owner + "/" + r.name
	api := s.apiBase() + "/repos/" + full
	html := htmlBase + "/" + full
	visibility := "public"
	if r.Private {
		visibility = "private"
	}
	m := map[string]any{
		"id": r.ID, "node_id": nodeID("Repository", r.ID), "name": r.name, "full_name": full,
		"private": r.Private, "owner": s.login(r.owner), "html_url": html, "description": nil,
		"fork": false, "url": api, "homepage": nil, "language": nil, "mirror_url": nil, "license": nil,
		"git_url": "git://github.com/" + full + ".git", "ssh_url": "git@github.com:" + full + ".git",
		"clone_url": html + ".git", "svn_url": html, "default_branch": r.DefaultBranch,
		"created_at": ts(r.CreatedAt), "updated_at": ts(r.pushedAt), "pushed_at": ts(r.pushedAt),
		"size": 1, "archived": r.archived, "disabled": false, "visibility": visibility, "topics": []string{},
		"has_issues": true, "has_projects": true, "has_downloads": true, "has_wiki": true, "has_pages": false,
		"has_discussions": false, "allow_forking": true, "is_template": false, "web_commit_signoff_required": false,
		"forks": 0, "forks_count": 0, "stargazers_count": 0, "watchers": 0, "watchers_count": 0,
		"open_issues": r.openIssues(), "open_issues_count": r.openIssues(), "network_count": 0, "subscribers_count": 0,
	}
	for k, v := range repoURLs(api) {
		m[k] = v
	}
	return m
}

// repoURLs are the repository's hypermedia URLs.
func repoURLs(api string) map[string]any {
	out := map[string]any{}
	plain := []string{"forks", "teams", "hooks", "events", "tags", "languages", "stargazers", "contributors",
		"subscribers", "subscription", "merges", "downloads", "deployments"}
	for _, k := range plain {
		out[k+"_url"] = api + "/" + k
	}
	templated := map[string]string{
		"keys": "/keys{/key_id}", "collaborators": "/collaborators{/collaborator}", "issue_events": "/issues/events{/number}",
		"assignees": "/assignees{/user}", "branches": "/branches{/branch}", "blobs": "/git/blobs{/sha}",
		"git_tags": "/git/tags{/sha}", "git_refs": "/git/refs{/sha}", "trees": "/git/trees{/sha}",
		"statuses": "/statuses/{sha}", "commits": "/commits{/sha}", "git_commits": "/git/commits{/sha}",
		"comments": "/comments{/number}", "issue_comment": "/issues/comments{/number}",
		"contents": "/contents/{+path}", "compare": "/compare/{base}...{head}",
		"archive": "/{archive_format}{/ref}", "issues": "/issues{/number}", "pulls": "/pulls{/number}",
		"milestones": "/milestones{/number}", "notifications": "/notifications{?since,all,participating}",
		"labels": "/labels{/name}", "releases": "/releases{/id}",
	}
	for k, v := range templated {
		out[k+"_url"] = api + v
	}
	return out
}

// openIssues counts open pull requests and issues.
func (r *Repo) openIssues() int {
	n := len(r.issues)
	for _, pr := range r.pulls {
		if pr.state == "open" {
			n++
		}
	}
	return n
}

// pullJSON is GitHub's pull-request object without the git-derived counts.
func (s *Server) pullJSON(pr *PullRequest) map[string]any {
	r := pr.Repo
	api := s.apiBase() + "/repos/" + r.owner + "/" + r.name
	num := strconv.Itoa(pr.Number)
	self := api + "/pulls/" + num
	html := htmlBase + "/" + r.owner + "/" + r.name + "/pull/" + num
	m := map[string]any{
		"url": self, "id": pr.ID, "node_id": nodeID("PullRequest", pr.ID), "html_url": html,
		"diff_url": html + ".diff", "patch_url": html + ".patch", "issue_url": api + "/issues/" + num,
		"commits_url": self + "/commits", "review_comments_url": self + "/comments",
		"review_comment_url": api + "/pulls/comments{/number}", "comments_url": api + "/issues/" + num + "/comments",
		"statuses_url": api + "/statuses/" + pr.headSHA, "number": pr.Number, "state": pr.state,
		"locked": false, "title": pr.title, "user": s.login(pr.Author), "body": nilIfEmpty(pr.body),
		"labels": []any{}, "milestone": nil, "active_lock_reason": nil,
		"created_at": ts(pr.createdAt), "updated_at": ts(pr.updatedAt),
		"closed_at": tsOrNil(pr.closedAt), "merged_at": nil, "merge_commit_sha": nil,
		"assignee": nil, "assignees": []any{}, "requested_reviewers": []any{}, "requested_teams": []any{},
		"head": s.branchJSON(r, pr.Head, pr.headSHA), "base": s.branchJSON(r, pr.Base, pr.baseSHA),
		"author_association": "CONTRIBUTOR", "auto_merge": nil, "draft": pr.draft, "merged": pr.merged,
		"_links": pullLinks(self, html, api, num, pr.headSHA),
	}
	if pr.merged {
		m["merged_at"] = ts(pr.closedAt)
	}
	return m
}

// branchJSON is a pull request's head or base.
func (s *Server) branchJSON(r *Repo, branch, sha string) map[string]any {
	return map[string]any{
		"label": r.owner + ":" + branch, "ref": branch, "sha": sha,
		"user": s.login(r.owner), "repo": s.repoJSON(r),
	}
}

func pullLinks(self, html, api, num, sha string) map[string]any {
	link := func(href string) map[string]any { return map[string]any{"href": href} }
	return map[string]any{
		"self": link(self), "html": link(html), "issue": link(api + "/issues/" + num),
		"comments": link(api + "/issues/" + num + "/comments"), "review_comments": link(self + "/comments"),
		"review_comment": link(api + "/pulls/comments{/number}"), "commits": link(self + "/commits"),
		"statuses": link(api + "/statuses/" + sha),
	}
}

// diffEntryJSON is GitHub's diff-entry for one pull request file.
func (s *Server) diffEntryJSON(fullName, headSHA string, f fileDiff) map[string]any {
	path := escapePath(f.path)
	m := map[string]any{
		"sha": f.blobSHA, "filename": f.path, "status": f.status,
		"additions": f.additions, "deletions": f.deletions, "changes": f.additions + f.deletions,
		"blob_url":     htmlBase + "/" + fullName + "/blob/" + headSHA + "/" + path,
		"raw_url":      htmlBase + "/" + fullName + "/raw/" + headSHA + "/" + path,
		"contents_url": s.apiBase() + "/repos/" + fullName + "/contents/" + path + "?ref=" + headSHA,
	}
	if f.hasPatch {
		m["patch"] = f.patch
	}
	if f.oldPath != "" {
		m["previous_filename"] = f.oldPath
	}
	return m
}

// escapePath escapes each segment of a slash-separated path for a URL.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
