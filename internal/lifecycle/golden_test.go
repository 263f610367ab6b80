package lifecycle

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// step is one event of a scripted life: a scan, or a decision at a time.
type step struct {
	scan   *Scan
	to     Status
	actor  Actor
	ev     Evidence
	at     time.Time
	decide bool
}

func scanStep(s Scan) step { return step{scan: &s} }

func decideStep(to Status, login string, at time.Time, ev Evidence) step {
	return step{to: to, actor: UserActor(login), ev: ev, at: at, decide: true}
}

// life is a finding's full life: created on a pull request, confirmed,
// raised, worked on, fixed, reopened, accepted, ignored by scans while
// accepted, expired and fixed again.
func life() []step {
	a := func(sev findings.Severity) []findings.Finding { return []findings.Finding{leak("a", sev)} }
	comment := func(n int) Evidence {
		return Evidence{CommentURL: "https://github.com/acme/api/pull/7#issuecomment-" + strconv.Itoa(n)}
	}
	return []step{
		scanStep(mkScan("s1", t0, a(findings.SeverityMedium), onPR)),
		scanStep(mkScan("s2", days(1), a(findings.SeverityMedium))),
		scanStep(mkScan("s3", days(2), a(findings.SeverityHigh))),
		decideStep(StatusInProgress, "alice", days(3), comment(1)),
		scanStep(mkScan("s4", days(4), none)),
		scanStep(mkScan("s5", days(6), a(findings.SeverityHigh), onPR)),
		decideStep(StatusRiskAccepted, "bob", days(7), comment(2)),
		scanStep(mkScan("s6", days(8), none)),
		decideStep(StatusIdentified, "conviso-security-gate[bot]", days(37), Evidence{Note: "exception expired"}),
		scanStep(mkScan("s7", days(38), none)),
	}
}

// play runs steps from an empty state and returns the record of "a".
func play(t *testing.T, steps []step) Record {
	t.Helper()
	var s State
	for _, st := range steps {
		if !st.decide {
			s, _ = Apply(s, *st.scan)
			continue
		}
		rec, _, err := Decide(s.Records["a"], st.to, st.actor, st.ev, st.at)
		if err != nil {
			t.Fatal(err)
		}
		s.Records["a"] = rec
	}
	return s.Records["a"]
}

func TestGoldenHistory(t *testing.T) {
	rec := play(t, life())
	got, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "record_history.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lifecycle -run TestGoldenHistory -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("record differs from %s (rerun with -update if the change is intended):\n%s", path, got)
	}
	var back Record
	if err := json.Unmarshal(want, &back); err != nil || jsonOf(t, back) != jsonOf(t, rec) {
		t.Errorf("the golden record does not round-trip: %v", err)
	}
}

// TestRandomLivesFollowTheTable plays seeded random sequences of scans
// and decisions and checks every history entry against the table: no scan
// ever moves a final status, and every change is an allowed cell.
func TestRandomLivesFollowTheTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var s State
		for i := range 40 {
			s = randomStep(rng, s, i)
		}
		for fp, rec := range s.Records {
			checkHistory(t, fp, rec)
		}
	}
}

func randomStep(rng *rand.Rand, s State, i int) State {
	at := hours(i)
	if rng.IntN(4) == 0 && len(s.Records) > 0 {
		fp := []string{"a", "b"}[rng.IntN(2)]
		if rec, ok := s.Records[fp]; ok {
			to := Statuses[rng.IntN(len(Statuses))]
			if next, _, err := Decide(rec, to, UserActor("u"), Evidence{}, at); err == nil {
				s.Records[fp] = next
			}
		}
		return s
	}
	var fs []findings.Finding
	for _, fp := range []string{"a", "b"} {
		if rng.IntN(2) == 0 {
			fs = append(fs, leak(fp, findings.Severity(1+rng.IntN(4))))
		}
	}
	opts := []scanOpt{ran([][]string{{"gitleaks"}, {}, {"semgrep"}}[rng.IntN(3)]...)}
	if rng.IntN(3) == 0 {
		opts = append(opts, onPR)
	}
	s, _ = Apply(s, mkScan("r"+strconv.Itoa(i), at, fs, opts...))
	return s
}

func checkHistory(t *testing.T, fp string, rec Record) {
	t.Helper()
	status := StatusNone
	for _, e := range rec.History {
		if e.From != status {
			t.Fatalf("%s: entry %+v does not start from %s", fp, e, status)
		}
		if e.Event == EventSeverity {
			if e.To != e.From {
				t.Fatalf("%s: a severity change moved the status: %+v", fp, e)
			}
			continue
		}
		if err := CheckTransition(e.From, e.To, e.Actor.Kind); err != nil {
			t.Fatalf("%s: history holds a refused transition: %v", fp, err)
		}
		status = e.To
	}
	if status != rec.Status {
		t.Fatalf("%s: history ends in %s, record says %s", fp, status, rec.Status)
	}
}
