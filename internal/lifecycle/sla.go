package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// Impact is a repository's business impact, which selects the SLA column.
type Impact string

// Business impacts. ImpactNone means not set: SLAs are Not Parameterized.
const (
	ImpactNone   Impact = ""
	ImpactHigh   Impact = "high"
	ImpactMedium Impact = "medium"
	ImpactLow    Impact = "low"
)

// Impacts lists the business impacts, highest first.
var Impacts = []Impact{ImpactHigh, ImpactMedium, ImpactLow}

// ParseImpact parses a business impact name (case-insensitive); "" is
// ImpactNone.
func ParseImpact(name string) (Impact, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return ImpactNone, nil
	}
	for _, i := range Impacts {
		if strings.EqualFold(name, string(i)) {
			return i, nil
		}
	}
	return ImpactNone, fmt.Errorf("unknown business impact %q (allowed: %s)", name, impactNames())
}

func impactNames() string {
	names := make([]string, len(Impacts))
	for i, v := range Impacts {
		names[i] = string(v)
	}
	return strings.Join(names, ", ")
}

// slaSeverities are the severities an SLAMatrix may parameterise, most
// severe first.
var slaSeverities = []findings.Severity{
	findings.SeverityCritical, findings.SeverityHigh, findings.SeverityMedium, findings.SeverityLow,
}

func severityNames() string {
	names := make([]string, len(slaSeverities))
	for i, s := range slaSeverities {
		names[i] = s.String()
	}
	return strings.Join(names, ", ")
}

// SLAMatrix gives the days to fix a finding, by severity then business
// impact, in its raw, YAML- and JSON-friendly form: lower-case keys.
//
//	critical: {high: 7, medium: 15, low: 30}
//	high:     {high: 30, medium: 45, low: 60}
//
// Missing cells are allowed: their findings are Not Parameterized. Check a
// matrix read from configuration with Validate.
type SLAMatrix map[string]map[string]int

// Validate checks every cell: severities critical, high, medium or low;
// impacts high, medium or low; days from 1 to MaxSLADays. Each error names
// the cell and the allowed values; all of them are reported, in order.
func (m SLAMatrix) Validate() error {
	var errs []error
	for _, sev := range sortedKeys(m) {
		if !knownSLASeverity(sev) {
			errs = append(errs, fmt.Errorf("sla[%q]: unknown severity (allowed: %s)", sev, severityNames()))
			continue
		}
		for _, imp := range sortedKeys(m[sev]) {
			if err := validateCell(sev, imp, m[sev][imp]); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid SLA matrix: %w", err)
	}
	return nil
}

func knownSLASeverity(name string) bool {
	return slices.ContainsFunc(slaSeverities, func(s findings.Severity) bool { return s.String() == name })
}

func validateCell(sev, imp string, days int) error {
	if !slices.Contains(Impacts, Impact(imp)) {
		return fmt.Errorf("sla[%q][%q]: unknown business impact (allowed: %s)", sev, imp, impactNames())
	}
	if days < 1 || days > MaxSLADays {
		return fmt.Errorf("sla[%q][%q]: %d days to fix (allowed: a whole number of days from 1 to %d)",
			sev, imp, days, MaxSLADays)
	}
	return nil
}

// Days returns the days to fix a finding of severity sev in a repository
// of business impact imp, and whether the matrix has such a (valid) cell.
func (m SLAMatrix) Days(sev findings.Severity, imp Impact) (int, bool) {
	days, ok := m[sev.String()][string(imp)]
	return days, ok && days >= 1 && days <= MaxSLADays && imp != ImpactNone
}

// MaxSLADays is the longest days-to-fix a matrix cell may hold (ten years).
const MaxSLADays = 3650

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
func SLA(rec Record, m SLAMatrix, imp Impact, now time.Time) SLAStatus {
	if !slices.Contains(slaSeverities, rec.Severity) {
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
