package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/internal/store"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
	"github.com/conviso/conviso-github-app/internal/store/redisstore"
)

// boltFile is the embedded store's file name inside CONVISO_DATA_DIR.
const boltFile = "conviso.db"

// openStore opens Redis when CONVISO_REDIS_URL is set, else the bbolt file.
func openStore(cfg *config.Config) (store.Store, error) {
	if cfg.RedisURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := redisstore.Open(ctx, cfg.RedisURL, redisstore.WithPrefix(cfg.RedisPrefix))
		if err != nil {
			return nil, &config.Error{Setting: "CONVISO_REDIS_URL", Problem: fmt.Sprintf("cannot use Redis: %v", err)}
		}
		return st, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, &config.Error{Setting: "CONVISO_DATA_DIR", Problem: fmt.Sprintf("cannot create %s: %v", cfg.DataDir, err)}
	}
	st, err := boltstore.Open(filepath.Join(cfg.DataDir, boltFile))
	if err != nil {
		return nil, &config.Error{Setting: "CONVISO_DATA_DIR", Problem: fmt.Sprintf("cannot open the store in %s: %v", cfg.DataDir, err)}
	}
	return st, nil
}

// prepareWorkDir creates the folder scans extract into and removes what a
// crashed process left there: any scan folder older than twice the scan
// timeout belongs to a dead scan (replicas may share the folder).
func prepareWorkDir(dataDir string, scanTimeout time.Duration) (string, error) {
	dir := filepath.Join(dataDir, "work")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", &config.Error{Setting: "CONVISO_DATA_DIR", Problem: fmt.Sprintf("cannot create %s: %v", dir, err)}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", &config.Error{Setting: "CONVISO_DATA_DIR", Problem: fmt.Sprintf("cannot read %s: %v", dir, err)}
	}
	cutoff := time.Now().Add(-2 * scanTimeout)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	return dir, nil
}
