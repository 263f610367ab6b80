package lifecycle

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// grid is the transition table as documented: for each current status
// (StatusNone first), the cells in the order of Statuses.
var grid = []struct {
	from  Status
	cells [7]string
}{
	{StatusNone, [7]string{"scan", "-", "-", "-", "-", "-", "-"}},
	{StatusCreated, [7]string{"-", "scan,user", "user", "user", "user", "user", "scan"}},
	{StatusIdentified, [7]string{"-", "-", "user", "user", "user", "user", "scan"}},
	{StatusInProgress, [7]string{"-", "user", "-", "user", "user", "user", "scan"}},
	{StatusAwaitingValidation, [7]string{"-", "user", "user", "-", "user", "user", "scan"}},
	{StatusRiskAccepted, [7]string{"-", "user", "-", "-", "-", "-", "-"}},
	{StatusFalsePositive, [7]string{"-", "user", "-", "-", "-", "-", "-"}},
	{StatusFixed, [7]string{"-", "scan", "-", "-", "-", "-", "-"}},
}

func allows(cell string, kind ActorKind) bool {
	for _, k := range strings.Split(cell, ",") {
		if k == string(kind) {
			return true
		}
	}
	return false
}

// TestTransitionTable checks every cell of the table, for both kinds of
// actor: allowed cells pass, refused ones return a *TransitionError that
// names both statuses, the actor kind and a reason.
func TestTransitionTable(t *testing.T) {
	for _, row := range grid {
		for i, to := range Statuses {
			for _, kind := range []ActorKind{ActorScan, ActorUser} {
				err := CheckTransition(row.from, to, kind)
				want := allows(row.cells[i], kind)
				name := row.from.String() + " → " + to.String() + " by " + string(kind)
				if want {
					if err != nil {
						t.Errorf("%s: refused (%v), want allowed", name, err)
					}
					continue
				}
				checkRefusal(t, name, err, row.from, to, kind)
			}
		}
	}
}

func checkRefusal(t *testing.T, name string, err error, from, to Status, kind ActorKind) {
	t.Helper()
	var te *TransitionError
	if !errors.Is(err, ErrTransitionRefused) || !errors.As(err, &te) {
		t.Errorf("%s: error %v, want a *TransitionError", name, err)
		return
	}
	if te.From != from || te.To != to || te.Kind != kind || te.Reason == "" {
		t.Errorf("%s: error fields %+v", name, te)
	}
	msg := err.Error()
	for _, part := range []string{from.String(), to.String(), string(kind)} {
		if !strings.Contains(msg, part) {
			t.Errorf("%s: error %q does not name %q", name, msg, part)
		}
	}
}

// TestRefusalReasons checks that each rule of the table explains itself.
func TestRefusalReasons(t *testing.T) {
	cases := []struct {
		from, to Status
		kind     ActorKind
		reason   string
	}{
		{StatusIdentified, StatusIdentified, ActorUser, "already Identified"},
		{StatusNone, StatusIdentified, ActorUser, "only be Created by its first detection"},
		{StatusFixed, StatusCreated, ActorScan, "Created is set only by a finding's first detection"},
		{StatusRiskAccepted, StatusIdentified, ActorScan, "Risk Accepted is final: scans never change it"},
		{StatusFalsePositive, StatusFixed, ActorScan, "False Positive is final: scans never change it"},
		{StatusRiskAccepted, StatusFalsePositive, ActorUser, "revoke the exception (back to Identified) first"},
		{StatusInProgress, StatusFixed, ActorUser, "Fixed is set only by a default-branch scan"},
		{StatusFixed, StatusRiskAccepted, ActorUser, "reopens only when a scan detects it again"},
		{StatusIdentified, StatusInProgress, ActorScan, "In Progress is a decision: only people set it"},
		{StatusAwaitingValidation, StatusIdentified, ActorScan, "never overrides the decision Awaiting Validation"},
	}
	for _, tc := range cases {
		err := CheckTransition(tc.from, tc.to, tc.kind)
		if err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s → %s by %s: error %v, want one saying %q", tc.from, tc.to, tc.kind, err, tc.reason)
		}
	}
}

func TestCheckTransitionUnknown(t *testing.T) {
	cases := []struct {
		from, to Status
		kind     ActorKind
		want     string
	}{
		{"Closed", StatusIdentified, ActorUser, `unknown current status "Closed" (allowed: Created, Identified,`},
		{StatusCreated, "Done", ActorUser, `unknown target status "Done"`},
		{StatusCreated, StatusIdentified, "robot", `actor kind "robot" is not allowed (allowed: scan, user)`},
	}
	for _, tc := range cases {
		err := CheckTransition(tc.from, tc.to, tc.kind)
		if err == nil || errors.Is(err, ErrTransitionRefused) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckTransition(%q, %q, %q) = %v, want a plain error with %q", tc.from, tc.to, tc.kind, err, tc.want)
		}
	}
}

