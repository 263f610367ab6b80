package onboard

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/conviso/conviso-github-app/internal/ghclient"
	"github.com/conviso/conviso-github-app/internal/store"
)

// Redeliverer asks GitHub to redeliver the app's webhook deliveries that
// failed, as GitHub documents
// (https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries):
// each run lists the deliveries made since the last run (GET
// /app/hook/deliveries, newest first, following the Link header's cursor),
// groups them by GUID, and redelivers (POST
// /app/hook/deliveries/{delivery_id}/attempts) the latest attempt of every
// GUID without a 2xx attempt. Each GUID is redelivered at most once (a
// mark in the store, set before the request, so replicas running at once
// agree), and the newest delivery seen is stored, so a run walks only new
// deliveries. The app's queue already drops a second delivery of a GUID,
// so a redelivery of something that meanwhile arrived is harmless.
type Redeliverer struct {
	// AppClient returns a client authenticated as the app (JWT) (required).
	AppClient func() (*github.Client, error)
	// KV holds the cursor and the marks (required).
	KV store.KV
	// Lookback bounds how far back a run looks (default DefaultLookback,
	// at most RedeliveryMaxAge).
	Lookback time.Duration
	// PerPage is the page size (default MaxPerPage).
	PerPage int
	// MaxPerRun bounds redeliveries per run (default
	// DefaultMaxRedeliveriesPerRun); the rest wait for the next run.
	MaxPerRun int
	// Clock is the time source (default the system clock).
	Clock ghclient.Clock
}

// RedeliveryResult is what one run did.
type RedeliveryResult struct {
	// Walked counts the deliveries read; Pages the pages requested.
	Walked, Pages int
	// Redelivered are the GUIDs redelivered by this run.
	Redelivered []string
	// GaveUp are failed GUIDs already redelivered once (by an earlier run
	// or another replica): they are not redelivered again.
	GaveUp []string
	// Deferred counts failed GUIDs left for the next run by MaxPerRun.
	Deferred int
}

// hookCursor is where the last complete run stopped: the newest delivery
// time seen, and the deliveries seen within deliveryOverlap of it (a
// delivery is listed once it completes, stamped with when it started, so
// it can appear behind newer ones).
type hookCursor struct {
	Newest time.Time      `json:"newest"`
	Seen   []seenDelivery `json:"seen"`
}

// seenDelivery is one delivery the cursor remembers.
type seenDelivery struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
}

// deliveryOverlap is how far behind the newest delivery seen a run looks
// again: more than the 10 seconds (30 on GitHub Enterprise Server) GitHub
// waits for a response before it records a delivery as failed.
// https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries#about-webhook-delivery-failures
const deliveryOverlap = 2 * time.Minute

// merge records deliveries and forgets those too old to be listed again.
func (c hookCursor) merge(add []seenDelivery) hookCursor {
	for _, s := range add {
		if s.At.After(c.Newest) {
			c.Newest = s.At
		}
	}
	var keep []seenDelivery
	for _, s := range append(append([]seenDelivery(nil), c.Seen...), add...) {
		if !s.At.Before(c.Newest.Add(-deliveryOverlap)) {
			keep = append(keep, s)
		}
	}
	c.Seen = keep
	return c
}

// attempt is one delivery of a GUID.
type attempt struct {
	id     int64
	at     time.Time
	status int
}

// RunOnce performs one run. The cursor moves only when the run completed
// (no error, nothing deferred), so an interrupted run is simply redone.
func (rd *Redeliverer) RunOnce(ctx context.Context) (RedeliveryResult, error) {
	gh, err := rd.AppClient()
	if err != nil {
		return RedeliveryResult{}, fmt.Errorf("app client: %w", err)
	}
	var cur hookCursor
	if _, err := getJSON(ctx, rd.KV, keyHookCursor, &cur); err != nil {
		return RedeliveryResult{}, err
	}
	cutoff := rd.now().Add(-rd.lookback())
	if resume := cur.Newest.Add(-deliveryOverlap); resume.After(cutoff) {
		cutoff = resume
	}
	groups, next, res, err := rd.walk(ctx, gh, cur, cutoff)
	if err != nil {
		return res, err
	}
	if err := rd.redeliver(ctx, gh, groups, &res); err != nil || res.Deferred > 0 {
		return res, err
	}
	return res, putJSON(ctx, rd.KV, keyHookCursor, next, 0)
}

// walk lists the deliveries from the newest back to cutoff (up to the end
// of the page that reaches it), skipping those the cursor has seen,
// grouped by GUID; it returns the cursor to store next.
func (rd *Redeliverer) walk(ctx context.Context, gh *github.Client, cur hookCursor,
	cutoff time.Time) (map[string][]attempt, hookCursor, RedeliveryResult, error) {
	seen := map[int64]bool{}
	for _, s := range cur.Seen {
		seen[s.ID] = true
	}
	groups := map[string][]attempt{}
	var walked []seenDelivery
	var res RedeliveryResult
	opts := &github.ListCursorOptions{PerPage: rd.perPage()}
	for {
		page, resp, err := gh.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			return nil, cur, res, fmt.Errorf("listing webhook deliveries (page %d): %w", res.Pages+1, err)
		}
		res.Pages++
		reached := false
		for _, d := range page {
			at := d.GetDeliveredAt().Time.UTC()
			if at.Before(cutoff) {
				reached = true
				continue
			}
			if seen[d.GetID()] {
				continue
			}
			res.Walked++
			groups[d.GetGUID()] = append(groups[d.GetGUID()], attempt{id: d.GetID(), at: at, status: d.GetStatusCode()})
			walked = append(walked, seenDelivery{ID: d.GetID(), At: at})
		}
		if reached || resp.Cursor == "" {
			return groups, cur.merge(walked), res, nil
		}
		opts.Cursor = resp.Cursor
	}
}

