package policy

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conviso/conviso-github-app/internal/findings"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// ok is a scanner that ran successfully.
var ok = []ScannerStatus{{Name: "gitleaks", Ran: true, RulesRun: 180}}

type fopt func(*findings.Finding)

func old(f *findings.Finding) { f.New = false }
func tags(ts ...string) fopt  { return func(f *findings.Finding) { f.Tags = ts } }
func cwe(cs ...string) fopt   { return func(f *findings.Finding) { f.CWE = cs } }
func rule(r string) fopt      { return func(f *findings.Finding) { f.RuleID = r } }
func at(p string, l int) fopt {
	return func(f *findings.Finding) { f.Path, f.StartLine, f.EndLine = p, l, l }
}

// fnd builds a new finding with id, severity s and options.
func fnd(id string, s findings.Severity, opts ...fopt) findings.Finding {
	f := findings.Finding{ID: id, Scanner: "gitleaks", RuleID: "generic-api-key", Severity: s, Path: "src/app.go",
		StartLine: 3, EndLine: 3, New: true}
	for _, o := range opts {
		o(&f)
	}
	return f
}

// gate resolves a repository policy (on top of the built-in default).
func gate(t testing.TB, repo string) Gate {
	t.Helper()
	p, _, errs := merge(t, "", repo)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	return Effective(p, "main")
}

func ids(fs []findings.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return strings.Join(out, ",")
}

