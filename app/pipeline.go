package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/handlers"
	"github.com/conviso/conviso-github-app/scanner"
	"github.com/conviso/conviso-github-app/scanner/gitleaks"
	"github.com/conviso/conviso-github-app/store"
)

type pipeline struct {
	runner   *checks.Runner
	watchdog *checks.Watchdog
}

func newPipeline(cfg *config.Config, st store.Store, gh *gitHub, workDir string, o options) (pipeline, error) {
	scanners := o.scanners
	if scanners == nil {
		key, err := fingerprintKey(st)
		if err != nil {
			return pipeline{}, err
		}
		gl, err := gitleaks.New(gitleaks.Options{FingerprintKey: key})
		if err != nil {
			return pipeline{}, fmt.Errorf("starting gitleaks: %w", err)
		}
		scanners = []scanner.Scanner{gl}
	}
	pub := &checks.Publisher{Store: st, Name: cfg.CheckName, DetailsURL: cfg.PublicURL}
	runner := &checks.Runner{
		Store: st, Publisher: pub, Scanners: scanners, HTTPClient: gh.download,
		WorkDir: workDir, ScanTimeout: cfg.ScanTimeout,
	}
	wd := &checks.Watchdog{
		Store: st, Publisher: pub, StaleAfter: o.staleAfter, Interval: o.watchEvery, Owner: consumerName(),
		Client: func(id int64) (*github.Client, error) { return gh.NewInstallationClient(id) },
	}
	return pipeline{runner: runner, watchdog: wd}, nil
}

// keyFingerprint is where the deployment's fingerprint key lives: created
// once, shared by every replica, never logged.
const keyFingerprint = "secret:fingerprint-key"

// fingerprintKey returns the deployment's key for secret fingerprints,
// creating it on first start.
func fingerprintKey(st store.KV) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("generating the fingerprint key: %w", err)
	}
	if _, err := st.PutIfAbsent(ctx, keyFingerprint, fresh, 0); err != nil {
		return nil, fmt.Errorf("storing the fingerprint key: %w", err)
	}
	key, err := st.Get(ctx, keyFingerprint)
	if err != nil {
		return nil, fmt.Errorf("reading the fingerprint key: %w", err)
	}
	return key, nil
}

func newHandlers(cfg *config.Config, st store.Store, gh *gitHub, runner *checks.Runner) []githubapp.EventHandler {
	base := &handlers.Base{ClientCreator: gh, Scans: runner, Store: st, AppID: cfg.AppID, AppSlug: gh.Slug}
	return []githubapp.EventHandler{
		&handlers.PullRequest{Base: base},
		&handlers.Push{Base: base},
		&handlers.CheckRun{Base: base},
		&handlers.CheckSuite{Base: base},
		&handlers.Installation{Base: base},
		&handlers.InstallationRepositories{Base: base},
	}
}
