// Package lifecycle keeps one truth per repository about every finding: is it
// open, fixed, back again, accepted, and how close to its remediation
// deadline. The model is the Conviso Platform's own, so AppSec teams read the
// statuses they already use.
//
// # Statuses
//
// Technical statuses are set by evidence (scans):
//
//   - Created: first detection, before triage.
//   - Identified: confirmed present by a later scan, or by triage.
//   - Fixed: no longer detected by a scan of the default branch. Detected
//     again, it goes back to Identified and counts as a reopen.
//
// Decision statuses are set by people:
//
//   - In Progress, Awaiting Validation: remediation under way.
//   - Risk Accepted, False Positive: FINAL. They come from approved
//     exceptions; scans never change them. Revoking (or the expiry of) the
//     exception is the only way back, by an explicit transition to
//     Identified.
//
// # Transition table
//
// Rows are the current status ("—" means no record yet), columns the next
// one. "scan" cells are made by Apply (evidence), "user" cells by Decide and
// Tracker.SetDecision (decisions), "-" cells are refused with a
// *TransitionError that matches ErrTransitionRefused. Staying in the same
// status is never a transition (a user asking for it is refused; a scan
// detecting an open finding again only updates its last sighting).
//
//	from \ to            Created  Identified  In Progress  Awaiting V.  Risk Acc.  False Pos.  Fixed
//	—                    scan     -           -            -            -          -           -
//	Created              -        scan,user   user         user         user       user        scan
//	Identified           -        -           user         user         user       user        scan
//	In Progress          -        user        -            user         user       user        scan
//	Awaiting Validation  -        user        user         -            user       user        scan
//	Risk Accepted        -        user        -            -            -          -           -
//	False Positive       -        user        -            -            -          -           -
//	Fixed                -        scan        -            -            -          -           -
//
// What the cells mean:
//
//   - — → Created: a scan reports a fingerprint the repository never had.
//   - Created → Identified: a second scan detects it again (scan), or triage
//     confirms it (user).
//   - Fixed → Identified: a scan detects it again: a reopen (ReopenCount
//     grows, ReopenedAt is set).
//   - open → Fixed: a successful run of the finding's own scanner on the
//     default branch no longer reports it. A failed scanner, another
//     scanner or a pull-request scan never fixes anything.
//   - In Progress / Awaiting Validation → Identified: work stopped or
//     validation failed (user).
//   - Risk Accepted / False Positive → Identified: the exception was revoked
//     or expired (user, with the evidence of the revocation).
//
// Every transition appends a HistoryEntry naming the actor (a scan and its
// scanner, or a user login), the time and the evidence (scan id, commit,
// ref, comment URL). A change of severity is recorded the same way, without
// a change of status.
//
// # Applying scans
//
// Apply is pure: it takes the stored State of one repository and one Scan
// and returns the next State and the changes. Identity is the fingerprint
// the scanner gives (line-independent); this package never derives its own.
// A finding that moves within its file keeps its record; whether it keeps
// it across a file rename depends on the scanner's fingerprint (gitleaks'
// includes the path, so a renamed file's findings are new and the old ones
// Fixed).
// Tracker persists States in a store.KV, one JSON record per finding under
// "lifecycle:<repoID>:<fingerprint>", serialising the scans of a repository
// with a store.Locker and checking every write with CompareAndSwap, so two
// replicas never lose each other's updates. A ScanID is applied once.
//
// # Remediation SLA
//
// A policy.SLAMatrix gives days-to-fix per severity and repository business
// impact. SLA computes, on read, a finding's SLA state and deadline: the
// deadline counts from the finding's creation (first detection), whatever
// its current severity, so raising a severity does not restart the clock,
// and changing the matrix moves open findings' deadlines at once.
//
// # Metrics
//
// Backlog, TimeToFirstFix, ReopenRate and Overdue summarise a list of records.
package lifecycle
