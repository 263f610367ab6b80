package fakegithub

import (
	"strconv"
	"strings"
)

// zeroSHA is the "before" of a push that creates a branch.
const zeroSHA = "0000000000000000000000000000000000000000"

// PushEvent builds a push event for branch, whose tip was before ("" for a
// new branch) and is now the branch's current commit. Commits come from git.
func (s *Server) PushEvent(repo *Repo, branch, before, pusher string) Webhook {
	s.t.Helper()
	after := repo.SHA("refs/heads/" + branch)
	entries, err := repo.git.log(before, after)
	if err != nil {
		s.t.Fatalf("fakegithub: push commits: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.envelope(repo, "", pusher)
	full := repo.owner + "/" + repo.name
	commits := make([]any, len(entries))
	for i, e := range entries {
		commits[i] = pushCommitJSON(full, e)
	}
	m["repository"] = s.pushRepoJSON(repo)
	created := before == ""
	if created {
		before = zeroSHA
	}
	var head any
	if len(commits) > 0 {
		head = commits[len(commits)-1]
	}
	m["ref"], m["before"], m["after"], m["created"], m["deleted"], m["forced"] = "refs/heads/"+branch, before, after, created, false, false
	m["base_ref"], m["compare"], m["commits"], m["head_commit"] = nil, htmlBase+"/"+full+"/compare/"+before[:12]+"..."+after[:12], commits, head
	m["pusher"] = pusherJSON(pusher)
	return s.mustValid(Webhook{Event: "push", Payload: m})
}

// pushRepoJSON is the push event's repository: timestamps are Unix seconds.
func (s *Server) pushRepoJSON(r *Repo) map[string]any {
	m := s.repoJSON(r)
	m["created_at"], m["pushed_at"] = r.CreatedAt.Unix(), r.pushedAt.Unix()
	m["stargazers"], m["master_branch"] = 0, r.DefaultBranch
	return m
}

func pushCommitJSON(fullName string, e logEntry) map[string]any {
	who := map[string]any{"name": e.author, "email": e.email, "date": ts(e.when), "username": strings.Split(e.email, "@")[0]}
	return map[string]any{
		"id": e.sha, "tree_id": e.tree, "distinct": true, "message": e.message, "timestamp": ts(e.when),
		"url": htmlBase + "/" + fullName + "/commit/" + e.sha, "author": who, "committer": who,
		"added": e.added, "removed": e.removed, "modified": e.modified,
	}
}

// InstallationEvent builds an installation event: "created" (listing the
// installation's repositories), "deleted", "suspend" or "unsuspend".
func (s *Server) InstallationEvent(inst *Installation, action, sender string) Webhook {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]any{"action": action, "installation": s.installationJSON(inst), "sender": s.login(sender)}
	if action == "created" || action == "deleted" {
		m["repositories"] = s.repoList(s.installationRepos(inst))
	}
	if action == "created" {
		m["requester"] = nil
	}
	return s.mustValid(Webhook{Event: "installation", Action: action, Payload: m})
}

// repoList is the short repository list of installation events.
func (s *Server) repoList(repos []*Repo) []any {
	out := []any{}
	for _, r := range repos {
		out = append(out, map[string]any{
			"id": r.ID, "node_id": nodeID("Repository", r.ID), "name": r.name,
			"full_name": r.owner + "/" + r.name, "private": r.Private,
		})
	}
	return out
}

// InstallationRepositoriesEvent builds an installation_repositories event,
// "added" or "removed", for repos (call Repo.SetInstallation first to
// change what the installation can see).
func (s *Server) InstallationRepositoriesEvent(inst *Installation, action, sender string, repos ...*Repo) Webhook {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.repoList(repos)
	m := map[string]any{
		"action": action, "installation": s.installationJSON(inst), "sender": s.login(sender),
		"repository_selection": inst.selection, "requester": nil,
		"repositories_added": []any{}, "repositories_removed": []any{},
	}
	m["repositories_"+action] = list
	return s.mustValid(Webhook{Event: "installation_repositories", Action: action, Payload: m})
}

// RepositoryEvent builds a repository event: "created", "archived",
// "unarchived", "deleted", "renamed" (from is the old name) or
// "transferred" (from is the old owner's login). Change the repository
// first (SetArchived, Rename, Delete) so the payload shows the new state.
func (s *Server) RepositoryEvent(repo *Repo, action, from, sender string) Webhook {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.envelope(repo, action, sender)
	switch action {
	case "renamed":
		m["changes"] = map[string]any{"repository": map[string]any{"name": map[string]any{"from": from}}}
	case "transferred":
		old := s.st.user(from, "")
		prev := map[string]any{"user": s.userJSON(old)}
		if old.Type == "Organization" {
			prev = map[string]any{"organization": s.orgJSON(old)}
		}
		m["changes"] = map[string]any{"owner": map[string]any{"from": prev}}
	}
	return s.mustValid(Webhook{Event: "repository", Action: action, Payload: m})
}

// PingEvent builds the ping GitHub sends when the app's webhook is set up.
func (s *Server) PingEvent(webhookURL string) Webhook {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strconv.Itoa(hookID)
	hook := map[string]any{
		"type": "App", "id": hookID, "name": "web", "active": true, "events": DefaultEvents, "app_id": s.app.ID,
		"config":     map[string]any{"content_type": "json", "insecure_ssl": "0", "url": webhookURL},
		"created_at": ts(epoch), "updated_at": ts(epoch),
		"deliveries_url": s.apiBase() + "/app/hook/deliveries",
		"ping_url":       s.apiBase() + "/app/hook/" + id + "/pings",
	}
	m := map[string]any{"zen": "Design for failure.", "hook_id": hookID, "hook": hook, "sender": s.login(s.app.Owner)}
	return s.mustValid(Webhook{Event: "ping", Payload: m})
}

// pusherJSON is the push's pusher. A bot (an app pushing with its token) has
// no usable e-mail address, which the schema allows as null.
func pusherJSON(login string) map[string]any {
	if strings.HasSuffix(login, "[bot]") {
		return map[string]any{"name": login, "email": nil}
	}
	return map[string]any{"name": login, "email": login + "@users.noreply.github.com"}
}
