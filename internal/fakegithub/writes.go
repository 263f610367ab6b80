package fakegithub

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Operation names of the write operations (onboarding pull requests).
const (
	OpCreateRef   = "POST /repos/{owner}/{repo}/git/refs"
	OpPutContents = "PUT /repos/{owner}/{repo}/contents/{path}"
	OpCreatePull  = "POST /repos/{owner}/{repo}/pulls"
	OpListPulls   = "GET /repos/{owner}/{repo}/pulls"
)

// validationFailed is GitHub's 422 for a request it cannot honour.
func (c *call) validationFailed(msg string) reply {
	return reply{status: http.StatusUnprocessableEntity, body: map[string]any{
		"message": msg, "documentation_url": docsURL(c.route.Operation),
	}}
}

// createRef serves POST /repos/{owner}/{repo}/git/refs on the real repository.
func (c *call) createRef() reply {
	var b struct{ Ref, SHA string }
	if err := json.Unmarshal(c.body, &b); err != nil {
		return errorReply(http.StatusBadRequest, "Problems parsing JSON", docsURL(c.route.Operation))
	}
	if !strings.HasPrefix(b.Ref, "refs/") || strings.Count(b.Ref, "/") < 2 {
		return c.validationFailed("Reference name must start with 'refs/' and have at least two slashes.")
	}
	if _, err := c.repo.git.resolve(b.Ref); err == nil {
		return c.validationFailed("Reference already exists")
	}
	sha, err := c.repo.git.resolve(b.SHA)
	if err != nil || !strings.EqualFold(sha, b.SHA) {
		return c.validationFailed("Object does not exist")
	}
	if _, err := c.repo.git.run(nil, "update-ref", b.Ref, sha, ""); err != nil {
		return errorReply(http.StatusInternalServerError, err.Error(), "")
	}
	c.s.mu.Lock()
	base := c.s.http.URL + "/repos/" + c.repo.owner + "/" + c.repo.name
	c.s.mu.Unlock()
	return created(map[string]any{
		"ref": b.Ref, "node_id": nodeID("Ref", int64(len(b.Ref))), "url": base + "/git/" + b.Ref,
		"object": map[string]any{"type": "commit", "sha": sha, "url": base + "/git/commits/" + sha},
	})
}