// TestEvaluateConditions covers every condition at and around its boundary.
func TestEvaluateConditions(t *testing.T) {
	const crit, low, unknown = findings.SeverityCritical, findings.SeverityLow, findings.SeverityUnknown
	cases := []struct {
		name     string
		policy   string
		findings []findings.Finding
		scanners []ScannerStatus
		outcome  Outcome
		blocking string
		reasons  []string // each reason's String(), in order
	}{
		{"default: nothing", "", nil, ok, OutcomePass, "",
			[]string{"Passed: no new finding meets a blocking condition (blocks at high or above)"}},
		{"default: new medium", "", []findings.Finding{fnd("f-1", medium)}, ok, OutcomePass, "", nil},
		{"default: new high", "", []findings.Finding{fnd("f-1", high)}, ok, OutcomeBlock, "f-1",
			[]string{"Blocked: 1 new high finding, the policy blocks at high or above — generic-api-key in src/app.go:3 [f-1]"}},
		{"default: old critical", "", []findings.Finding{fnd("f-1", crit, old)}, ok, OutcomePass, "", nil},
		{"default: unknown severity", "", []findings.Finding{fnd("f-1", unknown)}, ok, OutcomePass, "", nil},
		{"block_at mixed", "gate: {block_at: high}", []findings.Finding{fnd("f-2", high), fnd("f-1", crit), fnd("f-3", low)},
			ok, OutcomeBlock, "f-1,f-2",
			[]string{"Blocked: 2 new findings (1 critical, 1 high), the policy blocks at high or above — generic-api-key in src/app.go:3 [f-1], generic-api-key in src/app.go:3 [f-2]"}},
		{"block_at none", "gate: {block_at: none}", []findings.Finding{fnd("f-1", crit)}, ok, OutcomePass, "",
			[]string{"Passed: no new finding meets a blocking condition (no finding condition is set)"}},
		{"block_at low blocks low", "gate: {block_at: low}", []findings.Finding{fnd("f-1", low)}, ok, OutcomeBlock, "f-1", nil},
		{"max 0 critical", "gate: {block_at: none, max: {critical: 0}}",
			[]findings.Finding{fnd("f-3fa9c2e1", crit, rule("aws-access-token"), at("internal/keys.go", 12))}, ok, OutcomeBlock, "f-3fa9c2e1",
			[]string{"Blocked: 1 new critical finding, the maximum is 0 — aws-access-token in internal/keys.go:12 [f-3fa9c2e1]"}},
		{"max at limit", "gate: {block_at: none, max: {medium: 2}}", []findings.Finding{fnd("f-1", medium), fnd("f-2", medium)},
			ok, OutcomePass, "", []string{"Passed: no new finding meets a blocking condition (at most 2 medium)"}},
		{"max over limit", "gate: {block_at: none, max: {medium: 2}}",
			[]findings.Finding{fnd("f-1", medium, at("a", 1)), fnd("f-2", medium, at("b", 1)), fnd("f-3", medium, at("c", 1)), fnd("f-4", medium, at("d", 1))},
			ok, OutcomeBlock, "f-1,f-2,f-3,f-4",
			[]string{"Blocked: 4 new medium findings, the maximum is 2 — generic-api-key in a:1 [f-1], generic-api-key in b:1 [f-2], generic-api-key in c:1 [f-3] and 1 more"}},
		{"max counts exactly its severity", "gate: {block_at: none, max: {medium: 1}}",
			[]findings.Finding{fnd("f-1", medium), fnd("f-2", high), fnd("f-3", crit)}, ok, OutcomePass, "", nil},
		{"max ignores old findings", "gate: {max: {low: 0}}", []findings.Finding{fnd("f-1", low, old)}, ok, OutcomePass, "", nil},
		{"scope all counts old", "gate: {scope: all, block_at: none, max: {critical: 0}}", []findings.Finding{fnd("f-1", crit, old)},
			ok, OutcomeBlock, "f-1",
			[]string{"Blocked: 1 critical finding (new or pre-existing), the maximum is 0 — generic-api-key in src/app.go:3 [f-1]"}},
		{"always_block rule at low", "gate: {always_block: {rules: [private-key]}}", []findings.Finding{fnd("f-1", low, rule("private-key"))},
			ok, OutcomeBlock, "f-1",
			[]string{"Blocked: 1 new finding matches always_block rule private-key — private-key in src/app.go:3 [f-1]"}},
		{"always_block cwe", "gate: {always_block: {cwe: [CWE-798]}}", []findings.Finding{fnd("f-1", unknown, cwe("CWE-798"))},
			ok, OutcomeBlock, "f-1",
			[]string{"Blocked: 1 new finding matches always_block CWE-798 — generic-api-key in src/app.go:3 [f-1]"}},
		{"always_block tag, any case", "gate: {always_block: {tags: [Secret]}}", []findings.Finding{fnd("f-1", low, tags("secret"))},
			ok, OutcomeBlock, "f-1",
			[]string{"Blocked: 1 new finding matches always_block tag Secret — generic-api-key in src/app.go:3 [f-1]"}},
		{"always_block not for old", "gate: {always_block: {rules: [generic-api-key]}}", []findings.Finding{fnd("f-1", low, old)},
			ok, OutcomePass, "", nil},
		{"never_block", "gate: {never_block: {tags: [example]}}", []findings.Finding{fnd("f-1", crit, tags("example"))},
			ok, OutcomePass, "", nil},
		{"never_block cwe", "gate: {never_block: {cwe: [CWE-1004]}}", []findings.Finding{fnd("f-1", crit, cwe("CWE-1004"))},
			ok, OutcomePass, "", nil},
		{"always_block wins over never_block", "gate: {always_block: {tags: [secret]}, never_block: {rules: [generic-api-key]}}",
			[]findings.Finding{fnd("f-1", low, tags("secret"))}, ok, OutcomeBlock, "f-1", nil},
		{"ignore", "ignore: [{paths: [\"testdata/**\"], reason: fixtures}]",
			[]findings.Finding{fnd("f-1", crit, at("testdata/keys/a.pem", 1)), fnd("f-2", crit, at("./testdata/b", 1))}, ok, OutcomePass, "", nil},
		{"ignore before always_block", "gate: {always_block: {rules: [generic-api-key]}}\nignore: [{paths: [\"**/*_test.go\"], reason: tests}]",
			[]findings.Finding{fnd("f-1", crit, at("pkg/a_test.go", 1))}, ok, OutcomePass, "", nil},
		{"required scanner missing", "gate: {required_scanners: [semgrep]}", nil, ok, OutcomeBlock, "",
			[]string{"Blocked: required scanner semgrep did not run"}},
		{"required scanner failed", "gate: {required_scanners: [gitleaks]}\non_scanner_failure: fail-open", nil,
			[]ScannerStatus{{Name: "gitleaks", Ran: true, Error: "rule\npack\tbroken", RulesRun: 10}}, OutcomeBlock, "",
			[]string{"Blocked: required scanner gitleaks failed: rule pack broken"}},
		{"required scanner ok, any case", "gate: {required_scanners: [GitLeaks]}", nil, ok, OutcomePass, "", nil},
		{"scanner error fail-closed", "", nil, []ScannerStatus{{Name: "semgrep", Error: "timeout"}}, OutcomeBlock, "",
			[]string{"Blocked: scanner semgrep failed: timeout, and on_scanner_failure is fail-closed"}},
		{"scanner did not run", "", nil, []ScannerStatus{{Name: "semgrep", RulesRun: 5}}, OutcomeBlock, "",
			[]string{"Blocked: scanner semgrep did not run, and on_scanner_failure is fail-closed"}},
		{"scanner zero rules", "", nil, []ScannerStatus{{Name: "semgrep", Ran: true}}, OutcomeBlock, "",
			[]string{"Blocked: scanner semgrep ran zero rules, and on_scanner_failure is fail-closed"}},
		{"scanner truncated", "", nil, []ScannerStatus{{Name: "semgrep", Ran: true, RulesRun: 9, Truncated: true}}, OutcomeBlock, "",
			[]string{"Blocked: scanner semgrep returned truncated results, and on_scanner_failure is fail-closed"}},
		{"no scanner at all", "", nil, nil, OutcomeBlock, "",
			[]string{"Blocked: no scanner reported a result, and on_scanner_failure is fail-closed"}},
		{"fail-open warns", "on_scanner_failure: fail-open", nil, []ScannerStatus{{Name: "semgrep", Ran: true}}, OutcomeWarn, "",
			[]string{"Warning: scanner semgrep ran zero rules; on_scanner_failure is fail-open, so it does not block"}},
		{"fail-open with a blocking finding", "on_scanner_failure: fail-open", []findings.Finding{fnd("f-1", high)},
			append([]ScannerStatus{{Name: "semgrep", Ran: true, Truncated: true, RulesRun: 1}}, ok...), OutcomeBlock, "f-1", nil},
		{"warn mode", "mode: warn", []findings.Finding{fnd("f-1", crit)}, ok, OutcomeWarn, "f-1",
			[]string{"Would block (mode is warn): 1 new critical finding, the policy blocks at high or above — generic-api-key in src/app.go:3 [f-1]"}},
		{"warn mode, failed scanner", "mode: warn", nil, []ScannerStatus{{Name: "semgrep", Error: "x"}}, OutcomeWarn, "",
			[]string{"Would block (mode is warn): scanner semgrep failed: x, and on_scanner_failure is fail-closed"}},
		{"off", "mode: off", []findings.Finding{fnd("f-1", crit)}, nil, OutcomeOff, "",
			[]string{"Off: the gate is off (mode: off); nothing was evaluated"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(gate(t, tc.policy), Input{Findings: tc.findings, Scanners: tc.scanners, Now: now})
			want := map[Outcome]string{OutcomePass: "success", OutcomeWarn: "neutral", OutcomeBlock: "failure", OutcomeOff: "neutral"}
			if d.Outcome != tc.outcome || d.Conclusion != want[tc.outcome] {
				t.Errorf("outcome %s/%s, want %s; reasons %v", d.Outcome, d.Conclusion, tc.outcome, d.Reasons)
			}
			if got := ids(d.Blocking); got != tc.blocking {
				t.Errorf("blocking %q, want %q", got, tc.blocking)
			}
			var got []string
			for _, r := range d.Reasons {
				got = append(got, r.String())
			}
			if tc.reasons != nil && !slices.Equal(got, tc.reasons) {
				t.Errorf("reasons:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.reasons, "\n"))
			}
			if len(d.Reasons) == 0 {
				t.Error("no reason")
			}
		})
	}
}

func TestEvaluateDetails(t *testing.T) {
	g := gate(t, "gate: {max: {critical: 0}, never_block: {tags: [example]}}\nignore: [{paths: [\"testdata/**\"], reason: fixtures}]")
	d := Evaluate(g, Input{Scanners: ok, Now: now, Findings: []findings.Finding{
		fnd("f-1", findings.SeverityCritical), fnd("f-2", high, tags("example")), fnd("f-3", high, at("testdata/x", 1)),
	}})
	if len(d.Reasons) != 2 || d.Reasons[0].Condition != CondBlockAt || d.Reasons[1].Condition != CondMax {
		t.Fatalf("reasons %v", d.Reasons)
	}
	r := d.Reasons[1]
	if r.Key != "gate.max.critical" || r.Source != repoSrc || r.Count != 1 || r.Limit != 0 || r.Severity != findings.SeverityCritical {
		t.Errorf("max reason %+v", r)
	}
	if d.Reasons[0].Source != builtinSource {
		t.Errorf("block_at source %v", d.Reasons[0].Source)
	}
	if ids(d.NeverBlocked) != "f-2" || len(d.Ignored) != 1 || d.Ignored[0].Glob != "testdata/**" || d.Ignored[0].Reason != "fixtures" {
		t.Errorf("never %v ignored %+v", d.NeverBlocked, d.Ignored)
	}
	if d.Title() != "Blocked: 1 new critical finding, the policy blocks at high or above (+1 more condition)" {
		t.Errorf("title %q", d.Title())
	}
}

// TestExceptions covers exceptions applied, expired, stale and rejected.
func TestExceptions(t *testing.T) {
	const policy = `exceptions:
  approvers: ["@acme/appsec", alice]
  kinds: [false-positive, accepted-risk]
  max_duration: 30d
  paths:
    - match: "auth/**"
      approvers: ["@acme/auth-owners"]
`
	g := gate(t, policy)
	crit := findings.SeverityCritical
	fs := []findings.Finding{fnd("f-1", crit), fnd("f-2", crit, rule("jwt"), at("auth/token.go", 9)), fnd("f-3", crit, rule("jwt"), at("api/x.go", 1))}
	valid := Exception{FindingID: "f-1", Kind: KindFalsePositive, Until: now.Add(24 * time.Hour), ApprovedBy: "alice"}
	with := func(mod func(*Exception)) Exception { e := valid; mod(&e); return e }
	cases := []struct {
		name     string
		ex       Exception
		applied  bool
		excused  string
		stale    bool
		rejected string
	}{
		{"by finding id", valid, true, "f-1", false, ""},
		{"by team", with(func(e *Exception) { e.ApprovedBy, e.ApprovedVia = "bob", []string{"@ACME/appsec"} }), true, "f-1", false, ""},
		{"by rule, not in auth", with(func(e *Exception) { e.FindingID, e.RuleID = "", "jwt" }), true, "f-3", false, ""},
		{"by rule, in auth with the path team", with(func(e *Exception) {
			e.FindingID, e.RuleID, e.ApprovedVia = "", "jwt", []string{"@acme/auth-owners"}
		}), true, "f-2,f-3", false, ""},
		{"sensitive path needs its team", with(func(e *Exception) { e.FindingID = "f-2" }), false, "", false,
			"alice may not approve exceptions for auth/token.go (approvers: @acme/auth-owners)"},
		{"path team alone is not enough", with(func(e *Exception) {
			e.FindingID, e.ApprovedBy, e.ApprovedVia = "f-2", "carol", []string{"@acme/auth-owners"}
		}), false, "", false, "carol may not approve exceptions for auth/token.go (approvers: @acme/appsec, alice)"},
		{"approver not listed", with(func(e *Exception) { e.ApprovedBy = "mallory" }), false, "", false,
			"mallory may not approve exceptions for src/app.go (approvers: @acme/appsec, alice)"},
		{"expires now", with(func(e *Exception) { e.Until = now }), false, "", false, "it expired on 2025-06-01"},
		{"expires in a nanosecond", with(func(e *Exception) { e.Until = now.Add(time.Nanosecond) }), true, "f-1", false, ""},
		{"kind not allowed", with(func(e *Exception) { e.Kind = KindWontFix }), false, "", false,
			`kind "wont-fix" is not allowed (allowed: false-positive, accepted-risk)`},
		{"exactly max_duration", with(func(e *Exception) { e.Created, e.Until = now.Add(-time.Hour), now.Add(30*24*time.Hour-time.Hour) }),
			true, "f-1", false, ""},
		{"longer than max_duration", with(func(e *Exception) { e.Created, e.Until = now.Add(-time.Hour), now.Add(30*24*time.Hour) }),
			false, "", false, "it lasts longer than the maximum of 30d"},
		{"longer, creation unknown", with(func(e *Exception) { e.Until = now.Add(31 * 24 * time.Hour) }), false, "", false,
			"it lasts longer than the maximum of 30d"},
		{"no expiry", with(func(e *Exception) { e.Until = time.Time{} }), false, "", false, "it has no expiry date"},
		{"no target", with(func(e *Exception) { e.FindingID = "" }), false, "", false, "it names no finding and no rule"},
		{"no approver", with(func(e *Exception) { e.ApprovedBy = " " }), false, "", false, "it has no approver"},
		{"stale", with(func(e *Exception) { e.FindingID = "f-gone" }), false, "", true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(g, Input{Findings: fs, Scanners: ok, Now: now, Exceptions: []Exception{tc.ex}})
			var excused []findings.Finding
			for _, x := range d.Excused {
				excused = append(excused, x.Finding)
			}
			if (len(d.Applied) == 1) != tc.applied || ids(excused) != tc.excused || (len(d.Stale) == 1) != tc.stale {
				t.Errorf("applied %v excused %q stale %v", d.Applied, ids(excused), d.Stale)
			}
			why := ""
			if len(d.Rejected) == 1 {
				why = d.Rejected[0].Why
			}
			if why != tc.rejected {
				t.Errorf("rejected %q, want %q", why, tc.rejected)
			}
		})
	}
}

