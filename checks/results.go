package checks

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/store"
)

// keyResults prefixes the stored results of one commit's scan.
const keyResults = "results:"

// resultsTTL is how long a commit's results are kept for comparisons.
const resultsTTL = 90 * 24 * time.Hour

// maxStoredResults bounds what one commit's results may occupy once
// compressed; larger results are not stored (the base is then rescanned).
const maxStoredResults = 16 << 20

// CommitResults are the findings of one complete scan of one commit.
type CommitResults struct {
	Commit   string             `json:"commit"`
	Scanners []ScannerRun       `json:"scanners"`
	Findings []findings.Finding `json:"findings"`
	At       time.Time          `json:"at"`
}

// covers reports whether these results include a successful run of every
// scanner in names.
func (c *CommitResults) covers(names []string) bool {
	ran := map[string]bool{}
	for _, s := range c.Scanners {
		if s.Error == "" {
			ran[s.Name] = true
		}
	}
	for _, n := range names {
		if !ran[n] {
			return false
		}
	}
	return true
}

func resultsKey(repoID int64, sha string) string {
	return fmt.Sprintf("%s%d:%s", keyResults, repoID, sha)
}

// saveResults stores a commit's complete results, gzip-compressed.
func saveResults(ctx context.Context, kv store.KV, repoID int64, res *CommitResults) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(res); err != nil {
		return fmt.Errorf("encoding results of %s: %w", res.Commit, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compressing results of %s: %w", res.Commit, err)
	}
	if buf.Len() > maxStoredResults {
		return nil
	}
	if err := kv.Put(ctx, resultsKey(repoID, res.Commit), buf.Bytes(), resultsTTL); err != nil {
		return fmt.Errorf("saving results of %s: %w", res.Commit, err)
	}
	return nil
}

// loadResults returns a commit's stored results, or store.ErrNotFound.
func loadResults(ctx context.Context, kv store.KV, repoID int64, sha string) (*CommitResults, error) {
	b, err := kv.Get(ctx, resultsKey(repoID, sha))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("reading results of %s: %w", sha, err)
	}
	var res CommitResults
	if err := json.NewDecoder(io.LimitReader(zr, 10*maxStoredResults)).Decode(&res); err != nil {
		return nil, fmt.Errorf("decoding results of %s: %w", sha, err)
	}
	return &res, nil
}
