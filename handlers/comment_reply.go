package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Reply bookkeeping.
const (
	// keyReply maps a comment to the app's reply, so that a job run twice
	// edits its reply instead of posting another.
	keyReply = "comments:reply:"
	replyTTL = 7 * 24 * time.Hour
	// maxListed is the most exceptions /conviso exceptions lists.
	maxListed = 50
)

// react adds a reaction to the comment (GitHub keeps one of each kind).
func (r *commentRun) react(ctx context.Context, content string) error {
	_, _, err := r.gh.Reactions.CreateIssueCommentReaction(ctx, r.repo.Owner, r.repo.Name, r.commentID, content)
	if err != nil {
		return fmt.Errorf("reacting %s to comment %d: %w", content, r.commentID, err)
	}
	return nil
}

// reply posts the comment's one reply, or edits it when this comment was
// already answered (the same delivery run twice).
func (r *commentRun) reply(ctx context.Context, text string) error {
	body := &github.IssueComment{Body: github.String(text)}
	k := fmt.Sprintf("%s%d:%d", keyReply, r.repo.ID, r.commentID)
	if r.h.KV != nil {
		raw, err := r.h.KV.Get(ctx, k)
		if err == nil {
			if id, perr := strconv.ParseInt(string(raw), 10, 64); perr == nil {
				if _, _, err := r.gh.Issues.EditComment(ctx, r.repo.Owner, r.repo.Name, id, body); err != nil {
					return fmt.Errorf("editing reply %d: %w", id, err)
				}
				return nil
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("reading reply of comment %d: %w", r.commentID, err)
		}
	}
	c, _, err := r.gh.Issues.CreateComment(ctx, r.repo.Owner, r.repo.Name, r.issue.GetNumber(), body)
	if err != nil {
		return fmt.Errorf("replying to comment %d: %w", r.commentID, err)
	}
	if r.h.KV != nil {
		if err := r.h.KV.Put(ctx, k, []byte(strconv.FormatInt(c.GetID(), 10)), replyTTL); err != nil {
			return fmt.Errorf("remembering reply of comment %d: %w", r.commentID, err)
		}
	}
	return nil
}

// list renders the repository's exceptions as a table.
func (r *commentRun) list(ctx context.Context) (string, error) {
	all, err := r.h.Exceptions.List(ctx, r.repo.ID)
	if err != nil {
		return "", fmt.Errorf("listing exceptions: %w", err)
	}
	if len(all) == 0 {
		return "no exceptions in this repository.", nil
	}
	var b strings.Builder
	b.WriteString("exceptions in this repository:\n\n")
	b.WriteString("| Scope | Kind | State | Requested by | Approved by | Until | Pull requests | Reason |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for i, e := range all {
		if i == maxListed {
			fmt.Fprintf(&b, "\n_%d more not listed._\n", len(all)-maxListed)
			break
		}
		b.WriteString(listRow(e))
	}
	return b.String(), nil
}

// listRow is one exception's table row; user text is escaped.
func listRow(e exceptions.Exception) string {
	prs := make([]string, len(e.PullRequests))
	for i, n := range e.PullRequests {
		prs[i] = "\\#\u200d" + strconv.Itoa(n)
	}
	approver := e.ApprovedBy
	if e.State == exceptions.StateRequested {
		approver = ""
	}
	return fmt.Sprintf("| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", e.Scope, e.Kind, e.State,
		userText(e.RequestedBy), userText(approver), day(e), strings.Join(prs, " "), userText(truncate(e.Reason, 200)))
}

// truncate keeps the first n characters of s.
func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}
