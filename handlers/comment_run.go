package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/commands"
	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// commentRun is one comment being answered: what its commands share.
type commentRun struct {
	h          *IssueComment
	gh         *github.Client
	deliveryID string
	issue      *github.Issue
	repo       exceptions.Repo
	pr         *github.PullRequest
	user       string
	commentID  int64
	commentURL string
	// permission is the user's permission, read once ("" until then).
	permission string
	// gate is the base branch's exception policy, loaded once.
	gate *policy.ExceptionPolicy
	// refused is set when any command was refused.
	refused bool
}

// run runs one command and returns its line of the reply. Refusals are
// lines too; an error means the job should be retried.
func (r *commentRun) run(ctx context.Context, c commands.Command) (string, error) {
	var text string
	var err error
	switch c.Kind {
	case commands.KindRetest:
		text, err = r.retest(ctx)
	case commands.KindException:
		text, err = r.request(ctx, c)
	case commands.KindApprove:
		text, err = r.approve(ctx, c)
	case commands.KindRevoke:
		text, err = r.revoke(ctx, c)
	case commands.KindExceptions:
		text, err = r.list(ctx)
	case commands.KindHelp:
		text = commands.Help()
	default:
		text = r.refusal("unknown command")
	}
	if err != nil {
		return "", err
	}
	return "**`" + commands.Prefix + " " + string(c.Kind) + targetOf(c) + "`**: " + text, nil
}

// targetOf is the command's target for the reply (validated by the parser:
// letters, digits and . _ / : - only).
func targetOf(c commands.Command) string {
	if t := c.Target.String(); t != "" {
		return " " + t
	}
	return ""
}

// refusal marks the comment refused and returns text.
func (r *commentRun) refusal(text string) string {
	r.refused = true
	return "refused: " + text
}

// loadPR reads the pull request (its head and base now).
func (r *commentRun) loadPR(ctx context.Context) error {
	pr, _, err := r.gh.PullRequests.Get(ctx, r.repo.Owner, r.repo.Name, r.issue.GetNumber())
	if err != nil {
		return fmt.Errorf("getting pull request #%d: %w", r.issue.GetNumber(), err)
	}
	r.pr = pr
	return nil
}

// retest queues a scan of the pull request's current head.
func (r *commentRun) retest(ctx context.Context) (string, error) {
	ok, err := r.mayWrite(ctx)
	if err != nil || !ok {
		return r.refusal("only users with write, maintain or admin permission on the repository may ask for a retest; nothing was run."), err
	}
	job := RescanJob{Repo: r.repo, PullRequest: r.pr.GetNumber(), JobKey: r.deliveryID}
	if err := EnqueueRescan(ctx, r.h.Queue, job, r.deliveryID+":retest"); err != nil {
		return "", err
	}
	return fmt.Sprintf("a new scan of %s is queued; the check run will show its result.", shortSHA(r.pr.GetHead().GetSHA())), nil
}

// scope converts a command's target.
func scope(t commands.Target) exceptions.Scope {
	return exceptions.Scope{FindingID: t.FindingID, RuleID: t.RuleID}
}

// request records an exception request; an approver's own request is
// approved at once.
func (r *commentRun) request(ctx context.Context, c commands.Command) (string, error) {
	ok, err := r.mayWrite(ctx)
	if err != nil || !ok {
		return r.refusal("only users with write, maintain or admin permission may request an exception."), err
	}
	x, why, err := r.exceptionPolicy(ctx)
	if err != nil || why != "" {
		return r.refusal(why), err
	}
	kind := policy.ExceptionKind(c.ExceptionKind)
	if !containsKind(x.Kinds, kind) {
		return r.refusal(fmt.Sprintf("the policy does not allow %s exceptions (allowed: %s).", kind, kindNames(x.Kinds))), nil
	}
	sc := scope(c.Target)
	rule, path := r.findingInfo(ctx, sc)
	e, _, err := r.h.Exceptions.Request(ctx, exceptions.Request{
		Repo: r.repo, Scope: sc, FindingRule: rule, Kind: kind, Reason: c.Reason, Until: c.Until,
		MaxDuration: x.MaxDuration, By: r.user, CommentID: r.commentID, CommentURL: r.commentURL,
		PullRequest: r.pr.GetNumber(),
	})
	if errors.Is(err, exceptions.ErrActive) {
		cur, _ := r.h.Exceptions.Get(ctx, r.repo.ID, sc)
		return r.refusal(fmt.Sprintf("an exception for it is already %s; revoke it first.", cur.State)), nil
	}
	if err != nil {
		return "", fmt.Errorf("requesting exception: %w", err)
	}
	text := fmt.Sprintf("%s exception requested until %s. Reason: %s", e.Kind, day(e), commands.EscapeForReply(e.Reason))
	if via, why, err := r.approverCheck(ctx, x, path); err != nil {
		return "", err
	} else if why == "" {
		return r.approveNow(ctx, e, via, text+"\n\nApproved at once: you are an approver.")
	}
	return text + fmt.Sprintf("\n\nAn approver must approve it with `/conviso approve %s`.", sc), nil
}

