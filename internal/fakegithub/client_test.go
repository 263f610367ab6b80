package fakegithub_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

// fixture is a fake with one installation, one repository and one pull
// request that adds, modifies, renames and deletes files.
type fixture struct {
	gh   *fakegithub.Server
	inst *fakegithub.Installation
	repo *fakegithub.Repo
	pr   *fakegithub.PullRequest
}

func newFixture(t *testing.T, opts ...fakegithub.Option) fixture {
	t.Helper()
	gh := fakegithub.New(t, opts...)
	inst := gh.AddInstallation(fakegithub.InstallationSpec{Account: "acme"})
	repo := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "api", InstallationID: inst.ID, Files: map[string]string{
		"README.md":   "# api\n",
		"src/main.go": "package main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n",
		"old.txt":     strings.Repeat("line\n", 20),
		"gone.txt":    "bye\n",
	}})
	repo.Commit(fakegithub.CommitSpec{Branch: "feature", Message: "Add config", Files: map[string]string{
		"src/main.go":   "package main\n\nfunc main() {\n\tprintln(\"hello\")\n}\n",
		"config/.env":   "AWS_SECRET=x\n",
		"new-name.txt":  strings.Repeat("line\n", 20),
		"bin/blob.data": "\x00\x01\x02binary",
	}, Delete: []string{"gone.txt", "old.txt"}})
	pr := repo.OpenPullRequest(fakegithub.PullRequestSpec{Head: "feature", Title: "Add config"})
	return fixture{gh: gh, inst: inst, repo: repo, pr: pr}
}

// client is a go-github client authenticating as the installation through
// ghinstallation, exactly as the app does.
func (f fixture) client(t *testing.T) *github.Client {
	t.Helper()
	itr := ghinstallation.NewFromAppsTransport(f.appsTransport(t), f.inst.ID)
	return newClient(t, &http.Client{Transport: itr}, f.gh.URL())
}

// appClient authenticates with the app JWT.
func (f fixture) appClient(t *testing.T) *github.Client {
	t.Helper()
	return newClient(t, &http.Client{Transport: f.appsTransport(t)}, f.gh.URL())
}

// appsTransport signs app JWTs with the fake's key, against the fake.
func (f fixture) appsTransport(t *testing.T) *ghinstallation.AppsTransport {
	t.Helper()
	atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, f.gh.AppID(), f.gh.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	atr.BaseURL = f.gh.URL()
	return atr
}

func newClient(t *testing.T, hc *http.Client, base string) *github.Client {
	t.Helper()
	c := github.NewClient(hc)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

func TestGoGithubClientFlow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client(t)

	repo, _, err := c.Repositories.Get(ctx, "acme", "api")
	if err != nil {
		t.Fatalf("get repo: %v", err)
	}
	if repo.GetFullName() != "acme/api" || !repo.GetPrivate() {
		t.Errorf("repo = %s private=%v", repo.GetFullName(), repo.GetPrivate())
	}
	if n := f.gh.TokensIssued(f.inst.ID); n != 1 {
		t.Errorf("tokens issued = %d, want 1", n)
	}

	link, _, err := c.Repositories.GetArchiveLink(ctx, "acme", "api", github.Tarball,
		&github.RepositoryContentGetOptions{Ref: f.pr.HeadSHA()}, 1)
	if err != nil {
		t.Fatalf("archive link: %v", err)
	}
	files := readTarball(t, link.String())
	prefix := "acme-api-" + f.pr.HeadSHA()[:7] + "/"
	for _, want := range []string{prefix + "src/main.go", prefix + "config/.env", prefix + "README.md"} {
		if _, ok := files[want]; !ok {
			t.Errorf("tarball lacks %s; has %v", want, keys(files))
		}
	}
	if _, ok := files[prefix+"gone.txt"]; ok {
		t.Errorf("tarball of head has deleted gone.txt")
	}

	checkPullFiles(t, c, f)
	f.gh.AssertWithinSecondaryLimits(t)
}

func checkPullFiles(t *testing.T, c *github.Client, f fixture) {
	t.Helper()
	ctx := context.Background()
	var all []*github.CommitFile
	opts := &github.ListOptions{PerPage: 2}
	for {
		page, resp, err := c.PullRequests.ListFiles(ctx, "acme", "api", f.pr.Number, opts)
		if err != nil {
			t.Fatalf("list files: %v", err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	got := map[string]*github.CommitFile{}
	for _, cf := range all {
		got[cf.GetFilename()] = cf
	}
	want := map[string]string{"src/main.go": "modified", "config/.env": "added", "gone.txt": "removed",
		"new-name.txt": "renamed", "bin/blob.data": "added"}
	for name, status := range want {
		if got[name].GetStatus() != status {
			t.Errorf("%s status = %q, want %q", name, got[name].GetStatus(), status)
		}
	}
	patch := got["src/main.go"].GetPatch()
	if !strings.HasPrefix(patch, "@@ -1,5 +1,5 @@") || !strings.Contains(patch, "+\tprintln(\"hello\")") {
		t.Errorf("main.go patch = %q", patch)
	}
	if got["new-name.txt"].GetPreviousFilename() != "old.txt" {
		t.Errorf("rename previous = %q", got["new-name.txt"].GetPreviousFilename())
	}
	if got["bin/blob.data"].Patch != nil {
		t.Errorf("binary file has a patch")
	}
}

func readTarball(t *testing.T, u string) map[string]string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download status %d", resp.StatusCode)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	tr := tar.NewReader(zr)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = string(b)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
