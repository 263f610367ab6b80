package sarif

import (
	"errors"
	"fmt"
	"testing"
)

// results returns n results of rule R1, one per file.
func results(n int) []obj {
	out := make([]obj, n)
	for i := range out {
		out[i] = resultOf("R1", fmt.Sprintf("f%03d.go", i), 1)
	}
	return out
}

// rules returns n rules R0..Rn-1.
func rules(n int) []obj {
	out := make([]obj, n)
	for i := range out {
		out[i] = ruleOf(fmt.Sprintf("R%d", i))
	}
	return out
}

func TestLimits(t *testing.T) {
	small := Limits{MaxRuns: 2, MaxResultsPerRun: 3, MaxRulesPerRun: 4}
	cases := []struct {
		name      string
		runs      []obj
		limits    Limits
		want      LimitError
		findings  int // with Truncate
		toolRules int // rules counted in the first run, with Truncate
	}{
		{"runs", []obj{runOf(nil, results(1)...), runOf(nil, results(1)...), runOf(nil, results(1)...)}, small, LimitError{What: "runs", Limit: 2, Run: -1}, 2, 0},
		{"results", []obj{runOf(nil, results(5)...)}, small, LimitError{What: "results", Limit: 3, Run: 0}, 3, 0},
		{"rules", []obj{runOf(rules(6), results(1)...)}, small, LimitError{What: "rules", Limit: 4, Run: 0}, 1, 4},
		{"results in a later run", []obj{runOf(nil, results(1)...), runOf(nil, results(4)...)}, small, LimitError{What: "results", Limit: 3, Run: 1}, 4, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := logJSON(t, tc.runs...)
			_, err := importString(t, log, ImportOptions{Limits: tc.limits})
			var le *LimitError
			if !errors.As(err, &le) || *le != tc.want {
				t.Fatalf("error %v, want %v", err, &tc.want)
			}
			res, err := importString(t, log, ImportOptions{Limits: tc.limits, Truncate: true})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Truncated || len(res.Truncations) != 1 || res.Truncations[0] != tc.want {
				t.Errorf("truncated %v %v, want %v", res.Truncated, res.Truncations, tc.want)
			}
			if len(res.Findings) != tc.findings {
				t.Errorf("%d findings, want %d", len(res.Findings), tc.findings)
			}
			if tc.toolRules > 0 && res.Tools[0].RulesCount != tc.toolRules {
				t.Errorf("rules counted %d, want %d", res.Tools[0].RulesCount, tc.toolRules)
			}
		})
	}
}

func TestDefaultLimits(t *testing.T) {
	l := Limits{}.withDefaults()
	if l.MaxRuns != 20 || l.MaxResultsPerRun != 25000 || l.MaxRulesPerRun != 25000 || l.MaxBytes != 0 {
		t.Errorf("defaults %+v", l)
	}
	runs := make([]obj, 21)
	for i := range runs {
		runs[i] = runOf(nil)
	}
	_, err := importString(t, logJSON(t, runs...), ImportOptions{})
	var le *LimitError
	if !errors.As(err, &le) || le.What != "runs" || le.Limit != DefaultMaxRuns {
		t.Errorf("21 runs: %v", err)
	}
}

func TestMaxBytes(t *testing.T) {
	log := logJSON(t, runOf(nil, results(50)...))
	_, err := importString(t, log, ImportOptions{Limits: Limits{MaxBytes: int64(len(log) - 1)}})
	var le *LimitError
	if !errors.As(err, &le) || le.What != "bytes" {
		t.Fatalf("error %v, want a bytes *LimitError", err)
	}
	if _, err := importString(t, log, ImportOptions{Limits: Limits{MaxBytes: int64(len(log))}}); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	if _, err := importString(t, log, ImportOptions{Limits: Limits{MaxBytes: 10}, Truncate: true}); !errors.As(err, &le) {
		t.Errorf("Truncate must not hide a byte limit: %v", err)
	}
}
