package lifecycle

import (
	"slices"
	"time"

	"github.com/conviso/conviso-github-app/internal/policy"
)

// SLAState is a finding's remediation SLA state.
type SLAState string

// SLA states, in the order SLA decides them.
const (
	// SLANotTracked: severity unknown or informational.
	SLANotTracked SLAState = "Not Tracked"
	// SLAResolved: Fixed, Risk Accepted or False Positive.
	SLAResolved SLAState = "Resolved"
	// SLANotParameterized: no business impact set, or no matrix cell.
	SLANotParameterized SLAState = "Not Parameterized"
	// SLABreached: past the deadline.
	SLABreached SLAState = "Breached"
	// SLAApproaching: at least ApproachingNum/ApproachingDen of the window
	// has elapsed.
	SLAApproaching SLAState = "Approaching"
	// SLAOnTrack: less than that.
	SLAOnTrack SLAState = "On Track"
)

// Approaching starts when ApproachingNum/ApproachingDen (75 %) of the
// window between creation and deadline has elapsed.
const (
	ApproachingNum = 3
	ApproachingDen = 4
)

// day is the SLA's unit: deadlines are creation time + days × 24 hours.
const day = 24 * time.Hour

// SLAStatus is a finding's SLA, computed on read.
type SLAStatus struct {
	// State is the SLA state.
	State SLAState `json:"state"`
	// Deadline is the creation time plus the days to fix; zero unless the
	// state is Breached, Approaching or On Track.
	Deadline time.Time `json:"deadline,omitzero"`
	// DaysRemaining is the whole days left before the deadline, rounded
	// down: 0 in its last 24 hours, -1 in the first day past it. Zero
	// when Deadline is.
	DaysRemaining int `json:"days_remaining"`
}

// SLA computes rec's SLA at now from the matrix and the repository's
// business impact. It is pure, so a changed matrix applies at once to every
// open finding. Precedence: Not Tracked, Resolved, Not Parameterized, then
// Breached (now after the deadline), Approaching (75 % or more of the
// window elapsed, the deadline instant included), On Track. The deadline
// counts from rec's creation with the days of its current severity: a
// raised severity shortens the window without restarting it.
func SLA(rec Record, m policy.SLAMatrix, imp policy.Impact, now time.Time) SLAStatus {
	if !slices.Contains(policy.SLASeverities, rec.Severity) {
		return SLAStatus{State: SLANotTracked}
	}
	if !rec.Status.Open() {
		return SLAStatus{State: SLAResolved}
	}
	days, ok := m.Days(rec.Severity, imp)
	if !ok {
		return SLAStatus{State: SLANotParameterized}
	}
	window := time.Duration(days) * day
	deadline := rec.CreatedAt().Add(window)
	return SLAStatus{
		State:         clockState(now.Sub(rec.CreatedAt()), window),
		Deadline:      deadline,
		DaysRemaining: floorDays(deadline.Sub(now)),
	}
}

// clockState places elapsed time in a window of positive length. The
// Approaching threshold is window − ⌊window/4⌋ = ⌈75 % of window⌉, computed
// without overflow.
func clockState(elapsed, window time.Duration) SLAState {
	switch {
	case elapsed > window:
		return SLABreached
	case elapsed >= window-window*(ApproachingDen-ApproachingNum)/ApproachingDen:
		return SLAApproaching
	default:
		return SLAOnTrack
	}
}

// floorDays divides d by a day, rounding towards minus infinity.
func floorDays(d time.Duration) int {
	n := d / day
	if d%day < 0 {
		n--
	}
	return int(n)
}
