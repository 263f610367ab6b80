package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/sarif"
	"github.com/conviso/conviso-github-app/internal/store"
)

// EventSARIFUpload is the internal event that imports an uploaded SARIF log.
const EventSARIFUpload = "conviso.sarif_upload"

// KeyUploadBlob prefixes an accepted upload's compressed log in the store.
const KeyUploadBlob = "upload:blob:"

// UploadRunner reports uploaded results (checks.Runner in production).
type UploadRunner interface {
	RunUploaded(ctx context.Context, gh *github.Client, t checks.Target, up checks.Uploaded) error
}

// SARIFUpload imports an uploaded SARIF log and reports it through the gate.
type SARIFUpload struct {
	*Base
	Uploads UploadRunner
	// Store holds the uploaded logs.
	Store store.KV
}

var _ githubapp.EventHandler = (*SARIFUpload)(nil)

// Handles implements githubapp.EventHandler.
func (h *SARIFUpload) Handles() []string { return []string{EventSARIFUpload} }

// uploadPayload is what the upload API queued (see app/upload.go).
type uploadPayload struct {
	ID             string `json:"id"`
	Owner          string `json:"owner"`
	Repo           string `json:"repo"`
	RepoID         int64  `json:"repo_id"`
	CommitSHA      string `json:"commit_sha"`
	Ref            string `json:"ref"`
	Category       string `json:"category"`
	InstallationID int64  `json:"installation_id"`
}

// prRef matches refs/pull/<n>/head and refs/pull/<n>/merge.
var prRef = regexp.MustCompile(`^refs/pull/([0-9]+)/(?:head|merge)$`)

// Handle implements githubapp.EventHandler.
func (h *SARIFUpload) Handle(ctx context.Context, _, deliveryID string, payload []byte) error {
	var p uploadPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("parsing upload job: %w", err))
	}
	ctx = zerolog.Ctx(ctx).With().Int64(githubapp.LogKeyInstallationID, p.InstallationID).
		Str(githubapp.LogKeyRepositoryOwner, p.Owner).Str(githubapp.LogKeyRepositoryName, p.Repo).
		Str(LogKeySHA, p.CommitSHA).Str("category", p.Category).Logger().WithContext(ctx)
	res, err := h.importBlob(ctx, p.ID)
	if err != nil {
		return err
	}
	gh, err := h.NewInstallationClient(p.InstallationID)
	if err != nil {
		return err
	}
	t := checks.Target{InstallationID: p.InstallationID, Owner: p.Owner, Repo: p.Repo, RepoID: p.RepoID,
		HeadSHA: p.CommitSHA, Ref: p.Ref, JobKey: "upload:" + p.ID}
	if m := prRef.FindStringSubmatch(p.Ref); m != nil {
		t.PullRequest, _ = strconv.Atoi(m[1])
		t.Ref = ""
	}
	if err := h.Uploads.RunUploaded(ctx, gh, t, checks.Uploaded{Category: p.Category, Result: res}); err != nil {
		return err
	}
	return h.Store.Delete(ctx, KeyUploadBlob+p.ID)
}

// importBlob reads the stored log. Messages are replaced by the rules'
// descriptions: a secret scanner's SARIF may quote the secret.
func (h *SARIFUpload) importBlob(ctx context.Context, id string) (*sarif.Result, error) {
	blob, err := h.Store.Get(ctx, KeyUploadBlob+id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, jobs.Permanent(fmt.Errorf("upload %s expired before it was imported", id))
	} else if err != nil {
		return nil, fmt.Errorf("reading upload %s: %w", id, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, jobs.Permanent(fmt.Errorf("upload %s: %w", id, err))
	}
	res, err := sarif.Import(ctx, zr, sarif.ImportOptions{RedactMessages: true, SkipBadPaths: true, Truncate: true})
	if err != nil {
		return nil, jobs.Permanent(fmt.Errorf("importing upload %s: %w", id, err))
	}
	return res, nil
}