func TestExceptionsAndConditions(t *testing.T) {
	g := gate(t, "gate: {always_block: {rules: [private-key]}}\nexceptions: {approvers: [alice]}\n"+
		"ignore: [{paths: [\"testdata/**\"], reason: fixtures}]")
	fs := []findings.Finding{fnd("f-1", findings.SeverityLow, rule("private-key")), fnd("f-2", high, at("testdata/k", 1))}
	exs := []Exception{
		{FindingID: "f-1", Kind: KindAcceptedRisk, Until: now.Add(time.Hour), ApprovedBy: "alice"},
		{FindingID: "f-2", Kind: KindTestCode, Until: now.Add(time.Hour), ApprovedBy: "alice"},
	}
	d := Evaluate(g, Input{Findings: fs, Scanners: ok, Now: now, Exceptions: exs})
	if d.Outcome != OutcomePass || len(d.Applied) != 1 || len(d.Stale) != 1 || d.Stale[0].FindingID != "f-2" {
		t.Errorf("an exception excuses an always_block finding; one for an ignored finding is stale: %+v", d)
	}
	p, _, _ := merge(t, "", "")
	d = Evaluate(Effective(p, "main"), Input{Findings: fs[:1], Scanners: ok, Now: now, Exceptions: exs[:1]})
	if len(d.Rejected) != 1 || !strings.Contains(d.Rejected[0].Why, "approvers: none configured") {
		t.Errorf("without approvers only a verified repository admin approves: %+v", d.Rejected)
	}
	admin := exs[0]
	admin.ApprovedVia = []string{RepoAdminApprover}
	d = Evaluate(Effective(p, "main"), Input{Findings: fs[:1], Scanners: ok, Now: now, Exceptions: []Exception{admin}})
	if len(d.Applied) != 1 || len(d.Rejected) != 0 {
		t.Errorf("a repository admin's approval applies when the policy names no approvers: %+v", d)
	}
}

