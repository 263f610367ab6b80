package fakegithub_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/conviso/conviso-github-app/internal/fakegithub"
)

// allWebhooks builds one payload of every event and action the tests send.
func allWebhooks(t *testing.T, f fixture) map[string]fakegithub.Webhook {
	t.Helper()
	gh, repo, pr := f.gh, f.repo, f.pr
	out := map[string]fakegithub.Webhook{}
	add := func(w fakegithub.Webhook) {
		key := w.Event
		if w.Action != "" {
			key += "." + w.Action
		}
		out[key] = w
	}
	add(gh.PullRequestEvent(pr, "opened"))
	before := pr.HeadSHA()
	repo.Commit(fakegithub.CommitSpec{Branch: "feature", Files: map[string]string{"more.txt": "more\n"}})
	add(gh.PullRequestEvent(pr, "synchronize"))
	add(gh.PushEvent(repo, "feature", before, "octocat"))
	add(gh.PushEvent(repo, "feature", "", "octocat"))
	pr.Edit("New title", "New body")
	add(gh.PullRequestEvent(pr, "edited"))
	pr.SetDraft(false)
	add(gh.PullRequestEvent(pr, "ready_for_review"))
	pr.Close(false)
	add(gh.PullRequestEvent(pr, "closed"))
	pr.Reopen()
	add(gh.PullRequestEvent(pr, "reopened"))

	run := createRun(t, f)
	add(gh.CheckRunEvent(run, "rerequested", "", "octocat"))
	add(gh.CheckRunEvent(run, "requested_action", "ignore", "octocat"))
	add(gh.CheckSuiteEvent(repo, pr.HeadSHA(), "rerequested", "octocat"))

	for _, a := range []string{"created", "deleted", "suspend", "unsuspend"} {
		add(gh.InstallationEvent(f.inst, a, "octocat"))
	}
	extra := gh.AddRepo(fakegithub.RepoSpec{Owner: "acme", Name: "extra", InstallationID: f.inst.ID})
	add(gh.InstallationRepositoriesEvent(f.inst, "added", "octocat", extra))
	add(gh.InstallationRepositoriesEvent(f.inst, "removed", "octocat", extra))

	cm := repo.AddComment(pr.Number, "octocat", "@conviso rescan")
	add(gh.IssueCommentEvent(repo, cm, "created"))
	cm.Edits, cm.Body = []string{cm.Body}, "@conviso ignore"
	add(gh.IssueCommentEvent(repo, cm, "edited"))
	issue := repo.OpenIssue("Bug", "octocat")
	add(gh.IssueCommentEvent(repo, repo.AddComment(issue.Number, "octocat", "hi"), "created"))

	add(gh.RepositoryEvent(extra, "created", "", "octocat"))
	extra.SetArchived(true)
	add(gh.RepositoryEvent(extra, "archived", "", "octocat"))
	extra.SetArchived(false)
	add(gh.RepositoryEvent(extra, "unarchived", "", "octocat"))
	old := extra.Name()
	extra.Rename("", "extra2")
	add(gh.RepositoryEvent(extra, "renamed", old, "octocat"))
	gh.AddUser("someone")
	extra.Rename("someone", "")
	add(gh.RepositoryEvent(extra, "transferred", "acme", "octocat"))
	extra.Delete()
	add(gh.RepositoryEvent(extra, "deleted", "", "octocat"))
	add(gh.PingEvent("https://example.test/webhook"))
	return out
}

func createRun(t *testing.T, f fixture) fakegithub.CheckRun {
	t.Helper()
	tok := f.gh.InstallationToken(f.inst.ID)
	status, body := raw(t, f.gh, tok, "POST", "/repos/acme/api/check-runs", map[string]any{
		"name": "conviso", "head_sha": f.pr.HeadSHA(), "details_url": "https://conviso.example/runs/1",
		"external_id": "scan-1", "conclusion": "failure",
		"output":  map[string]any{"title": "1 finding", "summary": "s"},
		"actions": []map[string]any{{"label": "Ignore", "description": "Ignore findings", "identifier": "ignore"}},
	})
	if status != 201 {
		t.Fatalf("create check run: %d %v", status, body)
	}
	runs := f.gh.CheckRuns("acme", "api")
	return runs[len(runs)-1]
}

