package lifecycle

import (
	"errors"
	"fmt"
	"strings"
)

// Status is a finding's status in the Conviso Platform's vocabulary.
type Status string

// Technical statuses, set by evidence.
const (
	// StatusNone is the "status" of a finding without a record yet.
	StatusNone Status = ""
	// StatusCreated is a first detection, before triage.
	StatusCreated Status = "Created"
	// StatusIdentified is confirmed present by a later scan or by triage.
	StatusIdentified Status = "Identified"
	// StatusFixed is no longer detected on the default branch.
	StatusFixed Status = "Fixed"
)

// Decision statuses, set by people.
const (
	// StatusInProgress means remediation is under way.
	StatusInProgress Status = "In Progress"
	// StatusAwaitingValidation means a fix awaits validation.
	StatusAwaitingValidation Status = "Awaiting Validation"
	// StatusRiskAccepted is final: an approved exception accepts the risk.
	StatusRiskAccepted Status = "Risk Accepted"
	// StatusFalsePositive is final: an approved exception says it is not real.
	StatusFalsePositive Status = "False Positive"
)

// Statuses lists every status, in the order of the package's transition
// table.
var Statuses = []Status{
	StatusCreated, StatusIdentified, StatusInProgress, StatusAwaitingValidation,
	StatusRiskAccepted, StatusFalsePositive, StatusFixed,
}

// ParseStatus parses a status name, ignoring case and accepting "_" or "-"
// for spaces ("in_progress", "risk-accepted").
func ParseStatus(name string) (Status, error) {
	norm := strings.NewReplacer("_", " ", "-", " ").Replace(strings.TrimSpace(name))
	for _, s := range Statuses {
		if strings.EqualFold(norm, string(s)) {
			return s, nil
		}
	}
	return StatusNone, fmt.Errorf("unknown status %q (allowed: %s)", name, statusNames())
}

func statusNames() string {
	names := make([]string, len(Statuses))
	for i, s := range Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Open reports whether s counts in the backlog: Created, Identified,
// In Progress or Awaiting Validation.
func (s Status) Open() bool {
	switch s {
	case StatusCreated, StatusIdentified, StatusInProgress, StatusAwaitingValidation:
		return true
	}
	return false
}

// Final reports whether s is Risk Accepted or False Positive, which scans
// never change.
func (s Status) Final() bool {
	return s == StatusRiskAccepted || s == StatusFalsePositive
}

// Technical reports whether s is set by evidence (Created, Identified,
// Fixed) rather than by people.
func (s Status) Technical() bool {
	return s == StatusCreated || s == StatusIdentified || s == StatusFixed
}

// String returns the status name, or "none" for StatusNone.
func (s Status) String() string {
	if s == StatusNone {
		return "none"
	}
	return string(s)
}

// ActorKind says whether a change comes from a scan or from a person.
type ActorKind string

// Actor kinds.
const (
	// ActorScan is a scan; Actor.Name is the scanner's name.
	ActorScan ActorKind = "scan"
	// ActorUser is a person (or bot) acting by login; Actor.Name is the login.
	ActorUser ActorKind = "user"
)

// Actor is who or what made a change.
type Actor struct {
	// Kind is ActorScan or ActorUser.
	Kind ActorKind `json:"kind"`
	// Name is the scanner's name or the user's login.
	Name string `json:"name"`
}

// ScanActor returns the actor for changes made by scanner's results.
func ScanActor(scanner string) Actor { return Actor{Kind: ActorScan, Name: scanner} }

// UserActor returns the actor for changes made by login.
func UserActor(login string) Actor { return Actor{Kind: ActorUser, Name: login} }

// validate checks that a has a known kind and a name.
func (a Actor) validate() error {
	if a.Kind != ActorScan && a.Kind != ActorUser {
		return fmt.Errorf("actor kind %q is not allowed (allowed: %s, %s)", a.Kind, ActorScan, ActorUser)
	}
	if strings.TrimSpace(a.Name) == "" {
		return fmt.Errorf("%s actor has no name", a.Kind)
	}
	return nil
}

// who is the set of actor kinds allowed to make one transition.
type who uint8

const (
	byScan who = 1 << iota
	byUser
)

// transitions is the package's transition table: the cells that are
// allowed, and for whom. Every other cell is refused.
var transitions = map[[2]Status]who{
	{StatusNone, StatusCreated}: byScan,

	{StatusCreated, StatusIdentified}:            byScan | byUser,
	{StatusCreated, StatusInProgress}:            byUser,
	{StatusCreated, StatusAwaitingValidation}:    byUser,
	{StatusCreated, StatusRiskAccepted}:          byUser,
	{StatusCreated, StatusFalsePositive}:         byUser,
	{StatusCreated, StatusFixed}:                 byScan,
	{StatusIdentified, StatusInProgress}:         byUser,
	{StatusIdentified, StatusAwaitingValidation}: byUser,
	{StatusIdentified, StatusRiskAccepted}:       byUser,
	{StatusIdentified, StatusFalsePositive}:      byUser,
	{StatusIdentified, StatusFixed}:              byScan,

	{StatusInProgress, StatusIdentified}:         byUser,
	{StatusInProgress, StatusAwaitingValidation}: byUser,
	{StatusInProgress, StatusRiskAccepted}:       byUser,
	{StatusInProgress, StatusFalsePositive}:      byUser,
	{StatusInProgress, StatusFixed}:              byScan,

	{StatusAwaitingValidation, StatusIdentified}:    byUser,
	{StatusAwaitingValidation, StatusInProgress}:    byUser,
	{StatusAwaitingValidation, StatusRiskAccepted}:  byUser,
	{StatusAwaitingValidation, StatusFalsePositive}: byUser,
	{StatusAwaitingValidation, StatusFixed}:         byScan,

	{StatusRiskAccepted, StatusIdentified}:  byUser,
	{StatusFalsePositive, StatusIdentified}: byUser,

	{StatusFixed, StatusIdentified}: byScan,
}

// ErrTransitionRefused matches every *TransitionError.
var ErrTransitionRefused = errors.New("lifecycle: transition refused")

// TransitionError says why a status change is not allowed.
type TransitionError struct {
	// From and To are the refused cell.
	From, To Status
	// Kind is the kind of actor that asked.
	Kind ActorKind
	// Reason explains the rule that refuses it.
	Reason string
}

// Error renders "<kind> cannot change status from X to Y: reason".
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s cannot change status from %s to %s: %s", e.Kind, e.From, e.To, e.Reason)
}

