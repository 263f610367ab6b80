package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/store"
)

// MaxAnnotationsPerRequest is GitHub's limit: "The Checks API limits the
// number of annotations to a maximum of 50 per API request"
// (https://docs.github.com/rest/checks/runs#update-a-check-run).
const MaxAnnotationsPerRequest = 50

// RescanIdentifier identifies the check run's "Re-run scan" button in the
// check_run requested_action event.
const RescanIdentifier = "rescan"

// rescanAction is the button on every completed check run. GitHub's limits:
// label 20 characters, description 40, identifier 20
// (https://docs.github.com/rest/checks/runs#update-a-check-run).
var rescanAction = &github.CheckRunAction{
	Label: "Re-run scan", Description: "Scan this commit again", Identifier: RescanIdentifier,
}

// maxExternalIDLen keeps external_id short; GitHub documents no limit.
const maxExternalIDLen = 100

// recordTTL is how long a check run's record outlives its job.
const recordTTL = 7 * 24 * time.Hour

// Key prefixes of check run records in the store.
const (
	keyRunByJob    = "checkrun:job:"
	keyRunOpen     = "checkrun:open:"
	keyRunCreating = "checkrun:creating:"
)

// RunRecord is the app's memory of one check run, so that a job that runs
// twice reuses its check run and the watchdog can finish orphaned ones.
type RunRecord struct {
	InstallationID  int64     `json:"installation_id"`
	Owner           string    `json:"owner"`
	Repo            string    `json:"repo"`
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	HeadSHA         string    `json:"head_sha"`
	JobKey          string    `json:"job_key"`
	StartedAt       time.Time `json:"started_at"`
	HeartbeatAt     time.Time `json:"heartbeat_at"`
	AnnotationsSent int       `json:"annotations_sent"`
	Completed       bool      `json:"completed"`
}

// Publisher creates and completes check runs and remembers them.
type Publisher struct {
	Store      store.KV
	Name       string
	DetailsURL string
	Now        func() time.Time
}

func (p *Publisher) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Start returns the job's check run, creating it in_progress unless an
// earlier attempt of the same job already did.
func (p *Publisher) Start(ctx context.Context, gh *github.Client, t Target) (*RunRecord, error) {
	rec, err := p.load(ctx, keyRunByJob+t.JobKey)
	if err == nil && !rec.Completed {
		return rec, p.Heartbeat(ctx, rec)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if rec, err := p.adopt(ctx, gh, t); rec != nil || err != nil {
		return rec, err
	}
	if err := p.Store.Put(ctx, keyRunCreating+t.JobKey, []byte(t.HeadSHA), recordTTL); err != nil {
		return nil, fmt.Errorf("marking check run creation: %w", err)
	}
	now := p.now()
	opts := github.CreateCheckRunOptions{
		Name:       p.Name,
		HeadSHA:    t.HeadSHA,
		ExternalID: github.String(truncate(t.JobKey, maxExternalIDLen)),
		Status:     github.String("in_progress"),
		StartedAt:  &github.Timestamp{Time: now},
		Output: &github.CheckRunOutput{
			Title:   github.String("Scanning…"),
			Summary: github.String("The Conviso security scan of " + code(t.HeadSHA) + " is running."),
		},
	}
	if p.DetailsURL != "" {
		opts.DetailsURL = github.String(p.DetailsURL)
	}
	run, _, err := gh.Checks.CreateCheckRun(ctx, t.Owner, t.Repo, opts)
	if err != nil {
		return nil, fmt.Errorf("creating check run: %w", err)
	}
	rec = &RunRecord{
		InstallationID: t.InstallationID, Owner: t.Owner, Repo: t.Repo, ID: run.GetID(), Name: p.Name,
		HeadSHA: t.HeadSHA, JobKey: t.JobKey, StartedAt: now, HeartbeatAt: now,
	}
	return rec, p.remember(ctx, rec)
}

// remember saves a new run's records and clears the creation marker.
func (p *Publisher) remember(ctx context.Context, rec *RunRecord) error {
	if err := p.save(ctx, keyRunByJob+rec.JobKey, rec); err != nil {
		return err
	}
	if err := p.save(ctx, openKey(rec), rec); err != nil {
		return err
	}
	return p.Store.Delete(ctx, keyRunCreating+rec.JobKey)
}

// adopt finds the check run an earlier attempt of the job created but died
// before recording (GitHub answered, the process did not live to save it):
// the run carries the job key as its external_id.
func (p *Publisher) adopt(ctx context.Context, gh *github.Client, t Target) (*RunRecord, error) {
	if _, err := p.Store.Get(ctx, keyRunCreating+t.JobKey); errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("reading check run creation marker: %w", err)
	}
	res, _, err := gh.Checks.ListCheckRunsForRef(ctx, t.Owner, t.Repo, t.HeadSHA, &github.ListCheckRunsOptions{
		CheckName: github.String(p.Name), Filter: github.String("all"), ListOptions: github.ListOptions{PerPage: perPage},
	})
	if err != nil {
		return nil, fmt.Errorf("looking for an orphaned check run: %w", err)
	}
	for _, run := range res.CheckRuns {
		if run.GetExternalID() == truncate(t.JobKey, maxExternalIDLen) && run.GetStatus() != "completed" {
			now := p.now()
			rec := &RunRecord{
				InstallationID: t.InstallationID, Owner: t.Owner, Repo: t.Repo, ID: run.GetID(), Name: p.Name,
				HeadSHA: t.HeadSHA, JobKey: t.JobKey, StartedAt: run.GetStartedAt().Time, HeartbeatAt: now,
			}
			return rec, p.remember(ctx, rec)
		}
	}
	return nil, nil
}

