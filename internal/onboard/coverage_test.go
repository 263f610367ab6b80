package onboard_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/onboard"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// legacyPolicy disables repositories whose name starts with "legacy-".
func legacyPolicy(r onboard.Repo) (bool, string) {
	if strings.HasPrefix(r.Name(), "legacy-") {
		return true, "legacy repositories are out of the programme"
	}
	return false, ""
}

// TestCoverage checks each reason, the tallies per organization and per
// team, and the JSON shape (testdata/coverage.golden.json; -update
// rewrites it).
func TestCoverage(t *testing.T) {
	now := t0
	day := 24 * time.Hour
	repo := func(id int64, name string) onboard.Repo {
		return onboard.Repo{ID: id, FullName: name, InstallationID: 7, DefaultBranch: "main", AddedAt: now.Add(-30 * day)}
	}
	lost, removed, archived, deleted := repo(7, "acme/lost"), repo(8, "acme/removed"), repo(9, "acme/archived"), repo(10, "acme/deleted")
	lost.LostAccess, lost.LostAccessReason = true, "tarball: 404 Not Found"
	removed.Removed, removed.RemovedReason = true, onboard.RemovedFromInstallation
	archived.Archived = true
	deleted.Removed, deleted.RemovedReason = true, onboard.RemovedRepositoryDeleted
	repos := []onboard.Repo{
		repo(1, "acme/covered"), repo(2, "acme/never"), repo(3, "acme/failed"), repo(4, "acme/failed-once"),
		repo(5, "acme/stale"), repo(6, "acme/legacy-app"), lost, removed, archived, deleted, repo(11, "beta/tool"),
	}
	scans := map[int64]onboard.LastScan{
		1:  {At: now.Add(-day), Commit: "c1", OK: true},
		3:  {At: now.Add(-time.Hour), Commit: "c3", Error: "tarball: 502 Bad Gateway", LastSuccessAt: now.Add(-10 * day)},
		4:  {At: now.Add(-time.Hour), Commit: "c4", Error: "timeout", LastSuccessAt: now.Add(-2 * day)},
		5:  {At: now.Add(-8 * day), Commit: "c5", OK: true},
		11: {At: now.Add(-7 * day), Commit: "c11", OK: true}, // exactly the window: covered
	}
	teams := []onboard.Team{
		{Org: "acme", Slug: "web", Name: "Web", RepoIDs: []int64{3, 5, 99}},
		{Org: "acme", Slug: "platform", Name: "Platform", RepoIDs: []int64{1, 2}},
		{Org: "acme", Slug: "empty", Name: "Empty"},
	}
	rep := onboard.Coverage(repos, scans, now, 0, onboard.WithTeams(teams), onboard.WithPolicy(legacyPolicy))

	tally := func(label string, got onboard.Tally, active, covered int, reasons map[onboard.Reason]int) {
		t.Helper()
		if got.Active != active || got.Covered != covered {
			t.Errorf("%s: %d/%d covered, want %d/%d", label, got.Covered, got.Active, covered, active)
		}
		for reason, n := range reasons {
			if got.Uncovered[reason] != n {
				t.Errorf("%s: %d %s, want %d", label, got.Uncovered[reason], reason, n)
			}
		}
	}
	tally("total", rep.Total, 7, 3, map[onboard.Reason]int{onboard.ReasonNeverScanned: 1, onboard.ReasonLastScanFailed: 1,
		onboard.ReasonStale: 1, onboard.ReasonDisabledByPolicy: 1, onboard.ReasonLostAccess: 2})
	if rep.Total.Inactive != 1 || rep.Total.Ratio != 3.0/7 {
		t.Errorf("total %+v: want 1 inactive, ratio 3/7", rep.Total)
	}
	tally("acme", rep.Organizations[0].Tally, 6, 2, nil)
	tally("beta", rep.Organizations[1].Tally, 1, 1, nil)
	tally("team empty", rep.Teams[0].Tally, 0, 0, nil)
	tally("team platform", rep.Teams[1].Tally, 2, 1, map[onboard.Reason]int{onboard.ReasonNeverScanned: 1})
	tally("team web", rep.Teams[2].Tally, 2, 0, map[onboard.Reason]int{onboard.ReasonLastScanFailed: 1, onboard.ReasonStale: 1})
	if rep.Teams[0].Ratio != 1 || rep.Teams[1].Ratio != 0.5 {
		t.Errorf("team ratios %v, %v: want 1 (nothing to cover), 0.5", rep.Teams[0].Ratio, rep.Teams[1].Ratio)
	}
	golden(t, "coverage.golden.json", rep)
}

// golden compares v's indented JSON with testdata/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	must(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		must(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the report (go test -run %s -update rewrites it):\n%s", path, t.Name(), got)
	}
}

// TestCoverageEmpty: nothing to cover is full coverage, with empty lists
// (not null) in JSON.
func TestCoverageEmpty(t *testing.T) {
	rep := onboard.Coverage(nil, nil, t0, time.Hour)
	raw, err := json.Marshal(rep)
	must(t, err)
	if rep.Total.Ratio != 1 || rep.WindowSeconds != 3600 ||
		!strings.Contains(string(raw), `"organizations":[],"teams":[],"uncovered":[]`) {
		t.Errorf("empty report %s", raw)
	}
}