// Is makes errors.Is(err, ErrTransitionRefused) true.
func (e *TransitionError) Is(target error) bool { return target == ErrTransitionRefused }

// CheckTransition reports whether an actor of kind may move a finding from
// one status to another, following the package's transition table. The
// error is a *TransitionError naming the rule, or a plain error for an
// unknown status or actor kind.
func CheckTransition(from, to Status, kind ActorKind) error {
	if from != StatusNone && !from.Valid() {
		return fmt.Errorf("unknown current status %q (allowed: %s)", from, statusNames())
	}
	if !to.Valid() {
		return fmt.Errorf("unknown target status %q (allowed: %s)", to, statusNames())
	}
	bit, err := kindBit(kind)
	if err != nil {
		return err
	}
	if transitions[[2]Status{from, to}]&bit != 0 {
		return nil
	}
	return &TransitionError{From: from, To: to, Kind: kind, Reason: refusal(from, to, kind)}
}

func kindBit(kind ActorKind) (who, error) {
	switch kind {
	case ActorScan:
		return byScan, nil
	case ActorUser:
		return byUser, nil
	}
	return 0, fmt.Errorf("actor kind %q is not allowed (allowed: %s, %s)", kind, ActorScan, ActorUser)
}

// refusal explains why a cell of the table is refused, most specific rule
// first.
func refusal(from, to Status, kind ActorKind) string {
	switch {
	case from == to:
		return "the finding is already " + string(to)
	case from == StatusNone:
		return "a finding without a record can only be Created by its first detection"
	case to == StatusCreated:
		return "Created is set only by a finding's first detection"
	case from.Final() && kind == ActorScan:
		return string(from) + " is final: scans never change it"
	case from.Final():
		return string(from) + " is final: revoke the exception (back to Identified) first"
	case to == StatusFixed && kind == ActorUser:
		return "Fixed is set only by a default-branch scan that no longer detects the finding"
	case from == StatusFixed && kind == ActorUser:
		return "a fixed finding reopens only when a scan detects it again"
	case kind == ActorScan && !to.Technical():
		return string(to) + " is a decision: only people set it"
	case kind == ActorScan:
		return "a detection never overrides the decision " + string(from)
	default:
		return "the transition table has no such cell"
	}
}
