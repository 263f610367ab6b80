// Package exceptions keeps the exceptions that developers request on pull
// requests (with /conviso exception) and approvers approve, revoke or let
// expire. Each exception has one scope in one repository (a finding id, or a
// rule repository-wide), a kind, an expiry and an audit trail of every state
// change: who, when and the comment that asked for it.
//
// Records live in a store.KV under KeyPrefix, one key per repository and
// scope; every change is a CompareAndSwap of what was read, so concurrent
// replicas never lose each other's updates (bbolt and Redis alike). The
// expiry sweep takes a store.Locker lock so that one replica does it.
package exceptions

import (
	"fmt"
	"time"

	"github.com/conviso/conviso-github-app/internal/policy"
)

// State is where an exception is in its life.
type State string

// The states: requested → approved → revoked or expired (a request can
// also be withdrawn, revoked, or expire before anyone approves it).
const (
	StateRequested State = "requested"
	StateApproved  State = "approved"
	StateRevoked   State = "revoked"
	StateExpired   State = "expired"
)

// Active reports whether the state still matters: requested or approved.
func (s State) Active() bool { return s == StateRequested || s == StateApproved }

// Change is one entry of the audit trail.
type Change struct {
	// State is the state entered.
	State State `json:"state"`
	// By is the login of who made the change ("" for the expiry sweep).
	By string `json:"by,omitempty"`
	// At is when.
	At time.Time `json:"at"`
	// CommentURL links to the comment that carried the command.
	CommentURL string `json:"comment_url,omitempty"`
	// Note says more (a capped expiry, the sweep that expired it).
	Note string `json:"note,omitempty"`
}

// Scope is what an exception excuses: one finding or every finding of a
// rule. Exactly one field is set.
type Scope struct {
	// FindingID is the finding's id ("f-" and 12 hex digits).
	FindingID string `json:"finding_id,omitempty"`
	// RuleID is the rule's id, repository-wide.
	RuleID string `json:"rule_id,omitempty"`
}

// String is the scope as typed in a command: the finding id or "rule:<id>".
func (s Scope) String() string {
	if s.RuleID != "" {
		return "rule:" + s.RuleID
	}
	return s.FindingID
}

// Valid reports whether exactly one field is set.
func (s Scope) Valid() bool { return (s.FindingID == "") != (s.RuleID == "") }

// Repo names the repository an exception belongs to, and how to reach it
// again (the expiry sweep re-evaluates its pull requests).
type Repo struct {
	// ID is GitHub's repository id.
	ID int64 `json:"id"`
	// Owner and Name are the repository's owner login and name.
	Owner string `json:"owner"`
	Name  string `json:"name"`
	// InstallationID is the app's installation on the repository.
	InstallationID int64 `json:"installation_id"`
}

// FullName is owner/name.
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// Exception is one recorded exception and its history.
type Exception struct {
	// Repo is the repository.
	Repo Repo `json:"repo"`
	// Scope is what it excuses.
	Scope Scope `json:"scope"`
	// FindingRule is the rule of a finding-scoped exception, when known
	// (for the per-rule false-positive count).
	FindingRule string `json:"finding_rule,omitempty"`
	// Kind is why.
	Kind policy.ExceptionKind `json:"kind"`
	// Reason is the requester's justification, as typed.
	Reason string `json:"reason"`
	// Until is when it stops applying.
	Until time.Time `json:"until"`
	// State is the current state.
	State State `json:"state"`
	// RequestedBy is the requester's login.
	RequestedBy string `json:"requested_by"`
	// CommentID is the comment that requested it (idempotency).
	CommentID int64 `json:"comment_id"`
	// Created is when it was requested.
	Created time.Time `json:"created"`
	// ApprovedBy is the approver's login, once approved.
	ApprovedBy string `json:"approved_by,omitempty"`
	// ApprovedVia are the approver entries (teams) the approver was
	// verified against.
	ApprovedVia []string `json:"approved_via,omitempty"`
	// PullRequests are the pull requests it was requested, approved or
	// applied on: the expiry sweep re-evaluates the open ones.
	PullRequests []int `json:"pull_requests,omitempty"`
	// History is the audit trail, oldest first (earlier exceptions of the
	// same scope included).
	History []Change `json:"history"`
}

// ID is a stable display id: repository id and scope.
func (e Exception) ID() string { return fmt.Sprintf("%d:%s", e.Repo.ID, e.Scope) }

// Policy converts e to the policy's form (what policy.Evaluate reads).
func (e Exception) Policy() policy.Exception {
	return policy.Exception{
		ID: e.ID(), FindingID: e.Scope.FindingID, RuleID: e.Scope.RuleID, Kind: e.Kind, Reason: e.Reason,
		Created: e.Created, Until: e.Until, ApprovedBy: e.ApprovedBy, ApprovedVia: e.ApprovedVia,
	}
}

// addPR records pr among the pull requests, once; it reports whether it
// was new.
func (e *Exception) addPR(pr int) bool {
	if pr == 0 {
		return false
	}
	for _, p := range e.PullRequests {
		if p == pr {
			return false
		}
	}
	e.PullRequests = append(e.PullRequests, pr)
	return true
}

// record moves e to state and appends the change to the audit trail.
func (e *Exception) record(c Change) {
	e.State = c.State
	e.History = append(e.History, c)
}

// key is the store key of the exception of one scope in one repository.
func key(repoID int64, s Scope) string {
	return fmt.Sprintf("%s%d:%s", KeyPrefix, repoID, s.String())
}

// repoPrefix is the key prefix of one repository's exceptions.
func repoPrefix(repoID int64) string { return fmt.Sprintf("%s%d:", KeyPrefix, repoID) }