func TestApprove(t *testing.T) {
	x := gate(t, "exceptions:\n  approvers: [\"@acme/appsec\", alice]\n  paths: [{match: \"auth/**\", approvers: [\"@acme/auth\"]}]").Exceptions
	cases := []struct {
		path, login string
		teams       []string
		via         string
		err         string
	}{
		{"src/a.go", "alice", nil, "", ""},
		{"src/a.go", "@Alice", nil, "", ""},
		{"src/a.go", "bob", []string{"@acme/appsec"}, "@acme/appsec", ""},
		{"auth/a.go", "bob", []string{"@acme/appsec", "@acme/auth"}, "@acme/appsec,@acme/auth", ""},
		{"auth/a.go", "alice", nil, "", "alice may not approve exceptions for auth/a.go (approvers: @acme/auth)"},
		{"src/a.go", "bob", []string{"@acme/auth"}, "", "bob may not approve exceptions for src/a.go (approvers: @acme/appsec, alice)"},
	}
	for _, tc := range cases {
		via, err := x.Approve(tc.path, tc.login, tc.teams)
		if msg := errString(err); msg != tc.err || strings.Join(via, ",") != tc.via {
			t.Errorf("Approve(%s, %s, %v) = %v, %q; want %s, %q", tc.path, tc.login, tc.teams, via, msg, tc.via, tc.err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestServerDefaultIsToday: the server default blocks exactly on a new
// high or critical finding (checks.EvaluateDefault's rule; see also
// default_compat_test.go), whatever else the findings carry.
func TestServerDefaultIsToday(t *testing.T) {
	p, _, _ := Merge(nil, nil, nil)
	g := Effective(p, "main")
	var all []findings.Finding
	for s := findings.SeverityUnknown; s <= findings.SeverityCritical; s++ {
		for _, isNew := range []bool{true, false} {
			f := fnd("f-"+s.String()+map[bool]string{true: "-new", false: "-old"}[isNew], s, tags("secret"), cwe("CWE-798"))
			f.New = isNew
			all = append(all, f)
		}
	}
	for mask := 0; mask < 1<<len(all); mask++ {
		var fs, want []findings.Finding
		for i, f := range all {
			if mask&(1<<i) != 0 {
				fs = append(fs, f)
				if f.New && f.Severity >= findings.SeverityHigh {
					want = append(want, f)
				}
			}
		}
		d := Evaluate(g, Input{Findings: fs, Scanners: ok, Now: now})
		sortFindings(want)
		if (d.Outcome == OutcomeBlock) != (len(want) > 0) || ids(d.Blocking) != ids(want) {
			t.Fatalf("findings %s: outcome %s blocking %s, want %s", ids(fs), d.Outcome, ids(d.Blocking), ids(want))
		}
	}
}
