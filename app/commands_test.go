package app_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/handlers"
	"github.com/conviso/conviso-github-app/internal/commands"
	"github.com/conviso/conviso-github-app/internal/exceptions"
	"github.com/conviso/conviso-github-app/internal/fakegithub"
	"github.com/conviso/conviso-github-app/internal/store/redisstore"
	"github.com/conviso/conviso-github-app/internal/testutil/redistest"
)

// approverPolicy names the @acme/appsec team as the exception approvers.
const approverPolicy = "version: 1\nexceptions:\n  approvers: [\"@acme/appsec\"]\n"

var (
	findingIDInTitle = regexp.MustCompile(`\[(f-[0-9a-f]{12})\]$`)
	// rawMention is an @ directly followed by a login character: GitHub
	// would ping it.
	rawMention = regexp.MustCompile(`@[A-Za-z0-9]`)
)

// commandsHarness is a harness with the approver policy on main, a team
// "appsec" with sec-lead in it, a writer "dev" and a reader "reader".
func commandsHarness(t *testing.T, backend string) *harness {
	t.Helper()
	h := newHarness(t, backend)
	h.repo.Commit(fakegithub.CommitSpec{Branch: "main", Message: "Policy", Files: map[string]string{
		".github/conviso.yml": approverPolicy,
	}})
	h.gh.AddTeam("acme", "appsec", h.repo)
	h.gh.AddTeamMember("acme", "appsec", "sec-lead", "member")
	h.repo.SetPermission("dev", "write")
	h.repo.SetPermission("sec-lead", "write")
	h.repo.SetPermission("reader", "read")
	h.start()
	return h
}

// blockedPR opens the leaking pull request and returns it, its failing
// run and the new finding's id.
func (h *harness) blockedPR() (*fakegithub.PullRequest, string) {
	h.t.Helper()
	pr := h.leakOnFeature()
	h.deliver(h.gh.PullRequestEvent(pr, "opened"))
	run := h.completedRun(pr.HeadSHA())
	if run.Conclusion != "failure" || len(run.Annotations) != 1 {
		h.t.Fatalf("the leaking PR must be blocked with one annotation; got %q %+v", run.Conclusion, run.Annotations)
	}
	m := findingIDInTitle.FindStringSubmatch(run.Annotations[0].Title)
	if m == nil {
		h.t.Fatalf("no finding id in %q", run.Annotations[0].Title)
	}
	return pr, m[1]
}

// say posts a comment as user, delivers its webhook and returns the app's
// reply to it once the queue is empty ("" when it did not reply).
func (h *harness) say(number int, user, body string) (fakegithub.Comment, string) {
	h.t.Helper()
	before := len(h.appComments())
	c := h.repo.AddComment(number, user, body)
	h.deliver(h.gh.IssueCommentEvent(h.repo, c, "created"))
	h.waitQueueEmpty()
	replies := h.appComments()
	switch len(replies) - before {
	case 0:
		return c, ""
	case 1:
		return c, replies[len(replies)-1].Body
	}
	h.t.Fatalf("one comment got %d replies", len(replies)-before)
	return c, ""
}

// appComments are the comments the app wrote; none may ping anyone.
func (h *harness) appComments() []fakegithub.Comment {
	var out []fakegithub.Comment
	for _, c := range h.gh.Comments("acme", "api") {
		if c.ByApp {
			if rawMention.MatchString(c.Body) {
				h.t.Errorf("a reply mentions someone:\n%s", c.Body)
			}
			out = append(out, c)
		}
	}
	return out
}

// reactions lists the app's reactions to a comment.
func (h *harness) reactions(c fakegithub.Comment) []string {
	var out []string
	for _, r := range h.gh.Reactions(c.ID) {
		out = append(out, r.Content)
	}
	return out
}

// completedRuns counts the completed check runs on sha.
func (h *harness) completedRuns(sha string) []fakegithub.CheckRun {
	var out []fakegithub.CheckRun
	for _, r := range h.gh.CheckRuns("acme", "api") {
		if r.HeadSHA == sha && r.Status == "completed" {
			out = append(out, r)
		}
	}
	return out
}

// waitRuns waits for n completed runs on sha and returns the last.
func (h *harness) waitRuns(sha string, n int) fakegithub.CheckRun {
	h.t.Helper()
	waitFor(h.t, "completed check runs", func() bool { return len(h.completedRuns(sha)) >= n })
	runs := h.completedRuns(sha)
	return runs[len(runs)-1]
}

func TestExceptionRequestedByWriterApprovedByApproverTurnsTheCheckGreen(t *testing.T) {
	h := commandsHarness(t, "bolt")
	pr, id := h.blockedPR()

	c, reply := h.say(pr.Number, "dev", "/conviso exception "+id+" false-positive test fixture, ask @security-team <b>now</b> [x](http://evil)")
	if !strings.Contains(reply, "requested") || !strings.Contains(reply, "@\u200dsecurity-team") || strings.Contains(reply, "<b>") {
		t.Fatalf("the request must be acknowledged with the reason escaped:\n%s", reply)
	}
	if got := h.reactions(c); !containsAll(got, "eyes", "+1") {
		t.Errorf("reactions %v, want eyes and +1", got)
	}
	_, reply = h.say(pr.Number, "dev", "/conviso approve "+id)
	if !strings.Contains(reply, "refused") || !strings.Contains(reply, "own request") {
		t.Fatalf("a writer's self-approval must be refused:\n%s", reply)
	}
	if n := len(h.completedRuns(pr.HeadSHA())); n != 1 {
		t.Fatalf("a refused approval must not re-evaluate; %d runs", n)
	}
	_, reply = h.say(pr.Number, "sec-lead", "/conviso approve "+id)
	if !strings.Contains(reply, "approved until") {
		t.Fatalf("the approver's approval must be acknowledged:\n%s", reply)
	}
	run := h.waitRuns(pr.HeadSHA(), 2)
	if run.Conclusion != "success" || !strings.Contains(run.Output.Summary, "Exceptions applied") {
		t.Fatalf("the approval must re-evaluate the head and pass; got %q %q\n%s", run.Conclusion, run.Output.Title, run.Output.Summary)
	}
	_, reply = h.say(pr.Number, "reader", "/conviso exceptions")
	if !strings.Contains(reply, id) || !strings.Contains(reply, "approved") || !strings.Contains(reply, "sec-lead") {
		t.Fatalf("the list must show the approved exception:\n%s", reply)
	}
}

