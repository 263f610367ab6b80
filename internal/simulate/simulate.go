// Package simulate replays recent gate evaluations against a candidate
// policy: "what would this policy have done over the last 30 days?". It
// reports the block rate as recorded and with the candidate, per
// repository and overall, which conditions drive the difference, and the
// evaluations that flipped.
//
// Replay is pure. Load builds its cases from the gate history and the
// stored per-commit results (package checks): an entry whose results
// expired, or that was recorded without the fingerprints of its new
// findings, is not replayable and is counted as such.
package simulate

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
	"github.com/conviso/conviso-github-app/internal/policy"
)

// Case is one recorded gate evaluation, ready to replay.
type Case struct {
	// ID is the gate history entry's id.
	ID string `json:"id"`
	// At is when the gate was evaluated.
	At time.Time `json:"at"`
	// Repo is "owner/name".
	Repo string `json:"repo"`
	// Commit is the evaluated (head) commit.
	Commit string `json:"commit"`
	// Branch is the base branch the policy was resolved for.
	Branch string `json:"branch,omitempty"`
	// PullRequest is the pull request number; 0 for a push.
	PullRequest int `json:"pull_request,omitempty"`
	// Outcome is the recorded status (passed, warning, failed, off).
	Outcome string `json:"outcome"`
	// Blocked is true when the recorded evaluation blocked, or would have
	// in enforce mode.
	Blocked bool `json:"blocked"`
	// Conditions are the recorded blocking conditions (ConditionLabel).
	Conditions []string `json:"conditions,omitempty"`
	// Findings are every finding of the head commit, New set as evaluated.
	Findings []findings.Finding `json:"-"`
	// Excused are fingerprints of findings an exception excused then; the
	// replay honours them as recorded.
	Excused []string `json:"-"`
	// Scanners are the scanners' statuses.
	Scanners []policy.ScannerStatus `json:"-"`
	// NotReplayable says why the case cannot be replayed; empty when it can.
	NotReplayable string `json:"not_replayable,omitempty"`
}

// Report is the outcome of a replay.
type Report struct {
	// Overall compares the block rates over every replayed case.
	Overall Rate `json:"overall"`
	// Repositories compare them per repository, by name.
	Repositories []RepoRate `json:"repositories"`
	// Drivers are the conditions behind the flips, most flips first.
	Drivers []Driver `json:"drivers"`
	// Flipped are the cases whose blocking changed, newest first.
	Flipped []Flip `json:"flipped"`
	// NotReplayable counts the cases skipped; Skipped says why.
	NotReplayable int            `json:"not_replayable"`
	Skipped       map[string]int `json:"skipped,omitempty"`
	// Notes are the replay's limits for this candidate.
	Notes []string `json:"notes,omitempty"`
}

// Rate compares blocks as recorded (Now) and with the candidate.
type Rate struct {
	Cases            int     `json:"cases"`
	BlockedNow       int     `json:"blocked_now"`
	BlockedCandidate int     `json:"blocked_candidate"`
	RateNow          float64 `json:"rate_now"`
	RateCandidate    float64 `json:"rate_candidate"`
}

// RepoRate is one repository's Rate.
type RepoRate struct {
	Repo string `json:"repo"`
	Rate
}

// Driver is one condition's part in the difference: the flips to block
// it causes (More) and the blocks it no longer causes (Fewer).
type Driver struct {
	Condition string `json:"condition"`
	More      int    `json:"more"`
	Fewer     int    `json:"fewer"`
}

// String renders "gate.max.high: 12 more blocks" (and/or "3 fewer").
func (d Driver) String() string {
	switch {
	case d.More > 0 && d.Fewer > 0:
		return fmt.Sprintf("%s: %d more blocks, %d fewer", d.Condition, d.More, d.Fewer)
	case d.More > 0:
		return fmt.Sprintf("%s: %d more blocks", d.Condition, d.More)
	}
	return fmt.Sprintf("%s: %d fewer blocks", d.Condition, d.Fewer)
}

// Flip is a case whose blocking changed.
type Flip struct {
	Case
	// Candidate is the candidate's outcome (pass, warn, block, off).
	Candidate policy.Outcome `json:"candidate"`
	// Drivers are the conditions that explain the flip.
	Drivers []string `json:"drivers"`
	// Reasons are the candidate's reasons, one line each.
	Reasons []string `json:"reasons,omitempty"`
}