// putContents serves PUT /repos/{owner}/{repo}/contents/{path}: one commit
// on the branch (default: the default branch) writing the file.
func (c *call) putContents() reply {
	var b struct {
		Message, Content, SHA, Branch string
	}
	if err := json.Unmarshal(c.body, &b); err != nil {
		return errorReply(http.StatusBadRequest, "Problems parsing JSON", docsURL(c.route.Operation))
	}
	data, err := base64.StdEncoding.DecodeString(b.Content)
	if err != nil {
		return c.validationFailed("content is not valid Base64")
	}
	p, err := url.PathUnescape(c.params["path"])
	if err != nil || strings.Trim(p, "/") == "" {
		return c.notFound()
	}
	p = strings.Trim(p, "/")
	if b.Branch == "" {
		b.Branch = c.repo.DefaultBranch
	}
	parent, err := c.repo.git.resolve("refs/heads/" + b.Branch)
	if err != nil {
		return errorReply(http.StatusNotFound, "Branch "+b.Branch+" not found", docsURL(c.route.Operation))
	}
	status := http.StatusCreated
	if old, _ := c.repo.git.lsTree(parent, p); len(old) == 1 && old[0].path == p && old[0].typ == "blob" {
		if b.SHA != old[0].sha {
			return errorReply(http.StatusConflict, p+" does not match "+b.SHA, docsURL(c.route.Operation))
		}
		status = http.StatusOK
	} else if b.SHA != "" {
		return c.validationFailed("sha given for a file that does not exist")
	}
	s := c.s
	s.mu.Lock()
	c.repo.commits++
	when := epoch.Add(time.Duration(c.repo.commits) * time.Minute)
	bot := s.botLogin()
	s.mu.Unlock()
	sha, err := c.repo.git.commit(gitCommit{
		branch: b.Branch, parent: parent, message: b.Message, when: when,
		author: bot + " <" + bot + "@users.noreply.github.com>", files: map[string]string{p: string(data)},
	})
	if err != nil {
		return errorReply(http.StatusInternalServerError, err.Error(), "")
	}
	info, err := c.repo.git.commitInfo(sha)
	if err != nil {
		return errorReply(http.StatusInternalServerError, err.Error(), "")
	}
	entries, err := c.repo.git.lsTree(sha, p)
	if err != nil || len(entries) != 1 {
		return errorReply(http.StatusInternalServerError, "written file not found", "")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.repo.pushedAt = when
	for _, pr := range c.repo.pulls {
		if pr.Head == b.Branch && pr.state == "open" {
			pr.prevHeadSHA, pr.headSHA, pr.updatedAt = pr.headSHA, sha, when
		}
		if pr.Base == b.Branch && pr.state == "open" {
			pr.baseSHA = sha
		}
	}
	fullName := c.repo.owner + "/" + c.repo.name
	api := s.apiBase() + "/repos/" + fullName
	who := map[string]any{"date": ts(when), "name": bot, "email": bot + "@users.noreply.github.com"}
	return reply{status: status, body: map[string]any{
		"content": s.contentEntryJSON(fullName, b.Branch, entries[0]),
		"commit": map[string]any{
			"sha": sha, "node_id": nodeID("Commit", when.Unix()), "url": api + "/git/commits/" + sha,
			"html_url": htmlBase + "/" + fullName + "/commit/" + sha, "author": who, "committer": who,
			"message": info.message, "tree": map[string]any{"url": api + "/git/trees/" + info.tree, "sha": info.tree},
			"parents": []any{map[string]any{
				"url": api + "/git/commits/" + parent, "html_url": htmlBase + "/" + fullName + "/commit/" + parent, "sha": parent,
			}},
			"verification": map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
		},
	}}
}

// createPull serves POST /repos/{owner}/{repo}/pulls (same-repository heads).
func (c *call) createPull() reply {
	var b struct {
		Title, Head, Base, Body string
		Draft                   bool
	}
	if err := json.Unmarshal(c.body, &b); err != nil {
		return errorReply(http.StatusBadRequest, "Problems parsing JSON", docsURL(c.route.Operation))
	}
	if b.Title == "" || b.Head == "" || b.Base == "" {
		return c.validationFailed("Validation Failed: title, head and base are required")
	}
	head := b.Head
	if owner, branch, found := strings.Cut(head, ":"); found {
		if !strings.EqualFold(owner, c.repo.Owner()) {
			return c.validationFailed("Validation Failed: cross-repository pull requests are not served by the fake")
		}
		head = branch
	}
	headSHA, err1 := c.repo.git.resolve("refs/heads/" + head)
	baseSHA, err2 := c.repo.git.resolve("refs/heads/" + b.Base)
	if err1 != nil || err2 != nil {
		return c.validationFailed("Validation Failed: head or base branch does not exist")
	}
	if headSHA == baseSHA {
		return c.validationFailed("Validation Failed: No commits between " + b.Base + " and " + head)
	}
	stats, err := pullStats(c.repo.git, baseSHA, headSHA)
	if err != nil {
		return errorReply(http.StatusInternalServerError, err.Error(), "")
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pr := range c.repo.pulls {
		if pr.Head == head && pr.Base == b.Base && pr.state == "open" {
			return c.validationFailed("Validation Failed: A pull request already exists for " + c.repo.owner + ":" + head + ".")
		}
	}
	c.repo.nextNumber++
	now := time.Now().UTC().Truncate(time.Second)
	pr := &PullRequest{
		Repo: c.repo, Number: c.repo.nextNumber, ID: s.st.id(), Base: b.Base, Head: head, Author: s.botLogin(),
		title: b.Title, body: b.Body, draft: b.Draft, state: "open",
		headSHA: headSHA, baseSHA: baseSHA, createdAt: now, updatedAt: now,
	}
	s.st.user(pr.Author, "Bot")
	c.repo.pulls[pr.Number] = pr
	body := s.pullJSON(pr)
	for k, v := range stats {
		body[k] = v
	}
	return created(body)
}

// listPulls serves GET /repos/{owner}/{repo}/pulls with the state, head
// ("owner:branch") and base filters, newest first, paginated.
func (c *call) listPulls() reply {
	state := c.query.Get("state")
	if state == "" {
		state = "open"
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var prs []*PullRequest
	for _, pr := range c.repo.pulls {
		if state != "all" && pr.state != state {
			continue
		}
		if h := c.query.Get("head"); h != "" {
			owner, branch, found := strings.Cut(h, ":")
			if !found || !strings.EqualFold(owner, c.repo.owner) || branch != pr.Head {
				continue
			}
		}
		if b := c.query.Get("base"); b != "" && b != pr.Base {
			continue
		}
		prs = append(prs, pr)
	}
	asc := c.query.Get("direction") == "asc"
	sort.Slice(prs, func(i, j int) bool {
		if asc {
			return prs[i].Number < prs[j].Number
		}
		return prs[i].Number > prs[j].Number
	})
	items := make([]any, len(prs))
	for i, pr := range prs {
		items[i] = s.pullJSON(pr)
	}
	return ok(nonNil(pageOf(c, items)))
}

// PullRequests lists the repository's pull requests by number.
func (r *Repo) PullRequests() []*PullRequest {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	prs := make([]*PullRequest, 0, len(r.pulls))
	for _, pr := range r.pulls {
		prs = append(prs, pr)
	}
	sort.Slice(prs, func(i, j int) bool { return prs[i].Number < prs[j].Number })
	return prs
}

// File reads path at ref (branch, tag or SHA); ok is false when absent.
func (r *Repo) File(ref, path string) (content string, ok bool) {
	sha, err := r.git.resolve(ref)
	if err != nil {
		return "", false
	}
	entries, err := r.git.lsTree(sha, path)
	if err != nil || len(entries) != 1 || entries[0].typ != "blob" {
		return "", false
	}
	data, err := r.git.blob(entries[0].sha)
	return string(data), err == nil
}

// State is "open" or "closed".
func (pr *PullRequest) State() string { return pr.get(func() string { return pr.state }) }

// Title is the pull request's title.
func (pr *PullRequest) Title() string { return pr.get(func() string { return pr.title }) }
