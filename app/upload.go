package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/handlers"
	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/jobs"
	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/sarif"
	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/upload"
)

// blobTTL is how long an accepted upload waits for its job.
const blobTTL = 24 * time.Hour

// maxBlobBytes bounds an upload once compressed in the store (GitHub's own
// code-scanning upload limit is 10 MB compressed).
const maxBlobBytes = 16 << 20

// uploads wires the SARIF upload API: it validates, keeps the log in the
// store (so any replica can process it) and queues the import.
type uploads struct {
	store     store.Store
	inventory *onboard.Inventory
	tokens    *upload.Tokens
}

func newUploadHandler(cfg *config.Config, st store.Store, inv *onboard.Inventory) (http.Handler, *uploads, error) {
	u := &uploads{store: st, inventory: inv, tokens: &upload.Tokens{KV: st}}
	spool := filepath.Join(cfg.DataDir, "uploads")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		return nil, nil, &config.Error{Setting: "CONVISO_DATA_DIR", Problem: fmt.Sprintf("cannot create %s: %v", spool, err)}
	}
	_ = upload.RemoveStaleSpool(spool, time.Hour)
	h := upload.NewHandler(upload.Config{
		SpoolDir: spool, Sink: upload.SinkFunc(u.accept), Validate: validateSARIF, RepoExists: u.repoExists,
		Tokens: u.tokens, OIDC: upload.NewOIDCVerifier(upload.OIDCConfig{}),
	})
	return h, u, nil
}

// validateSARIF imports the log once (nothing kept) so a malformed upload
// gets its error, with position, before it is accepted.
func validateSARIF(ctx context.Context, r io.Reader) error {
	_, err := sarif.ImportFunc(ctx, r, sarif.ImportOptions{RedactMessages: true, SkipBadPaths: true, Truncate: true},
		func(findings.Finding) error { return nil })
	if err != nil {
		return uploadError{status: http.StatusBadRequest, err: err}
	}
	return nil
}

// repoExists accepts repositories the app covers, with their id.
func (u *uploads) repoExists(ctx context.Context, owner, repo string) (upload.Repository, bool, error) {
	rec, ok, err := u.findRepo(ctx, owner, repo)
	if err != nil || !ok {
		return upload.Repository{}, false, err
	}
	o, n, _ := strings.Cut(rec.FullName, "/")
	return upload.Repository{Owner: o, Name: n, ID: rec.ID}, true, nil
}

func (u *uploads) findRepo(ctx context.Context, owner, repo string) (onboard.Repo, bool, error) {
	repos, err := u.inventory.Repos(ctx)
	if err != nil {
		return onboard.Repo{}, false, err
	}
	for _, r := range repos {
		if strings.EqualFold(r.FullName, owner+"/"+repo) && !r.Removed {
			return r, true, nil
		}
	}
	return onboard.Repo{}, false, nil
}

// uploadJob is the queued import of one upload.
type uploadJob struct {
	upload.Upload
	InstallationID int64 `json:"installation_id"`
}

// accept stores the log compressed and queues its import.
func (u *uploads) accept(ctx context.Context, up upload.Upload) error {
	rec, ok, err := u.findRepo(ctx, up.Owner, up.Repo)
	if err != nil || !ok {
		return uploadError{status: http.StatusNotFound, err: fmt.Errorf("the app does not cover %s/%s", up.Owner, up.Repo)}
	}
	blob, err := gzipFile(up.Path)
	if err != nil {
		return err
	}
	if len(blob) > maxBlobBytes {
		return uploadError{status: http.StatusRequestEntityTooLarge, err: fmt.Errorf("compressed log over %d bytes", maxBlobBytes)}
	}
	if err := u.store.Put(ctx, handlers.KeyUploadBlob+up.ID, blob, blobTTL); err != nil {
		return fmt.Errorf("keeping the upload: %w", err)
	}
	payload, err := json.Marshal(uploadJob{Upload: up, InstallationID: rec.InstallationID})
	if err != nil {
		return fmt.Errorf("encoding the upload job: %w", err)
	}
	if _, err := jobs.EnqueueInternal(ctx, u.store, handlers.EventSARIFUpload, up.ID, payload); err != nil {
		_ = u.store.Delete(ctx, handlers.KeyUploadBlob+up.ID)
		return err
	}
	_ = os.Remove(up.Path)
	return nil
}

func gzipFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the upload: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.Copy(zw, f); err != nil {
		return nil, fmt.Errorf("compressing the upload: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing the upload: %w", err)
	}
	return buf.Bytes(), nil
}

// uploadError chooses the HTTP status of a refused upload.
type uploadError struct {
	status int
	err    error
}

func (e uploadError) Error() string   { return e.err.Error() }
func (e uploadError) Unwrap() error   { return e.err }
func (e uploadError) HTTPStatus() int { return e.status }

// uploadRoute is the SARIF upload API's route.
const uploadRoute = upload.Route

// tokenTTL is how long an issued upload token lives unless asked otherwise.
const tokenTTL = 365 * 24 * time.Hour

// issueToken serves POST /api/v1/repos/{owner}/{repo}/tokens: a new
// repository-scoped upload token, shown once.
func (u *uploads) issueToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Note     string `json:"note"`
		IssuedBy string `json:"issued_by"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req)
	if req.IssuedBy == "" {
		req.IssuedBy = "operator API"
	}
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	if _, ok, err := u.findRepo(r.Context(), owner, repo); err != nil || !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "the app does not cover " + owner + "/" + repo})
		return
	}
	token, meta, err := u.tokens.Issue(r.Context(), owner, repo, req.IssuedBy, req.Note, tokenTTL)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": token, "token_info": meta})
}

// revokeToken serves DELETE /api/v1/tokens/{id}.
func (u *uploads) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := u.tokens.Revoke(r.Context(), r.PathValue("id")); err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
