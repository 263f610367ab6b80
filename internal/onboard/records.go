package onboard

import (
	"strconv"
	"strings"
	"time"
)

// Store keys. Every record is JSON under a versioned prefix, so a future
// schema can live beside this one. They supersede the "inventory:" records
// of handlers/installation.go.
const (
	keyPrefix       = "onboard:v1:"
	keyInstallation = keyPrefix + "inst:"     // + installation ID -> Installation
	keyRepo         = keyPrefix + "repo:"     // + repository ID -> Repo
	keyScan         = keyPrefix + "scan:"     // + repository ID -> LastScan
	keyPush         = keyPrefix + "push:"     // + repository ID -> Push
	keyTeams        = keyPrefix + "teams:"    // + lower-case org -> teamSet
	keyMark         = keyPrefix + "baseline:" // + repository ID -> mark
	keyPace         = keyPrefix + "pace:"     // + installation ID -> pace
	keyHookCursor   = keyPrefix + "hooks:cursor"
	keyRedelivered  = keyPrefix + "hooks:redelivered:" // + GUID
)

func idKey(prefix string, id int64) string { return prefix + strconv.FormatInt(id, 10) }

// Installation is what the inventory knows of one installation of the app.
type Installation struct {
	// ID is the installation ID.
	ID int64 `json:"id"`
	// Account is the login of the organization or user it is installed on.
	Account string `json:"account"`
	// AccountType is "Organization" or "User".
	AccountType string `json:"account_type,omitempty"`
	// RepositorySelection is "all" or "selected".
	RepositorySelection string `json:"repository_selection,omitempty"`
	// Suspended is true while the installation is suspended (its tokens
	// are refused, so none of its repositories can be scanned).
	Suspended bool `json:"suspended"`
	// Deleted is true once the app was uninstalled.
	Deleted bool `json:"deleted,omitempty"`
	// UpdatedAt is when the record last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// ReconciledAt is when Reconcile last listed its repositories.
	ReconciledAt time.Time `json:"reconciled_at,omitzero"`
}

// RemovedReason says why a repository left the inventory.
type RemovedReason string

// Why a repository was removed. Only RemovedFromInstallation and
// RemovedNotListed leave a repository that still exists outside the app's
// reach, so coverage reports those as "app lost access"; the others take it
// out of scope.
const (
	// RemovedFromInstallation: an installation_repositories "removed" event.
	RemovedFromInstallation RemovedReason = "removed_from_installation"
	// RemovedNotListed: Reconcile no longer found it in
	// GET /installation/repositories (a missed webhook).
	RemovedNotListed RemovedReason = "not_listed"
	// RemovedRepositoryDeleted: a repository "deleted" event.
	RemovedRepositoryDeleted RemovedReason = "repository_deleted"
	// RemovedInstallationDeleted: the app was uninstalled.
	RemovedInstallationDeleted RemovedReason = "installation_deleted"
)

// Repo is what the inventory knows of one repository an installation
// covers (or covered).
type Repo struct {
	// ID is the repository ID; it survives renames and transfers.
	ID int64 `json:"id"`
	// FullName is "owner/name".
	FullName string `json:"full_name"`
	// InstallationID is the installation that covers it.
	InstallationID int64 `json:"installation_id"`
	// DefaultBranch is empty until Reconcile or a repository event told it
	// (installation events carry only IDs and names).
	DefaultBranch string `json:"default_branch,omitempty"`
	// Private is the repository's visibility.
	Private bool `json:"private"`
	// Archived and Disabled are GitHub's flags: such a repository is not
	// expected to be scanned.
	Archived bool `json:"archived"`
	Disabled bool `json:"disabled"`
	// AddedAt is when the installation last started covering it.
	AddedAt time.Time `json:"added_at"`
	// UpdatedAt is when the record last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// Removed is true once the installation stopped covering it.
	Removed       bool          `json:"removed,omitempty"`
	RemovedAt     time.Time     `json:"removed_at,omitzero"`
	RemovedReason RemovedReason `json:"removed_reason,omitempty"`
	// LostAccess is true when GitHub refused the app access to a
	// repository the inventory still lists (see Inventory.MarkLostAccess);
	// Reconcile clears it when the repository is listed again.
	LostAccess       bool   `json:"lost_access,omitempty"`
	LostAccessReason string `json:"lost_access_reason,omitempty"`
}

// Owner is the login before the "/" of FullName.
func (r Repo) Owner() string {
	owner, _, _ := strings.Cut(r.FullName, "/")
	return owner
}

// Name is the repository name after the "/" of FullName.
func (r Repo) Name() string {
	_, name, _ := strings.Cut(r.FullName, "/")
	return name
}

// Active reports whether the repository should be scanned: covered, not
// archived, not disabled and accessible.
func (r Repo) Active() bool { return !r.Removed && !r.Archived && !r.Disabled && !r.LostAccess }

// outOfScope reports a repository that no longer exists for the app: it
// was deleted or the app uninstalled.
func (r Repo) outOfScope() bool {
	return r.Removed && (r.RemovedReason == RemovedRepositoryDeleted || r.RemovedReason == RemovedInstallationDeleted)
}

// LastScan is the latest scan of a repository's default branch.
type LastScan struct {
	// At is when the scan finished.
	At time.Time `json:"at"`
	// Commit is the scanned commit SHA.
	Commit string `json:"commit,omitempty"`
	// OK is true when the scan completed (whatever it found).
	OK bool `json:"ok"`
	// Error says why a failed scan failed (never a secret).
	Error string `json:"error,omitempty"`
	// LastSuccessAt is when the repository last scanned successfully,
	// kept by RecordScan across failures; callers leave it zero.
	LastSuccessAt time.Time `json:"last_success_at,omitzero"`
}

// lastSuccess is the time of the latest successful scan, or zero.
func (s LastScan) lastSuccess() time.Time {
	if s.OK && s.At.After(s.LastSuccessAt) {
		return s.At
	}
	return s.LastSuccessAt
}

// Push is the latest push to a repository's default branch.
type Push struct {
	// SHA is the pushed head commit.
	SHA string `json:"sha"`
	// At is when it was pushed (or received).
	At time.Time `json:"at"`
}