// Blocks reports whether d blocks, or would in enforce mode.
func Blocks(d policy.Decision) bool {
	if d.Outcome == policy.OutcomeBlock {
		return true
	}
	return slices.ContainsFunc(d.Reasons, func(r policy.Reason) bool { return r.WouldBlock })
}

// Replay evaluates the candidate policy on every replayable case (the
// gate resolved for the case's branch) and compares with the recorded
// decisions. The exceptions that excused findings then excuse them again;
// gate.aging's overdue conditions see no open findings (see Notes).
func Replay(candidate *policy.Policy, cases []Case) Report {
	rep := Report{Repositories: []RepoRate{}, Drivers: []Driver{}, Flipped: []Flip{}}
	repos := map[string]*Rate{}
	drivers := map[string]*Driver{}
	aging := false
	for _, c := range cases {
		if c.NotReplayable != "" {
			rep.NotReplayable++
			if rep.Skipped == nil {
				rep.Skipped = map[string]int{}
			}
			rep.Skipped[c.NotReplayable]++
			continue
		}
		g := policy.Effective(candidate, c.Branch)
		aging = aging || g.NeedsOpenFindings()
		d := evaluate(g, c)
		now, cand := c.Blocked, Blocks(d)
		r := repos[c.Repo]
		if r == nil {
			r = &Rate{}
			repos[c.Repo] = r
		}
		r.add(now, cand)
		rep.Overall.add(now, cand)
		if now == cand {
			continue
		}
		f := Flip{Case: c, Candidate: d.Outcome, Drivers: explain(g, c, d)}
		for _, rs := range d.Reasons {
			f.Reasons = append(f.Reasons, rs.Headline())
		}
		for _, name := range f.Drivers {
			dr := drivers[name]
			if dr == nil {
				dr = &Driver{Condition: name}
				drivers[name] = dr
			}
			if cand {
				dr.More++
			} else {
				dr.Fewer++
			}
		}
		rep.Flipped = append(rep.Flipped, f)
	}
	for name, r := range repos {
		rep.Repositories = append(rep.Repositories, RepoRate{Repo: name, Rate: r.done()})
	}
	slices.SortFunc(rep.Repositories, func(a, b RepoRate) int { return cmp.Compare(a.Repo, b.Repo) })
	rep.Overall = rep.Overall.done()
	for _, d := range drivers {
		rep.Drivers = append(rep.Drivers, *d)
	}
	slices.SortFunc(rep.Drivers, func(a, b Driver) int {
		return cmp.Or(cmp.Compare(b.More+b.Fewer, a.More+a.Fewer), cmp.Compare(a.Condition, b.Condition))
	})
	slices.SortStableFunc(rep.Flipped, func(a, b Flip) int { return cmp.Or(b.At.Compare(a.At), cmp.Compare(a.ID, b.ID)) })
	if aging {
		rep.Notes = append(rep.Notes, "gate.aging days-to-fix conditions are not replayed: the open findings of the time are not kept")
	}
	return rep
}

// evaluate runs the gate on the case, minus the findings excused then.
func evaluate(g policy.Gate, c Case) policy.Decision {
	return policy.Evaluate(g, policy.Input{Findings: withoutExcused(c), Scanners: c.Scanners, Now: c.At})
}

func withoutExcused(c Case) []findings.Finding {
	if len(c.Excused) == 0 {
		return c.Findings
	}
	out := make([]findings.Finding, 0, len(c.Findings))
	for _, f := range c.Findings {
		if !slices.Contains(c.Excused, f.Fingerprint) {
			out = append(out, f)
		}
	}
	return out
}

func (r *Rate) add(now, cand bool) {
	r.Cases++
	if now {
		r.BlockedNow++
	}
	if cand {
		r.BlockedCandidate++
	}
}

func (r Rate) done() Rate {
	if r.Cases > 0 {
		r.RateNow = float64(r.BlockedNow) / float64(r.Cases)
		r.RateCandidate = float64(r.BlockedCandidate) / float64(r.Cases)
	}
	return r
}