func TestEveryWebhookBuilderValidates(t *testing.T) {
	f := newFixture(t)
	hooks := allWebhooks(t, f)
	want := []string{
		"pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.ready_for_review",
		"pull_request.closed", "pull_request.edited", "push", "check_run.rerequested", "check_run.requested_action",
		"check_suite.rerequested", "installation.created", "installation.deleted", "installation.suspend",
		"installation.unsuspend", "installation_repositories.added", "installation_repositories.removed",
		"issue_comment.created", "issue_comment.edited", "repository.created", "repository.archived",
		"repository.unarchived", "repository.renamed", "repository.deleted", "repository.transferred", "ping",
	}
	for _, k := range want {
		w, ok := hooks[k]
		if !ok {
			t.Errorf("no builder produced %s", k)
			continue
		}
		if err := fakegithub.ValidateWebhook(w.Event, w.Action, w.JSON()); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	sync := hooks["pull_request.synchronize"].Payload
	if before, _ := sync["before"].(string); len(before) != 40 || before == sync["after"] || sync["after"] != f.pr.HeadSHA() {
		t.Errorf("synchronize before=%v after=%v head=%s", sync["before"], sync["after"], f.pr.HeadSHA())
	}
}

func TestBrokenPayloadFailsValidation(t *testing.T) {
	f := newFixture(t)
	w := f.gh.PullRequestEvent(f.pr, "opened")
	var m map[string]any
	if err := json.Unmarshal(w.JSON(), &m); err != nil {
		t.Fatal(err)
	}
	pr := m["pull_request"].(map[string]any)
	delete(pr, "head")
	pr["state"] = "merged"
	b, _ := json.Marshal(m)
	err := fakegithub.ValidateWebhook("pull_request", "opened", b)
	if err == nil || !strings.Contains(err.Error(), "head") {
		t.Fatalf("broken payload validated: %v", err)
	}
	if err := fakegithub.ValidateWebhook("pull_request", "closed", w.JSON()); err == nil {
		t.Errorf("an opened payload validated as closed")
	}
}

func TestDeliverSignsLikeGitHub(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer recv.Close()
	d := f.gh.Deliver(recv.URL, "s3cret", f.gh.PullRequestEvent(f.pr, "opened"))
	if d.StatusCode != http.StatusAccepted || d.Err != nil || d.Duration <= 0 {
		t.Fatalf("delivery = %d %v %v", d.StatusCode, d.Err, d.Duration)
	}
	r := got[0]
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(bodies[0])
	if sig := r.Header.Get("X-Hub-Signature-256"); sig != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %q does not verify", sig)
	}
	for h, want := range map[string]string{"X-GitHub-Event": "pull_request", "Content-Type": "application/json",
		"X-GitHub-Hook-Installation-Target-Type": "integration"} {
		if r.Header.Get(h) != want {
			t.Errorf("%s = %q, want %q", h, r.Header.Get(h), want)
		}
	}
	if !strings.HasPrefix(r.Header.Get("User-Agent"), "GitHub-Hookshot/") || len(r.Header.Get("X-GitHub-Delivery")) != 36 {
		t.Errorf("headers = %v", r.Header)
	}
	checkRedelivery(t, f, d, func() int { mu.Lock(); defer mu.Unlock(); return len(got) })
}

// checkRedelivery lists deliveries and asks for a redelivery with the app JWT.
func checkRedelivery(t *testing.T, f fixture, d fakegithub.Delivery, count func() int) {
	t.Helper()
	c := f.appClient(t)
	ctx := t.Context()
	list, _, err := c.Apps.ListHookDeliveries(ctx, nil)
	if err != nil || len(list) != 1 || list[0].GetGUID() != d.GUID {
		t.Fatalf("list deliveries: %v %v", list, err)
	}
	if _, _, err := c.Apps.RedeliverHookDelivery(ctx, list[0].GetID()); err != nil {
		t.Logf("redeliver: %v (go-github reports 202 as AcceptedError)", err)
	}
	f.gh.WaitRedeliveries()
	if count() != 2 {
		t.Errorf("receiver saw %d deliveries, want 2", count())
	}
	if ds := f.gh.Deliveries(); len(ds) != 2 || !ds[1].Redelivery {
		t.Errorf("deliveries = %+v", ds)
	}
}