// approve approves a requested exception.
func (r *commentRun) approve(ctx context.Context, c commands.Command) (string, error) {
	sc := scope(c.Target)
	e, err := r.h.Exceptions.Get(ctx, r.repo.ID, sc)
	if errors.Is(err, exceptions.ErrNotFound) {
		return r.refusal("no exception was requested for it."), nil
	}
	if err != nil {
		return "", fmt.Errorf("reading exception: %w", err)
	}
	if e.State == exceptions.StateApproved && !r.byThisComment(e) {
		return "already approved.", nil
	}
	if e.State != exceptions.StateRequested && e.State != exceptions.StateApproved {
		return r.refusal(fmt.Sprintf("it is %s; request it again.", e.State)), nil
	}
	x, why, err := r.exceptionPolicy(ctx)
	if err != nil || why != "" {
		return r.refusal(why), err
	}
	_, path := r.findingInfo(ctx, sc)
	via, why, err := r.approverCheck(ctx, x, path)
	switch {
	case err != nil:
		return "", err
	case why != "" && strings.EqualFold(e.RequestedBy, r.user):
		return r.refusal("nobody approves their own request unless they are an approver; " + why), nil
	case why != "":
		return r.refusal(why), nil
	}
	return r.approveNow(ctx, e, via, "")
}

// approveNow approves e, queues the re-evaluation of its pull requests and
// records the decision in the findings' lifecycle.
func (r *commentRun) approveNow(ctx context.Context, e exceptions.Exception, via []string, prefix string) (string, error) {
	a := exceptions.Actor{Login: r.user, CommentURL: r.commentURL, PullRequest: r.pr.GetNumber()}
	e, _, err := r.h.Exceptions.Approve(ctx, r.repo.ID, e.Scope, a, via)
	if err != nil {
		return "", fmt.Errorf("approving exception: %w", err)
	}
	if err := r.reevaluate(ctx, e); err != nil {
		return "", err
	}
	r.h.recordDecision(ctx, e, r.user, r.commentURL)
	if prefix != "" {
		return prefix + " The check is being re-evaluated.", nil
	}
	return fmt.Sprintf("approved until %s; the check is being re-evaluated.", day(e)), nil
}

// revoke revokes an exception (approvers) or withdraws a request (its
// requester).
func (r *commentRun) revoke(ctx context.Context, c commands.Command) (string, error) {
	sc := scope(c.Target)
	e, err := r.h.Exceptions.Get(ctx, r.repo.ID, sc)
	if errors.Is(err, exceptions.ErrNotFound) {
		return r.refusal("there is no exception for it."), nil
	}
	if err != nil {
		return "", fmt.Errorf("reading exception: %w", err)
	}
	if !e.State.Active() && !r.byThisComment(e) {
		return fmt.Sprintf("it is already %s.", e.State), nil
	}
	ownRequest := e.State == exceptions.StateRequested && strings.EqualFold(e.RequestedBy, r.user)
	if !ownRequest {
		if why, err := r.mayApprove(ctx, sc); err != nil || why != "" {
			return r.refusal(why), err
		}
	}
	wasApproved := e.State == exceptions.StateApproved
	e, _, err = r.h.Exceptions.Revoke(ctx, r.repo.ID, sc,
		exceptions.Actor{Login: r.user, CommentURL: r.commentURL, PullRequest: r.pr.GetNumber()})
	if err != nil {
		return "", fmt.Errorf("revoking exception: %w", err)
	}
	if wasApproved {
		if err := r.reevaluate(ctx, e); err != nil {
			return "", err
		}
		return "revoked; the check is being re-evaluated.", nil
	}
	return "request withdrawn.", nil
}

// mayApprove says why the user may not approve exceptions of sc, or "".
func (r *commentRun) mayApprove(ctx context.Context, sc exceptions.Scope) (string, error) {
	x, why, err := r.exceptionPolicy(ctx)
	if err != nil || why != "" {
		return why, err
	}
	_, path := r.findingInfo(ctx, sc)
	_, why, err = r.approverCheck(ctx, x, path)
	return why, err
}

// byThisComment reports whether e's last change came from this comment (a
// job run twice then answers as the first time).
func (r *commentRun) byThisComment(e exceptions.Exception) bool {
	return len(e.History) > 0 && e.History[len(e.History)-1].CommentURL == r.commentURL && r.commentURL != ""
}

// reevaluate queues a rescan of every pull request e touched (closed ones
// are skipped by the rescan).
func (r *commentRun) reevaluate(ctx context.Context, e exceptions.Exception) error {
	for _, pr := range e.PullRequests {
		key := fmt.Sprintf("%s:%d", r.deliveryID, pr)
		if err := EnqueueRescan(ctx, r.h.Queue, RescanJob{Repo: e.Repo, PullRequest: pr, JobKey: key}, key); err != nil {
			return err
		}
	}
	return nil
}
