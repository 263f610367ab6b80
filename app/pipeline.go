package app

import (
	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/conviso/conviso-github-app/checks"
	"github.com/conviso/conviso-github-app/config"
	"github.com/conviso/conviso-github-app/handlers"
	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/gatehistory"
	"github.com/conviso/conviso-github-app/internal/lifecycle"
	"github.com/conviso/conviso-github-app/internal/onboard"
	"github.com/conviso/conviso-github-app/internal/recording"
	"github.com/conviso/conviso-github-app/internal/store"
)

type pipeline struct {
	store      store.Store
	runner     *checks.Runner
	watchdog   *checks.Watchdog
	inventory  *onboard.Inventory
	tracker    *lifecycle.Tracker
	exceptions *exceptions.Store
}

func newPipeline(cfg *config.Config, st store.Store, gh *gitHub, workDir string, o options) (pipeline, error) {
	scanners, err := builtinScanners(cfg, st, o)
	if err != nil {
		return pipeline{}, err
	}
	server, err := serverPolicy(cfg)
	if err != nil {
		return pipeline{}, err
	}
	inv := &onboard.Inventory{KV: st}
	tracker := &lifecycle.Tracker{KV: st, Locker: st}
	pub := &checks.Publisher{Store: st, Name: cfg.CheckName, DetailsURL: cfg.PublicURL}
	excs := &exceptions.Store{KV: st, Locker: st}
	runner := &checks.Runner{
		Store: st, Publisher: pub, Scanners: scanners, HTTPClient: gh.download,
		WorkDir: workDir, ScanTimeout: cfg.ScanTimeout,
		Policies:   &checks.GitHubPolicies{Server: server, KV: st},
		Aging:      tracker,
		Exceptions: excs,
		Recorder:   &recording.Recorder{History: &gatehistory.Store{KV: st}, Inventory: inv, Lifecycle: tracker},
	}
	wd := &checks.Watchdog{
		Store: st, Publisher: pub, StaleAfter: o.staleAfter, Interval: o.watchEvery, Owner: consumerName(),
		Client: func(id int64) (*github.Client, error) { return gh.NewInstallationClient(id) },
	}
	return pipeline{store: st, runner: runner, watchdog: wd, inventory: inv, tracker: tracker, exceptions: excs}, nil
}

func newHandlers(cfg *config.Config, gh *gitHub, p pipeline, newRepos func()) []githubapp.EventHandler {
	base := &handlers.Base{ClientCreator: gh, Scans: p.runner, Inventory: p.inventory, AppID: cfg.AppID,
		AppSlug: gh.Slug, NewRepos: newRepos}
	return []githubapp.EventHandler{
		&handlers.PullRequest{Base: base},
		&handlers.Push{Base: base},
		&handlers.CheckRun{Base: base},
		&handlers.CheckSuite{Base: base},
		&handlers.Installation{Base: base},
		&handlers.InstallationRepositories{Base: base},
		&handlers.Repository{Base: base},
		&handlers.IssueComment{Base: base, Exceptions: p.exceptions, Policies: p.runner.Policies,
			Queue: p.store, KV: p.store, Tracker: p.tracker},
	}
}

// internalHandlers run the app's own jobs (never reachable by a webhook).
func internalHandlers(cfg *config.Config, gh *gitHub, p pipeline) []githubapp.EventHandler {
	base := &handlers.Base{ClientCreator: gh, Scans: p.runner, Inventory: p.inventory, AppID: cfg.AppID, AppSlug: gh.Slug}
	return []githubapp.EventHandler{
		&handlers.Baseline{Base: base, OnboardingPR: onboardingPR(cfg, p)},
		&handlers.Rescan{Base: base},
		&handlers.SARIFUpload{Base: base, Uploads: p.runner, Store: p.store},
	}
}

// onboardingPR is the onboarding pull request step, nil unless CONVISO_ONBOARDING_PR=on.
func onboardingPR(cfg *config.Config, p pipeline) *handlers.OnboardingPR {
	if !cfg.OnboardingPR {
		return nil
	}
	return &handlers.OnboardingPR{KV: p.store, PolicyPath: checks.PolicyPath}
}
