package onboard

import (
	"context"
	"sort"
	"time"
)

// Baseline mark states.
const (
	markClaimed  = "claimed"  // a planner is enqueueing the scan
	markEnqueued = "enqueued" // Enqueue returned: not enqueued again while covered
)

// mark records that a repository's baseline scan was handed to Enqueue.
type mark struct {
	State          string    `json:"state"`
	At             time.Time `json:"at"`
	InstallationID int64     `json:"installation_id"`
}

// snapshot is what a planner reads from the store on each tick.
type snapshot struct {
	installations map[int64]Installation
	repos         map[int64]Repo
	scans         map[int64]LastScan
	marks         map[int64]mark
}

// load reads the snapshot.
func (p *Planner) load(ctx context.Context) (snapshot, error) {
	var s snapshot
	var err error
	if s.installations, err = scanJSON[Installation](ctx, p.KV, keyInstallation); err != nil {
		return s, err
	}
	if s.repos, err = scanJSON[Repo](ctx, p.KV, keyRepo); err != nil {
		return s, err
	}
	if s.scans, err = scanJSON[LastScan](ctx, p.KV, keyScan); err != nil {
		return s, err
	}
	s.marks, err = scanJSON[mark](ctx, p.KV, keyMark)
	return s, err
}

// instPlan is one installation's baseline state.
type instPlan struct {
	inst                           Installation
	total, done, inFlight, overdue int
	// candidates need a baseline scan, oldest covered first.
	candidates []Repo
}

// plans groups the active repositories of live installations, skipping
// those the policy disables.
func (p *Planner) plans(s snapshot, pace Pace, now time.Time) map[int64]*instPlan {
	out := map[int64]*instPlan{}
	for id, in := range s.installations {
		if !in.Deleted {
			out[id] = &instPlan{inst: in}
		}
	}
	for _, r := range s.repos {
		pl := out[r.InstallationID]
		if pl == nil || !r.Active() || p.disabled(r) {
			continue
		}
		pl.total++
		// Marks and scans from before the repository was (last) covered
		// belong to an earlier coverage period: it needs a new baseline.
		m, marked := s.marks[r.ID]
		marked = marked && !m.At.Before(r.AddedAt)
		scan, scanned := s.scans[r.ID]
		scanned = scanned && !scan.At.Before(r.AddedAt)
		switch {
		case scanned:
			pl.done++
		case marked && m.State == markEnqueued && now.Sub(m.At) > pace.InFlightTimeout:
			pl.overdue++
		case marked && (m.State == markEnqueued || now.Sub(m.At) <= p.claimTimeout()):
			pl.inFlight++
		default:
			pl.candidates = append(pl.candidates, r)
		}
	}
	for _, pl := range out {
		sort.Slice(pl.candidates, func(i, j int) bool {
			a, b := pl.candidates[i], pl.candidates[j]
			if !a.AddedAt.Equal(b.AddedAt) {
				return a.AddedAt.Before(b.AddedAt)
			}
			return a.ID < b.ID
		})
	}
	return out
}

// disabled applies the policy.
func (p *Planner) disabled(r Repo) bool {
	if p.Policy == nil {
		return false
	}
	off, _ := p.Policy(r)
	return off
}

// InstallationProgress is one installation's baseline progress, for logs,
// metrics and the API. Done + InFlight + Overdue + Pending = Total.
type InstallationProgress struct {
	// InstallationID and Account identify the installation.
	InstallationID int64  `json:"installation_id"`
	Account        string `json:"account"`
	// Suspended installations get no baseline scans until unsuspended.
	Suspended bool `json:"suspended"`
	// Total counts the active repositories the policy does not disable.
	Total int `json:"total"`
	// Done counts those with a recorded scan.
	Done int `json:"done"`
	// InFlight counts baseline scans enqueued within the in-flight timeout
	// and not finished.
	InFlight int `json:"in_flight"`
	// Overdue counts baseline scans enqueued longer ago without a result
	// (see Planner.ResetBaseline).
	Overdue int `json:"overdue"`
	// Pending counts repositories waiting for their turn.
	Pending int `json:"pending"`
	// NextAt is when the pace allows the next baseline scan.
	NextAt time.Time `json:"next_at"`
	// ScansPerHour is the steady pace.
	ScansPerHour float64 `json:"scans_per_hour"`
}

// Progress reports the baseline progress of every installation that is
// not deleted, by installation ID.
func (p *Planner) Progress(ctx context.Context) ([]InstallationProgress, error) {
	pace, err := p.Budget.Pace()
	if err != nil {
		return nil, err
	}
	s, err := p.load(ctx)
	if err != nil {
		return nil, err
	}
	now := p.now()
	var out []InstallationProgress
	for id, pl := range p.plans(s, pace, now) {
		next, err := pace.nextAt(ctx, p.KV, id, now)
		if err != nil {
			return nil, err
		}
		out = append(out, InstallationProgress{
			InstallationID: id, Account: pl.inst.Account, Suspended: pl.inst.Suspended,
			Total: pl.total, Done: pl.done, InFlight: pl.inFlight, Overdue: pl.overdue, Pending: len(pl.candidates),
			NextAt: next, ScansPerHour: pace.ScansPerHour(),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].InstallationID < out[j].InstallationID })
	return out, nil
}