// Heartbeat tells the watchdog the run's job is alive.
func (p *Publisher) Heartbeat(ctx context.Context, rec *RunRecord) error {
	rec.HeartbeatAt = p.now()
	return p.save(ctx, openKey(rec), rec)
}

// Complete writes the result: annotations in batches of at most 50, the last
// batch with the conclusion. Batches sent by an earlier attempt of the same
// job are not sent again.
func (p *Publisher) Complete(ctx context.Context, gh *github.Client, rec *RunRecord, out Output) error {
	output := func(batch []*github.CheckRunAnnotation) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.String(out.Title), Summary: github.String(out.Summary), Annotations: batch}
	}
	pending := out.Annotations[min(rec.AnnotationsSent, len(out.Annotations)):]
	for len(pending) > MaxAnnotationsPerRequest {
		batch := pending[:MaxAnnotationsPerRequest]
		if _, _, err := gh.Checks.UpdateCheckRun(ctx, rec.Owner, rec.Repo, rec.ID, github.UpdateCheckRunOptions{
			Name: rec.Name, Output: output(batch),
		}); err != nil {
			return fmt.Errorf("adding annotations to check run %d: %w", rec.ID, err)
		}
		rec.AnnotationsSent += len(batch)
		pending = pending[len(batch):]
		if err := p.save(ctx, keyRunByJob+rec.JobKey, rec); err != nil {
			return err
		}
	}
	if _, _, err := gh.Checks.UpdateCheckRun(ctx, rec.Owner, rec.Repo, rec.ID, github.UpdateCheckRunOptions{
		Name:        rec.Name,
		Status:      github.String("completed"),
		Conclusion:  github.String(out.Conclusion),
		CompletedAt: &github.Timestamp{Time: p.now()},
		Output:      output(pending),
		Actions:     []*github.CheckRunAction{rescanAction},
	}); err != nil {
		return fmt.Errorf("completing check run %d: %w", rec.ID, err)
	}
	rec.AnnotationsSent += len(pending)
	rec.Completed = true
	if err := p.save(ctx, keyRunByJob+rec.JobKey, rec); err != nil {
		return err
	}
	return p.Store.Delete(ctx, openKey(rec))
}

func openKey(rec *RunRecord) string {
	return fmt.Sprintf("%s%d:%d", keyRunOpen, rec.InstallationID, rec.ID)
}

func (p *Publisher) load(ctx context.Context, key string) (*RunRecord, error) {
	b, err := p.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var rec RunRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("decoding check run record %s: %w", key, err)
	}
	return &rec, nil
}

func (p *Publisher) save(ctx context.Context, key string, rec *RunRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encoding check run record: %w", err)
	}
	if err := p.Store.Put(ctx, key, b, recordTTL); err != nil {
		return fmt.Errorf("saving check run record: %w", err)
	}
	return nil
}