func TestRetestNeedsWriteAndPassesAfterAFix(t *testing.T) {
	h := commandsHarness(t, "bolt")
	pr, _ := h.blockedPR()
	c, reply := h.say(pr.Number, "reader", "/conviso retest")
	if !strings.Contains(reply, "write") || !strings.Contains(reply, "nothing was run") {
		t.Fatalf("a reader's retest must be refused saying why:\n%s", reply)
	}
	if got := h.reactions(c); !containsAll(got, "confused") {
		t.Errorf("reactions %v, want confused", got)
	}
	if n := len(h.gh.CheckRuns("acme", "api")); n != 1 {
		t.Fatalf("a refused retest must not scan; %d runs", n)
	}
	h.repo.Commit(fakegithub.CommitSpec{Branch: "feature", Message: "Remove the token", Files: map[string]string{
		"client/github.go": "package client\n\n// token comes from the environment\nvar token = \"\"\n",
	}})
	_, reply = h.say(pr.Number, "dev", "/conviso retest")
	if !strings.Contains(reply, "queued") {
		t.Fatalf("the retest must be acknowledged:\n%s", reply)
	}
	if run := h.waitRuns(pr.HeadSHA(), 1); run.Conclusion != "success" {
		t.Fatalf("the retest of the fixed head must pass; got %q %q", run.Conclusion, run.Output.Title)
	}
}

func TestCommentsThatAreNotRun(t *testing.T) {
	h := commandsHarness(t, "bolt")
	pr, id := h.blockedPR()
	if _, reply := h.say(pr.Number, "dev", "/conviso help"); !strings.Contains(reply, commands.Help()) {
		t.Fatalf("help must reply with commands.Help():\n%s", reply)
	}
	c, reply := h.say(pr.Number, "dev", "```\n/conviso retest\n```\n")
	if reply != "" || len(h.reactions(c)) != 0 {
		t.Fatalf("a command in a code block must do nothing; got reply %q and reactions %v", reply, h.reactions(c))
	}
	if _, reply = h.say(pr.Number, "dev", "/conviso aprove "+id); !strings.Contains(reply, "Nothing was run") ||
		!strings.Contains(reply, "/conviso approve") {
		t.Fatalf("a typo must be explained with a suggestion:\n%s", reply)
	}
	issue := h.repo.OpenIssue("Question", "dev")
	if _, reply = h.say(issue.Number, "dev", "/conviso retest"); !strings.Contains(reply, "pull requests only") {
		t.Fatalf("a command on a plain issue gets a reply:\n%s", reply)
	}
	if _, reply = h.say(issue.Number, "dev", "just chatting"); reply != "" {
		t.Fatalf("conversation on an issue gets no reply: %q", reply)
	}
	edited := h.repo.AddComment(pr.Number, "dev", "/conviso retest")
	h.deliver(h.gh.IssueCommentEvent(h.repo, edited, "edited"))
	h.waitQueueEmpty()
	pr.Close(false)
	if _, reply = h.say(pr.Number, "dev", "/conviso retest"); !strings.Contains(reply, "closed") {
		t.Fatalf("a command on a closed PR gets a reply saying so:\n%s", reply)
	}
	if n := len(h.gh.CheckRuns("acme", "api")); n != 1 {
		t.Fatalf("none of these comments may scan; %d runs", n)
	}
}

func TestExpiredExceptionBlocksAgain(t *testing.T) {
	h := commandsHarness(t, "redis")
	pr, id := h.blockedPR()
	_, reply := h.say(pr.Number, "sec-lead", "/conviso exception "+id+" accepted-risk until:"+time.Now().UTC().Format(time.DateOnly)+" rotating it this week")
	if !strings.Contains(reply, "Approved at once") {
		t.Fatalf("an approver's own request is approved at once:\n%s", reply)
	}
	if run := h.waitRuns(pr.HeadSHA(), 2); run.Conclusion != "success" {
		t.Fatalf("the approved exception must pass the gate; got %q", run.Conclusion)
	}
	// The sweep runs as the app's background task does, on the app's Redis,
	// with a clock two days ahead.
	st, err := redisstore.Open(context.Background(), redistest.URL(), redisstore.WithPrefix(h.prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	later := func() time.Time { return time.Now().Add(48 * time.Hour) }
	sweep := &handlers.ExceptionExpiry{Exceptions: &exceptions.Store{KV: st, Locker: st, Now: later}, Queue: st, Owner: "test"}
	if err := sweep.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	run := h.waitRuns(pr.HeadSHA(), 3)
	if run.Conclusion != "failure" {
		t.Fatalf("the expired exception must block again; got %q %q", run.Conclusion, run.Output.Title)
	}
	if _, reply = h.say(pr.Number, "dev", "/conviso exceptions"); !strings.Contains(reply, "expired") {
		t.Fatalf("the list must show the exception expired:\n%s", reply)
	}
}

func containsAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}