// TestDocumentedTable checks that the table in the package documentation
// is the one the code enforces.
func TestDocumentedTable(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	inTable := false
	sep := regexp.MustCompile(`\s{2,}`)
	for _, line := range strings.Split(string(src), "\n") {
		body, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			inTable = false
			continue
		}
		fields := sep.Split(strings.TrimSpace(body), -1)
		if fields[0] == `from \ to` {
			inTable = true
			continue
		}
		if inTable {
			rows[fields[0]] = fields[1:]
		}
	}
	for _, row := range grid {
		label := row.from.String()
		if row.from == StatusNone {
			label = "—"
		}
		if got := rows[label]; strings.Join(got, "|") != strings.Join(row.cells[:], "|") {
			t.Errorf("doc.go row %q = %q, want %q", label, got, row.cells)
		}
	}
	if len(rows) != len(grid) {
		t.Errorf("doc.go table has %d rows, want %d", len(rows), len(grid))
	}
}

// TestDecideEveryCell runs Decide on every cell: allowed user cells change
// the status and append one entry; refused ones leave the record as it is.
func TestDecideEveryCell(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ev := Evidence{CommentURL: "https://github.com/o/r/pull/1#issuecomment-9"}
	for _, row := range grid {
		for i, to := range Statuses {
			rec := Record{Fingerprint: "fp", Status: row.from, History: []HistoryEntry{{Event: EventCreated}}}
			got, ch, err := Decide(rec, to, UserActor("alice"), ev, at)
			name := row.from.String() + " → " + to.String()
			if !allows(row.cells[i], ActorUser) {
				checkRefusal(t, name, err, row.from, to, ActorUser)
				if got.Status != row.from || len(got.History) != 1 {
					t.Errorf("%s: refused decision changed the record: %+v", name, got)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			want := HistoryEntry{At: at, Event: EventDecision, From: row.from, To: to, Actor: UserActor("alice"), Evidence: ev}
			if got.Status != to || len(got.History) != 2 || got.History[1] != want || ch.HistoryEntry != want {
				t.Errorf("%s: got status %s, history %+v, change %+v", name, got.Status, got.History, ch)
			}
		}
	}
}

func TestDecideRefusesScansAndNamelessActors(t *testing.T) {
	rec := Record{Fingerprint: "fp", Status: StatusIdentified}
	cases := []struct {
		actor Actor
		want  string
	}{
		{ScanActor("gitleaks"), "decisions are made by users, not by scan actors"},
		{UserActor(" "), "user actor has no name"},
		{Actor{Kind: "bot", Name: "x"}, `actor kind "bot" is not allowed`},
	}
	for _, tc := range cases {
		_, _, err := Decide(rec, StatusInProgress, tc.actor, Evidence{}, time.Now())
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "fp") {
			t.Errorf("Decide by %+v: %v, want an error with %q", tc.actor, err, tc.want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]Status{
		"Created": StatusCreated, "identified": StatusIdentified, "in_progress": StatusInProgress,
		"Awaiting-Validation": StatusAwaitingValidation, " RISK ACCEPTED ": StatusRiskAccepted,
		"false positive": StatusFalsePositive, "FIXED": StatusFixed,
	} {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseStatus("closed")
	if err == nil || !strings.Contains(err.Error(), "allowed: Created, Identified, In Progress, Awaiting Validation, "+
		"Risk Accepted, False Positive, Fixed") {
		t.Errorf("ParseStatus(closed) error = %v", err)
	}
}

func TestStatusClasses(t *testing.T) {
	for _, s := range Statuses {
		open := s == StatusCreated || s == StatusIdentified || s == StatusInProgress || s == StatusAwaitingValidation
		final := s == StatusRiskAccepted || s == StatusFalsePositive
		technical := s == StatusCreated || s == StatusIdentified || s == StatusFixed
		if s.Open() != open || s.Final() != final || s.Technical() != technical || !s.Valid() {
			t.Errorf("%s: open %v final %v technical %v valid %v", s, s.Open(), s.Final(), s.Technical(), s.Valid())
		}
	}
	if StatusNone.Valid() || StatusNone.String() != "none" {
		t.Error("StatusNone must be invalid and print as none")
	}
}
