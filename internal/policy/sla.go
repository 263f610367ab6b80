package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

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

// SLASeverities are the severities an SLAMatrix may parameterise, most
// severe first.
var SLASeverities = []findings.Severity{
	findings.SeverityCritical, findings.SeverityHigh, findings.SeverityMedium, findings.SeverityLow,
}

func severityNames() string {
	names := make([]string, len(SLASeverities))
	for i, s := range SLASeverities {
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
	for _, sev := range slices.Sorted(maps.Keys(m)) {
		if !knownSLASeverity(sev) {
			errs = append(errs, fmt.Errorf("sla[%q]: unknown severity (allowed: %s)", sev, severityNames()))
			continue
		}
		for _, imp := range slices.Sorted(maps.Keys(m[sev])) {
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
	return slices.ContainsFunc(SLASeverities, func(s findings.Severity) bool { return s.String() == name })
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
