package app

import (
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
		gl, err := gitleaks.New(gitleaks.Options{})
		if err != nil {
			return pipeline{}, err
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
