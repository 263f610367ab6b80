package fakegithub

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Comment is an issue or pull request comment.
type Comment struct {
	// ID is the comment ID.
	ID int64
	// Owner and Repo name its repository; IssueNumber its issue or pull
	// request.
	Owner, Repo string
	IssueNumber int
	// Author is the commenter's login ("<slug>[bot]" for the app).
	Author string
	// Body is the current text.
	Body string
	// CreatedAt and UpdatedAt are GitHub's timestamps.
	CreatedAt, UpdatedAt time.Time
	// Edits are the previous bodies, oldest first.
	Edits []string
	// ByApp is true when the app's installation token wrote it.
	ByApp bool
}

// Reaction is a reaction to an issue comment.
type Reaction struct {
	// ID is the reaction ID; CommentID the comment reacted to.
	ID, CommentID int64
	// Content is the reaction, e.g. "eyes"; User who reacted.
	Content, User string
	// CreatedAt is when it was made.
	CreatedAt time.Time
}

// AddComment adds a comment by a user (not the app), e.g. to build an
// issue_comment event; it returns the comment.
func (r *Repo) AddComment(issueNumber int, author, body string) Comment {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.user(author, "User")
	cm := &Comment{
		ID: s.st.id(), Owner: r.owner, Repo: r.name, IssueNumber: issueNumber, Author: author, Body: body,
		CreatedAt: time.Now().UTC().Truncate(time.Second),
	}
	cm.UpdatedAt = cm.CreatedAt
	s.st.comments = append(s.st.comments, cm)
	return *cm
}

// Comments returns copies of the comments on owner/repo, in order.
func (s *Server) Comments(owner, repo string) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, cm := range s.st.comments {
		if strings.EqualFold(cm.Owner+"/"+cm.Repo, owner+"/"+repo) {
			cp := *cm
			cp.Edits = append([]string(nil), cm.Edits...)
			out = append(out, cp)
		}
	}
	return out
}

// Reactions returns the reactions to a comment.
func (s *Server) Reactions(commentID int64) []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Reaction
	for _, re := range s.st.reactions {
		if re.CommentID == commentID {
			out = append(out, *re)
		}
	}
	return out
}

// bodyField decodes {"body": ...} or {"content": ...}.
type bodyField struct {
	Body    string `json:"body"`
	Content string `json:"content"`
}

func (c *call) decodeBody() (bodyField, *reply) {
	var b bodyField
	if err := json.Unmarshal(c.body, &b); err != nil {
		rep := errorReply(http.StatusBadRequest, "Problems parsing JSON", docsURL(c.route.Operation))
		return b, &rep
	}
	return b, nil
}

// createComment serves POST /repos/{owner}/{repo}/issues/{issue_number}/comments.
func (c *call) createComment() reply {
	b, bad := c.decodeBody()
	if bad != nil {
		return *bad
	}
	n, _ := strconv.Atoi(c.params["issue_number"])
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.repo.pulls[n] == nil && c.repo.issues[n] == nil {
		return c.notFound()
	}
	now := time.Now().UTC().Truncate(time.Second)
	cm := &Comment{
		ID: s.st.id(), Owner: c.repo.owner, Repo: c.repo.name, IssueNumber: n, Author: s.botLogin(),
		Body: b.Body, CreatedAt: now, UpdatedAt: now, ByApp: true,
	}
	s.st.comments = append(s.st.comments, cm)
	return created(s.commentJSON(cm))
}

// commentFromParam resolves {comment_id} in the call's repository. Callers
// hold s.mu.
func (c *call) commentFromParam() *Comment {
	return byParam(c, "comment_id", c.s.st.comments, func(cm *Comment) (int64, string) {
		return cm.ID, cm.Owner + "/" + cm.Repo
	})
}

// updateComment serves PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}.
func (c *call) updateComment() reply {
	b, bad := c.decodeBody()
	if bad != nil {
		return *bad
	}
	return withItem(c, c.commentFromParam, func(cm *Comment) reply {
		if !cm.ByApp {
			return errorReply(http.StatusForbidden, "Resource not accessible by integration", docsURL(c.route.Operation))
		}
		cm.Edits = append(cm.Edits, cm.Body)
		cm.Body, cm.UpdatedAt = b.Body, time.Now().UTC().Truncate(time.Second)
		return ok(c.s.commentJSON(cm))
	})
}

// createReaction serves POST .../issues/comments/{comment_id}/reactions:
// 201 for a new reaction, 200 when the app had already reacted so.
func (c *call) createReaction() reply {
	b, bad := c.decodeBody()
	if bad != nil {
		return *bad
	}
	return withItem(c, c.commentFromParam, func(cm *Comment) reply {
		s := c.s
		for _, re := range s.st.reactions {
			if re.CommentID == cm.ID && re.Content == b.Content && re.User == s.botLogin() {
				return ok(s.reactionJSON(re))
			}
		}
		re := &Reaction{ID: s.st.id(), CommentID: cm.ID, Content: b.Content, User: s.botLogin(), CreatedAt: time.Now()}
		s.st.reactions = append(s.st.reactions, re)
		return created(s.reactionJSON(re))
	})
}

func (s *Server) reactionJSON(re *Reaction) map[string]any {
	return map[string]any{
		"id": re.ID, "node_id": nodeID("Reaction", re.ID), "user": s.st.botJSON(s), "content": re.Content,
		"created_at": ts(re.CreatedAt),
	}
}

// botJSON is the app's bot user.
func (st *state) botJSON(s *Server) map[string]any { return s.userJSON(st.user(s.botLogin(), "Bot")) }

// commentJSON is GitHub's issue-comment object.
func (s *Server) commentJSON(cm *Comment) map[string]any {
	full := cm.Owner + "/" + cm.Repo
	api := s.apiBase() + "/repos/" + full
	num := strconv.Itoa(cm.IssueNumber)
	id := strconv.FormatInt(cm.ID, 10)
	m := map[string]any{
		"id": cm.ID, "node_id": nodeID("IssueComment", cm.ID), "url": api + "/issues/comments/" + id,
		"html_url":  htmlBase + "/" + full + "/" + s.issueKind(full, cm.IssueNumber) + "/" + num + "#issuecomment-" + id,
		"issue_url": api + "/issues/" + num, "body": cm.Body, "user": s.login(cm.Author),
		"created_at": ts(cm.CreatedAt), "updated_at": ts(cm.UpdatedAt), "author_association": "NONE",
		"performed_via_github_app": nil, "reactions": s.reactionRollup(cm),
	}
	if cm.ByApp {
		m["user"], m["performed_via_github_app"] = s.st.botJSON(s), s.appJSON()
	}
	return m
}

// issueKind is "pull" for pull requests and "issues" otherwise.
func (s *Server) issueKind(fullName string, n int) string {
	if r := s.st.repos[strings.ToLower(fullName)]; r != nil && r.pulls[n] != nil {
		return "pull"
	}
	return "issues"
}

// reactionRollup is the comment's reaction counts.
func (s *Server) reactionRollup(cm *Comment) map[string]any {
	counts := map[string]any{"+1": 0, "-1": 0, "laugh": 0, "confused": 0, "heart": 0, "hooray": 0, "eyes": 0, "rocket": 0}
	total := 0
	for _, re := range s.st.reactions {
		if re.CommentID == cm.ID {
			counts[re.Content] = counts[re.Content].(int) + 1
			total++
		}
	}
	counts["total_count"] = total
	counts["url"] = s.apiBase() + "/repos/" + cm.Owner + "/" + cm.Repo + "/issues/comments/" + strconv.FormatInt(cm.ID, 10) + "/reactions"
	return counts
}
