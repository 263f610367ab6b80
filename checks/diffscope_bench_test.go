package checks

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/scanner"
	"github.com/conviso/conviso-github-app/internal/scanner/gitleaks"
	"github.com/conviso/conviso-github-app/internal/store/boltstore"
)

// benchRepoFiles is the size of the repository in BenchmarkPRScan.
const benchRepoFiles = 10000

// BenchmarkPRScan measures a pull request that changes one file of a
// 10,000-file repository, diff-scoped (the base's results stored, only the
// changed file read) against a full scan of the head's tarball, the same
// scanner (gitleaks) and store in the same run:
//
//	go test ./checks -run '^$' -bench PRScan -benchtime 10x
func BenchmarkPRScan(b *testing.B) {
	gh := fakegithub.New(b)
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	files := make(map[string]string, benchRepoFiles)
	for i := 0; i < benchRepoFiles; i++ {
		files[fmt.Sprintf("pkg%03d/file%05d.go", i%200, i)] = fmt.Sprintf("package pkg%03d\n\n// File %d.\nfunc F%d() int { return %d }\n", i%200, i, i, i)
	}
	repo := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "big", InstallationID: inst.ID, Files: files})
	repo.Commit(fakegithub.CommitSpec{Branch: "feature", Files: map[string]string{"pkg000/file00000.go": "package pkg000\n\nvar x = 1\n"}})
	pr := repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "feature"})
	st, err := boltstore.Open(filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	gl, err := gitleaks.New(gitleaks.Options{})
	if err != nil {
		b.Fatal(err)
	}
	gc := gh.InstallationClient(inst.ID)
	runner := &Runner{Store: st, Publisher: &Publisher{Store: st, Name: "bench"}, Scanners: []scanner.Scanner{gl},
		HTTPClient: http.DefaultClient, WorkDir: b.TempDir()}
	ctx := context.Background()
	base := Target{InstallationID: inst.ID, Owner: "acme", Repo: "big", RepoID: repo.ID, HeadSHA: repo.SHA("main"), Ref: "refs/heads/main", JobKey: "base"}
	if err := runner.Run(ctx, gc, base); err != nil { // stores the base's results
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		full bool
	}{{"diff-scoped", false}, {"full", true}} {
		b.Run(mode.name, func(b *testing.B) {
			runner.FullScansOnly = mode.full
			for i := 0; i < b.N; i++ {
				t := Target{InstallationID: inst.ID, Owner: "acme", Repo: "big", RepoID: repo.ID, HeadSHA: pr.HeadSHA(),
					PullRequest: pr.Number, JobKey: fmt.Sprintf("%s-%d", mode.name, i)}
				if err := runner.Run(ctx, gc, t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
