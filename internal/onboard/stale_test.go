package onboard_test

import (
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/conviso/conviso-github-app/internal/onboard"
)

// TestStale: pushes whose scan did not arrive within the grace period.
func TestStale(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	inv := &onboard.Inventory{KV: memStore(t), Clock: clk}
	r := seedInventory(t, inv, 7, 4)
	push := func(i int, sha string, at time.Duration) { must(t, inv.RecordPush(ctx, r[i].ID, sha, t0.Add(at))) }
	scan := func(i int, s onboard.LastScan) { must(t, inv.RecordScan(ctx, r[i].ID, s)) }

	push(0, "a1", 0)
	scan(0, onboard.LastScan{At: t0.Add(10 * time.Minute), Commit: "a1", OK: true})
	push(0, "a2", 20*time.Minute) // scanned commit is older: waiting
	push(1, "b1", 0)              // never scanned: waiting
	push(1, "b0", -time.Hour)     // an older push arriving late changes nothing
	push(2, "c1", 90*time.Minute) // within the grace period
	push(3, "d1", 0)              // archived below: not expected to be scanned
	_, err := inv.ApplyRepositoryEvent(ctx, &github.RepositoryEvent{Action: github.String("archived"),
		Installation: &github.Installation{ID: github.Int64(7)},
		Repo:         &github.Repository{ID: github.Int64(r[3].ID), FullName: github.String(r[3].FullName)}})
	must(t, err)

	clk.Set(t0.Add(2 * time.Hour))
	stale, err := inv.Stale(ctx)
	must(t, err)
	if len(stale) != 2 || stale[0].Repo.ID != r[1].ID || stale[0].Push.SHA != "b1" || stale[0].LastScan != nil ||
		stale[0].Waiting != 2*time.Hour || stale[0].WaitingSeconds != 7200 ||
		stale[1].Repo.ID != r[0].ID || stale[1].LastScan == nil || stale[1].LastScan.Commit != "a1" {
		t.Fatalf("Stale = %+v, want repo-001 (2h, never scanned) then repo-000 (scan of a1 only)", stale)
	}

	scan(1, onboard.LastScan{At: t0.Add(2 * time.Hour), Commit: "b1", Error: "scanner crashed"}) // a failure is a result
	scan(0, onboard.LastScan{At: t0.Add(time.Hour), Commit: "a2", OK: true})
	stale, err = inv.Stale(ctx)
	must(t, err)
	if len(stale) != 0 {
		t.Fatalf("Stale = %+v after results arrived, want none", stale)
	}
}

// TestRecordScanKeepsLatestAndLastSuccess: results may arrive out of
// order; the latest wins and the last success survives failures.
func TestRecordScanKeepsLatestAndLastSuccess(t *testing.T) {
	ctx := t.Context()
	inv := &onboard.Inventory{KV: memStore(t), Clock: newClock()}
	must(t, inv.RecordScan(ctx, 1, onboard.LastScan{At: t0, Commit: "a", OK: true}))
	must(t, inv.RecordScan(ctx, 1, onboard.LastScan{At: t0.Add(2 * time.Hour), Commit: "c", Error: "boom"}))
	must(t, inv.RecordScan(ctx, 1, onboard.LastScan{At: t0.Add(time.Hour), Commit: "b", OK: true})) // late
	scans, err := inv.Scans(ctx)
	must(t, err)
	got := scans[1]
	if got.Commit != "c" || got.OK || got.Error != "boom" || !got.LastSuccessAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("scan record %+v: want the failure of c, last success at %s", got, t0.Add(time.Hour))
	}
}
