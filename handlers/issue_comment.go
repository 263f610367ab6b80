package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/commands"
	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/lifecycle"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Log keys of the comment handlers.
const (
	LogKeyCommentID = "github_comment_id"
	LogKeyUser      = "github_user"
	LogKeyCommand   = "conviso_command"
)

// Reactions the app leaves on a comment it acts on: eyes when it takes the
// commands, then +1 when every command was done or confused when at least
// one was refused (or the comment could not be run at all).
const (
	ReactionWorking = "eyes"
	ReactionDone    = "+1"
	ReactionRefused = "confused"
)

// IssueComment runs the /conviso commands of new pull request comments
// (issue_comment "created"; an edited comment is not run again). Comments
// by bots, the app included, are ignored. Each comment gets reactions and
// one reply with the outcome of all its commands.
type IssueComment struct {
	*Base
	// Exceptions keeps the exceptions (required).
	Exceptions *exceptions.Store
	// Policies loads the base branch's policy (nil: the built-in default).
	Policies checks.PolicySource
	// Queue takes the rescans the commands ask for (required).
	Queue store.Queue
	// KV remembers each comment's reply, so a job run twice edits it.
	KV store.KV
	// Tracker, when set, records approved false positives and accepted
	// risks in the findings' lifecycle.
	Tracker *lifecycle.Tracker
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

var _ githubapp.EventHandler = (*IssueComment)(nil)

// Handles implements githubapp.EventHandler.
func (h *IssueComment) Handles() []string { return []string{"issue_comment"} }

// Handle implements githubapp.EventHandler.
func (h *IssueComment) Handle(ctx context.Context, _, deliveryID string, payload []byte) error {
	var ev github.IssueCommentEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing issue_comment payload: %w", err))
	}
	if ev.GetAction() != "created" || h.isBot(ctx, ev.GetSender()) || h.isBot(ctx, ev.GetComment().GetUser()) {
		return nil
	}
	parsed := commands.Parse(ev.GetComment().GetBody(), h.now())
	if parsed.Ignore() {
		return nil
	}
	repo, issue := ev.GetRepo(), ev.GetIssue()
	installationID := githubapp.GetInstallationIDFromEvent(&ev)
	ctx, logger := githubapp.PreparePRContext(ctx, installationID, repo, issue.GetNumber())
	ctx = logger.With().Int64(LogKeyCommentID, ev.GetComment().GetID()).Str(LogKeyUser, ev.GetSender().GetLogin()).
		Logger().WithContext(ctx)
	gh, err := h.NewInstallationClient(installationID)
	if err != nil {
		return fmt.Errorf("creating installation client: %w", err)
	}
	r := h.newRun(gh, deliveryID, installationID, &ev)
	return r.execute(ctx, parsed)
}

// isBot reports whether u is a bot: this app, or any other.
func (h *IssueComment) isBot(ctx context.Context, u *github.User) bool {
	return u != nil && (u.GetType() == "Bot" || strings.HasSuffix(strings.ToLower(u.GetLogin()), "[bot]") || h.isSelf(ctx, u))
}

func (h *IssueComment) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// newRun gathers what the commands of one comment share.
func (h *IssueComment) newRun(gh *github.Client, deliveryID string, installationID int64, ev *github.IssueCommentEvent) *commentRun {
	repo, c := ev.GetRepo(), ev.GetComment()
	return &commentRun{
		h: h, gh: gh, deliveryID: deliveryID, issue: ev.GetIssue(),
		repo: exceptions.Repo{ID: repo.GetID(), Owner: repo.GetOwner().GetLogin(), Name: repo.GetName(),
			InstallationID: installationID},
		user: ev.GetSender().GetLogin(), commentID: c.GetID(), commentURL: c.GetHTMLURL(),
	}
}

// execute answers a comment that holds commands or problems.
func (r *commentRun) execute(ctx context.Context, parsed commands.Parsed) error {
	log := zerolog.Ctx(ctx)
	switch {
	case !r.issue.IsPullRequest():
		log.Info().Msg("Commands on an issue that is not a pull request; replying")
		return r.refuse(ctx, "`/conviso` commands work on pull requests only; this is an issue.")
	case r.issue.GetState() != "open":
		return r.refuse(ctx, "This pull request is closed: `/conviso` commands are not run on closed pull requests.")
	case len(parsed.Problems) > 0:
		return r.refuse(ctx, problemsReply(parsed.Problems))
	}
	if err := r.react(ctx, ReactionWorking); err != nil {
		return err
	}
	if err := r.loadPR(ctx); err != nil {
		return err
	}
	var lines []string
	for _, c := range parsed.Commands {
		log.Info().Str(LogKeyCommand, string(c.Kind)).Msg("Running command")
		line, err := r.run(ctx, c)
		if err != nil {
			return err
		}
		lines = append(lines, line)
	}
	if err := r.reply(ctx, strings.Join(lines, "\n\n")); err != nil {
		return err
	}
	if r.refused {
		return r.react(ctx, ReactionRefused)
	}
	return r.react(ctx, ReactionDone)
}

// refuse answers a comment whose commands cannot run at all.
func (r *commentRun) refuse(ctx context.Context, text string) error {
	if err := r.reply(ctx, text); err != nil {
		return err
	}
	return r.react(ctx, ReactionRefused)
}

// problemsReply lists the problems of a comment; nothing was run.
func problemsReply(problems []commands.Problem) string {
	var b strings.Builder
	b.WriteString("Nothing was run: this comment has problems.\n\n")
	for _, p := range problems {
		b.WriteString("- " + p.String() + "\n")
	}
	b.WriteString("\n`/conviso help` lists the commands.")
	return b.String()
}
