// Package fakegithub is a strict, in-process fake of GitHub's REST API and
// webhook deliveries for the Conviso GitHub App's tests.
//
// Every request the app sends is validated against GitHub's own OpenAPI
// description (a trimmed copy in testdata, see testdata/README.md), as is
// every response the fake sends and every webhook payload a test builds. A
// request that fails validation is answered as GitHub would (404 or 422) and
// recorded as a violation; the test fails at cleanup while violations remain.
//
// Repositories are real git repositories: tarballs come from git archive and
// pull request files from git diff, so commit SHAs, patches and archive
// layouts are the real thing.
//
// Typical use:
//
//	gh := fakegithub.New(t)
//	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
//	repo := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "api",
//		InstallationID: inst.ID, Files: map[string]string{"main.go": "package main\n"}})
//	repo.Commit(fakegithub.CommitSpec{Branch: "feature", Files: map[string]string{"k.txt": "secret"}})
//	pr := repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "feature"})
//	hook := gh.PullRequestEvent(pr, "opened")
//	res := gh.Deliver(appURL+"/webhook", "secret", hook)
//	runs := gh.CheckRuns("acme", "api")
package fakegithub
