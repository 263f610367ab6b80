package fakegithub

import (
	"net/http"
	"strconv"
	"time"
)

// PullRequest is a pull request between two branches of a Repo.
type PullRequest struct {
	// Repo is the repository (head and base are both in it).
	Repo *Repo
	// Number is the pull request number.
	Number int
	// ID is its numeric ID.
	ID int64
	// Base and Head are branch names.
	Base, Head string
	// Author is the login of whoever opened it.
	Author string

	title, body string
	draft       bool
	state       string
	merged      bool
	headSHA     string
	prevHeadSHA string
	oldTitle    *string
	oldBody     *string
	baseSHA     string
	createdAt   time.Time
	updatedAt   time.Time
	closedAt    time.Time
}

// PullRequestSpec describes a pull request for Repo.OpenPullRequest.
type PullRequestSpec struct {
	// Head is the branch with the changes (required).
	Head string
	// Base defaults to the repository's default branch.
	Base string
	// Title defaults to "Update <head>"; Body may be empty.
	Title, Body string
	// Author defaults to "octocat".
	Author string
	// Draft opens it as a draft.
	Draft bool
}

// Issue is a plain issue, for issue_comment events.
type Issue struct {
	// Number is the issue number.
	Number int
	// ID is its numeric ID.
	ID int64
	// Title is its title.
	Title string
	// Author is the login of whoever opened it.
	Author string
}

// OpenPullRequest opens a pull request from spec.Head into spec.Base.
func (r *Repo) OpenPullRequest(spec PullRequestSpec) *PullRequest {
	r.s.t.Helper()
	if spec.Base == "" {
		spec.Base = r.DefaultBranch
	}
	if spec.Title == "" {
		spec.Title = "Update " + spec.Head
	}
	if spec.Author == "" {
		spec.Author = "octocat"
	}
	head, base := r.SHA("refs/heads/"+spec.Head), r.SHA("refs/heads/"+spec.Base)
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.user(spec.Author, "User")
	r.nextNumber++
	when := epoch.Add(time.Duration(r.nextNumber) * time.Hour)
	pr := &PullRequest{
		Repo: r, Number: r.nextNumber, ID: s.st.id(), Base: spec.Base, Head: spec.Head, Author: spec.Author,
		title: spec.Title, body: spec.Body, draft: spec.Draft, state: "open",
		headSHA: head, baseSHA: base, createdAt: when, updatedAt: when,
	}
	r.pulls[pr.Number] = pr
	return pr
}

// OpenIssue opens a plain issue and returns it.
func (r *Repo) OpenIssue(title, author string) Issue {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.user(author, "User")
	r.nextNumber++
	is := &Issue{Number: r.nextNumber, ID: s.st.id(), Title: title, Author: author}
	r.issues[is.Number] = is
	return *is
}

// HeadSHA is the head branch's commit.
func (pr *PullRequest) HeadSHA() string { return pr.get(func() string { return pr.headSHA }) }

// BaseSHA is the base branch's commit.
func (pr *PullRequest) BaseSHA() string { return pr.get(func() string { return pr.baseSHA }) }

func (pr *PullRequest) get(f func() string) string {
	pr.Repo.s.mu.Lock()
	defer pr.Repo.s.mu.Unlock()
	return f()
}

// Close closes the pull request, merged or not.
func (pr *PullRequest) Close(merged bool) {
	pr.update(func() { pr.state, pr.merged, pr.closedAt = "closed", merged, time.Now() })
}

// Reopen reopens a closed pull request.
func (pr *PullRequest) Reopen() { pr.update(func() { pr.state, pr.closedAt = "open", time.Time{} }) }

// SetDraft marks the pull request draft or ready for review.
func (pr *PullRequest) SetDraft(draft bool) { pr.update(func() { pr.draft = draft }) }

// Edit changes the title and body; it returns the old ones for the
// "edited" event's changes.
func (pr *PullRequest) Edit(title, body string) (oldTitle, oldBody string) {
	pr.update(func() {
		oldTitle, oldBody, pr.title, pr.body = pr.title, pr.body, title, body
		pr.oldTitle, pr.oldBody = &oldTitle, &oldBody
	})
	return oldTitle, oldBody
}

func (pr *PullRequest) update(f func()) {
	pr.Repo.s.mu.Lock()
	defer pr.Repo.s.mu.Unlock()
	f()
	pr.updatedAt = time.Now()
}

// pullFromParam resolves {pull_number}. Callers hold s.mu.
func (c *call) pullFromParam() *PullRequest {
	n, _ := strconv.Atoi(c.params["pull_number"])
	return c.repo.pulls[n]
}

// getPull serves GET /repos/{owner}/{repo}/pulls/{pull_number}.
func (c *call) getPull() reply {
	s := c.s
	s.mu.Lock()
	pr := c.pullFromParam()
	if pr == nil {
		s.mu.Unlock()
		return c.notFound()
	}
	body := s.pullJSON(pr)
	base, head := pr.baseSHA, pr.headSHA
	s.mu.Unlock()
	stats, err := pullStats(pr.Repo.git, base, head)
	if err != nil {
		return errorReply(http.StatusInternalServerError, err.Error(), "")
	}
	for k, v := range stats {
		body[k] = v
	}
	return ok(body)
}

// pullStats are the counts GitHub computes for a pull request.
func pullStats(g *gitRepo, base, head string) (map[string]any, error) {
	mb, err := g.mergeBase(base, head)
	if err != nil {
		return nil, err
	}
	files, err := g.diffFiles(mb, head)
	if err != nil {
		return nil, err
	}
	commits, err := g.commitCount(mb, head)
	if err != nil {
		return nil, err
	}
	adds, dels := 0, 0
	for _, f := range files {
		adds, dels = adds+f.additions, dels+f.deletions
	}
	return map[string]any{
		"additions": adds, "deletions": dels, "changed_files": len(files), "commits": commits,
		"comments": 0, "review_comments": 0, "maintainer_can_modify": false,
		"mergeable": nil, "rebaseable": nil, "mergeable_state": "unknown", "merged_by": nil,
	}, nil
}

// listPullFiles serves GET /repos/{owner}/{repo}/pulls/{pull_number}/files:
// real git diff between the merge base and the head, at most
// MaxPullRequestFiles files, paginated.
func (c *call) listPullFiles() reply {
	s := c.s
	s.mu.Lock()
	pr := c.pullFromParam()
	var base, head string
	if pr != nil {
		base, head = pr.baseSHA, pr.headSHA
	}
	s.mu.Unlock()
	if pr == nil {
		return c.notFound()
	}
	mb, err := pr.Repo.git.mergeBase(base, head)
	if err != nil {
		return errorReply(http.StatusInternalServerError, err.Error(), "")
	}
	files, err := pr.Repo.git.diffFiles(mb, head)
	if err != nil {
		return errorReply(http.StatusInternalServerError, err.Error(), "")
	}
	if len(files) > MaxPullRequestFiles {
		files = files[:MaxPullRequestFiles]
	}
	s.mu.Lock()
	fullName := c.repo.owner + "/" + c.repo.name
	s.mu.Unlock()
	items := make([]any, len(files))
	for i, f := range files {
		items[i] = s.diffEntryJSON(fullName, head, f)
	}
	return ok(nonNil(pageOf(c, items)))
}