// redeliver redelivers each failed GUID once, oldest first.
func (rd *Redeliverer) redeliver(ctx context.Context, gh *github.Client, groups map[string][]attempt,
	res *RedeliveryResult) error {
	failed := failedGUIDs(groups)
	var errs []error
	for _, f := range failed {
		if len(res.Redelivered) >= rd.maxPerRun() {
			res.Deferred++
			continue
		}
		key := keyRedelivered + f.guid
		first, err := rd.KV.PutIfAbsent(ctx, key, []byte(strconv.FormatInt(f.id, 10)), RedeliveryMaxAge+time.Hour)
		if err != nil {
			errs = append(errs, fmt.Errorf("marking %s: %w", f.guid, err))
			continue
		}
		if !first {
			if err := rd.gaveUp(ctx, key, f, res); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := redeliverOne(ctx, gh, f.id); err != nil {
			errs = append(errs, fmt.Errorf("redelivering %s (delivery %d): %w", f.guid, f.id, err),
				wrapf(rd.KV.Delete(ctx, key), "unmarking %s", f.guid))
			continue
		}
		res.Redelivered = append(res.Redelivered, f.guid)
	}
	return errors.Join(errs...)
}

// gaveUp reports a failed GUID that was already redelivered, unless the
// attempt failing is the very one redelivered (a run redone after an
// error sees it again).
func (rd *Redeliverer) gaveUp(ctx context.Context, key string, f failure, res *RedeliveryResult) error {
	raw, err := rd.KV.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil // unmarked meanwhile by a failed attempt; the next run retries
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", key, err)
	}
	if string(raw) != strconv.FormatInt(f.id, 10) {
		res.GaveUp = append(res.GaveUp, f.guid)
	}
	return nil
}

// failure is a GUID without a successful attempt and its latest attempt.
type failure struct {
	guid string
	id   int64
	at   time.Time
}

// failedGUIDs lists the GUIDs with no 2xx attempt, oldest first.
func failedGUIDs(groups map[string][]attempt) []failure {
	var out []failure
	for guid, attempts := range groups {
		latest, ok := attempts[0], false
		for _, a := range attempts {
			ok = ok || (a.status >= 200 && a.status <= 299)
			if a.at.After(latest.at) || (a.at.Equal(latest.at) && a.id > latest.id) {
				latest = a
			}
		}
		if !ok {
			out = append(out, failure{guid: guid, id: latest.id, at: latest.at})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		return out[i].guid < out[j].guid
	})
	return out
}

// redeliverOne asks GitHub to redeliver one delivery; GitHub answers 202,
// which go-github reports as *github.AcceptedError.
func redeliverOne(ctx context.Context, gh *github.Client, id int64) error {
	_, _, err := gh.Apps.RedeliverHookDelivery(ctx, id)
	var accepted *github.AcceptedError
	if err == nil || errors.As(err, &accepted) {
		return nil
	}
	return err
}

// Run runs every interval (default DefaultRedeliveryInterval) until ctx is
// done, logging each run's outcome (zerolog from ctx). It returns ctx's
// error.
func (rd *Redeliverer) Run(ctx context.Context, interval time.Duration) error {
	clock := rd.Clock
	if clock == nil {
		clock = ghclient.SystemClock{}
	}
	logger := zerolog.Ctx(ctx)
	for {
		res, err := rd.RunOnce(ctx)
		switch {
		case err != nil:
			logger.Error().Err(err).Msg("Webhook redelivery run failed")
		case len(res.Redelivered)+len(res.GaveUp) > 0:
			logger.Warn().Strs("redelivered", res.Redelivered).Strs("gave_up", res.GaveUp).
				Int("deferred", res.Deferred).Msg("Failed webhook deliveries found")
		}
		if err := clock.Sleep(ctx, orDefault(interval, DefaultRedeliveryInterval)); err != nil {
			return err
		}
	}
}

func (rd *Redeliverer) now() time.Time {
	if rd.Clock == nil {
		return time.Now().UTC()
	}
	return rd.Clock.Now().UTC()
}

func (rd *Redeliverer) lookback() time.Duration {
	return min(orDefault(rd.Lookback, DefaultLookback), RedeliveryMaxAge)
}

func (rd *Redeliverer) perPage() int {
	if rd.PerPage <= 0 || rd.PerPage > MaxPerPage {
		return MaxPerPage
	}
	return rd.PerPage
}

func (rd *Redeliverer) maxPerRun() int {
	if rd.MaxPerRun <= 0 {
		return DefaultMaxRedeliveriesPerRun
	}
	return rd.MaxPerRun
}
