package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/lifecycle"
	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/store"
)

// EventRescan is the internal event that rescans a pull request's current
// head: queued by /conviso retest, by an approval or revocation, and by the
// expiry of an exception.
const EventRescan = "conviso.rescan"

// ExpiryInterval is how often the expiry sweep runs.
const ExpiryInterval = 10 * time.Minute

// Log keys of the rescan and expiry jobs.
const (
	LogKeyException = exceptions.LogKeyException
	LogKeyPR        = "github_pr"
)

// RescanJob is the payload of an EventRescan job.
type RescanJob struct {
	// Repo is the repository.
	Repo exceptions.Repo `json:"repo"`
	// PullRequest is the pull request to rescan.
	PullRequest int `json:"pull_request"`
	// JobKey identifies the scan (the check run is reused when the job
	// runs twice).
	JobKey string `json:"job_key"`
}

// EnqueueRescan queues job, once per dedupKey.
func EnqueueRescan(ctx context.Context, q store.Queue, job RescanJob, dedupKey string) error {
	payload, err := json.Marshal(job)
	if err != nil {
		return fmt.Errorf("encoding rescan job: %w", err)
	}
	if _, err := jobs.EnqueueInternal(ctx, q, EventRescan, dedupKey, payload); err != nil {
		return fmt.Errorf("queueing rescan of #%d: %w", job.PullRequest, err)
	}
	return nil
}

// Rescan runs EventRescan jobs: it scans the pull request's current head
// when the pull request is still open.
type Rescan struct{ *Base }

var _ githubapp.EventHandler = (*Rescan)(nil)

// Handles implements githubapp.EventHandler.
func (h *Rescan) Handles() []string { return []string{EventRescan} }

// Handle implements githubapp.EventHandler.
func (h *Rescan) Handle(ctx context.Context, _, _ string, payload []byte) error {
	var job RescanJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing rescan job: %w", err))
	}
	ctx = zerolog.Ctx(ctx).With().Int64(githubapp.LogKeyInstallationID, job.Repo.InstallationID).
		Str(githubapp.LogKeyRepositoryOwner, job.Repo.Owner).Str(githubapp.LogKeyRepositoryName, job.Repo.Name).
		Int(LogKeyPR, job.PullRequest).Logger().WithContext(ctx)
	gh, err := h.NewInstallationClient(job.Repo.InstallationID)
	if err != nil {
		return fmt.Errorf("creating installation client: %w", err)
	}
	pr, _, err := gh.PullRequests.Get(ctx, job.Repo.Owner, job.Repo.Name, job.PullRequest)
	if err != nil {
		return fmt.Errorf("getting pull request #%d: %w", job.PullRequest, err)
	}
	if pr.GetState() != "open" {
		zerolog.Ctx(ctx).Info().Msg("Pull request closed; not rescanning")
		return nil
	}
	sha := pr.GetHead().GetSHA()
	ctx = zerolog.Ctx(ctx).With().Str(LogKeySHA, sha).Logger().WithContext(ctx)
	return h.Scans.Run(ctx, gh, checks.Target{
		InstallationID: job.Repo.InstallationID, Owner: job.Repo.Owner, Repo: job.Repo.Name, RepoID: job.Repo.ID,
		HeadSHA: sha, PullRequest: job.PullRequest, JobKey: job.JobKey,
	})
}

// ExceptionExpiry is the periodic sweep: it marks exceptions past their
// expiry as expired and queues a rescan of every pull request they touched
// (closed ones are skipped), so their checks count the findings again.
type ExceptionExpiry struct {
	// Exceptions is the store swept (its Now is the sweep's clock).
	Exceptions *exceptions.Store
	// Queue takes the rescans.
	Queue store.Queue
	// Owner identifies this replica for the sweep lock.
	Owner string
}

// Run sweeps once.
func (x *ExceptionExpiry) Run(ctx context.Context) error {
	expired, err := x.Exceptions.ExpireDue(ctx, x.Owner)
	for _, e := range expired {
		zerolog.Ctx(ctx).Info().Str(LogKeyException, e.ID()).Msg("Exception expired")
		for _, pr := range e.PullRequests {
			key := fmt.Sprintf("expired:%s:%s:%d", e.ID(), e.Until.Format(time.RFC3339), pr)
			if qerr := EnqueueRescan(ctx, x.Queue, RescanJob{Repo: e.Repo, PullRequest: pr, JobKey: key}, key); qerr != nil {
				return qerr
			}
		}
	}
	if err != nil {
		return fmt.Errorf("expiring exceptions: %w", err)
	}
	return nil
}

// recordDecision records an approved false-positive or accepted-risk
// exception in the findings' lifecycle, for the findings it knows of.
// Failures are logged: the exception stands either way.
func (h *IssueComment) recordDecision(ctx context.Context, e exceptions.Exception, login, commentURL string) {
	to := lifecycle.StatusNone
	switch e.Kind {
	case policy.KindFalsePositive:
		to = lifecycle.StatusFalsePositive
	case policy.KindAcceptedRisk:
		to = lifecycle.StatusRiskAccepted
	}
	if h.Tracker == nil || to == lifecycle.StatusNone {
		return
	}
	log := zerolog.Ctx(ctx)
	recs, err := h.Tracker.List(ctx, e.Repo.FullName(), lifecycle.Filter{})
	if err != nil {
		log.Warn().Err(err).Msg("Could not read the findings' lifecycle")
		return
	}
	for _, rec := range recs {
		if (e.Scope.FindingID != "" && rec.FindingID != e.Scope.FindingID) ||
			(e.Scope.RuleID != "" && rec.RuleID != e.Scope.RuleID) || rec.Status == to || !rec.Status.Open() {
			continue
		}
		ev := lifecycle.Evidence{CommentURL: commentURL, Note: "exception " + e.Scope.String() + " approved"}
		if _, err := h.Tracker.SetDecision(ctx, e.Repo.FullName(), rec.Fingerprint, to, lifecycle.UserActor(login), ev); err != nil {
			log.Warn().Err(err).Str(LogKeyException, e.ID()).Msg("Could not record the exception in the findings' lifecycle")
		}
	}
}
