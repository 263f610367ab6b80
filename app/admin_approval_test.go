package app_test

import (
	"strings"
	"testing"
)

// TestAdminApprovesWhenThePolicyNamesNoApprovers: with no approvers in the
// policy, a repository admin approves a writer's exception and the check
// turns green; a writer cannot.
func TestAdminApprovesWhenThePolicyNamesNoApprovers(t *testing.T) {
	h := newHarness(t, "bolt")
	h.repo.SetPermission("dev", "write")
	h.repo.SetPermission("owner", "admin")
	h.start()
	pr, id := h.blockedPR()
	_, reply := h.say(pr.Number, "dev", "/conviso exception "+id+" accepted-risk rotated already, tracked in SEC-12")
	if !strings.Contains(reply, "requested") {
		t.Fatalf("the writer's request must be recorded:\n%s", reply)
	}
	_, reply = h.say(pr.Number, "dev", "/conviso approve "+id)
	if !strings.Contains(reply, "refused") {
		t.Fatalf("a writer may not approve when the policy names no approvers:\n%s", reply)
	}
	_, reply = h.say(pr.Number, "owner", "/conviso approve "+id)
	if !strings.Contains(reply, "approved until") {
		t.Fatalf("a repository admin approves:\n%s", reply)
	}
	run := h.waitRuns(pr.HeadSHA(), 2)
	if run.Conclusion != "success" || !strings.Contains(run.Output.Summary, "Exceptions applied") {
		t.Fatalf("the admin's approval must apply; got %q %q\n%s", run.Conclusion, run.Output.Title, run.Output.Summary)
	}
}
