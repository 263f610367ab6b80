package osv

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/osv-scalibr/semantic"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// affectedBy returns the ids of the records in the shared database that
// affect the package version.
func affectedBy(t *testing.T, eco, name, ver string) []string {
	t.Helper()
	db := newScanner(t).db
	var ids []string
	for _, r := range db.lookup(eco, name) {
		m, err := matchRecord(r, eco, normaliseName(eco, name), ver)
		if err != nil {
			t.Fatalf("%s %s@%s: %v", eco, name, ver, err)
		}
		if m != nil {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestRangeBoundaries checks the OSV semantics on real records:
// introduced is inclusive, fixed exclusive, last_affected inclusive, and
// each ecosystem orders versions its own way.
func TestRangeBoundaries(t *testing.T) {
	cases := []struct {
		eco, name, ver string
		want           []string
	}{
		// npm, SEMVER. GHSA-35jh: [0, 4.17.21). GHSA-p6mc: [3.7.0, 4.17.19).
		{"npm", "lodash", "3.6.9", []string{"GHSA-35jh-r3h4-6jhm"}},
		{"npm", "lodash", "3.7.0", []string{"GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"}},
		{"npm", "lodash", "4.17.18", []string{"GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"}},
		{"npm", "lodash", "4.17.19", []string{"GHSA-35jh-r3h4-6jhm"}},
		{"npm", "lodash", "4.17.20", []string{"GHSA-35jh-r3h4-6jhm"}},
		{"npm", "lodash", "4.17.21", nil},
		// Two ranges in two affected entries: [0, 0.2.4) and [1.0.0, 1.2.6).
		{"npm", "minimist", "0.2.0", []string{"GHSA-vh95-rmgr-6w4m", "GHSA-xvch-5gv4-984h"}},
		{"npm", "minimist", "0.2.1", []string{"GHSA-xvch-5gv4-984h"}},
		{"npm", "minimist", "0.2.4", nil},
		{"npm", "minimist", "0.9.9", nil},
		{"npm", "minimist", "1.0.0", []string{"GHSA-vh95-rmgr-6w4m", "GHSA-xvch-5gv4-984h"}},
		{"npm", "minimist", "1.2.3", []string{"GHSA-xvch-5gv4-984h"}},
		{"npm", "minimist", "1.2.6", nil},
		// A pre-release sorts before its release: [1.1.4, 3.4.0).
		{"npm", "jquery", "3.4.0-rc.1", []string{"GHSA-6c3j-c64m-qhgq"}},
		{"npm", "jquery", "1.1.3", nil},
		// Go, SEMVER, with the "-0" pre-release floor: [1.19.0-0, 1.19.4).
		{"Go", "stdlib", "1.18.8", []string{"GO-2022-1144", "GO-2024-2887"}},
		{"Go", "stdlib", "1.18.9", []string{"GO-2024-2887"}},
		{"Go", "stdlib", "1.19.0-rc.1", []string{"GO-2022-1144", "GO-2024-2887"}},
		{"Go", "stdlib", "1.19.4", []string{"GO-2024-2887"}},
		{"Go", "stdlib", "1.22.4", nil},
		{"Go", "golang.org/x/net", "0.4.0", []string{"GHSA-qppj-fm5r-hxr3"}},
		{"Go", "golang.org/x/net", "0.17.0", nil},
		// A pseudo-version below the fix.
		{"Go", "golang.org/x/image", "0.0.0-20240517182211-8d3a1f5a4b9e", []string{"GO-2024-2937"}},
		{"Go", "google.golang.org/grpc", "1.58.2", []string{"GHSA-qppj-fm5r-hxr3"}},
		{"Go", "google.golang.org/grpc", "1.57.1", nil},
		// PyPI, ECOSYSTEM with PEP 440 order: [2.0a1, 2.1.9) and [2.2a1, 2.2.2).
		{"PyPI", "django", "1.11.29", nil},
		{"PyPI", "Django", "2.0a1", []string{"GHSA-6c3j-c64m-qhgq"}},
		{"PyPI", "django", "2.1.9", nil},
		{"PyPI", "django", "2.2a1", []string{"GHSA-6c3j-c64m-qhgq"}},
		{"PyPI", "django", "2.2rc1", []string{"GHSA-6c3j-c64m-qhgq"}},
		{"PyPI", "django", "2.2.1.post1", []string{"GHSA-6c3j-c64m-qhgq"}},
		{"PyPI", "django", "2.2.2", nil},
		{"PyPI", "protobuf", "3.15.0rc2", []string{"GHSA-77rm-9x9h-xj3g"}},
		{"PyPI", "Protobuf", "3.15.0", nil},
		// Maven, ECOSYSTEM with Maven order. GHSA-2qrg: [1.2, 1.2.17]
		// (last_affected inclusive).
		{"Maven", "log4j:log4j", "1.1.3", nil},
		{"Maven", "log4j:log4j", "1.2", []string{"GHSA-2qrg-x229-3v8q"}},
		{"Maven", "log4j:log4j", "1.2.17", []string{"GHSA-2qrg-x229-3v8q"}},
		{"Maven", "log4j:log4j", "1.2.18", nil},
		// [2.8.0, 2.8.11.3): four-part versions, Maven order.
		{"Maven", "com.fasterxml.jackson.core:jackson-databind", "2.8.11.2", []string{"GHSA-4gq5-ch57-c2mg"}},
		{"Maven", "com.fasterxml.jackson.core:jackson-databind", "2.8.11.3", nil},
		{"Maven", "com.fasterxml.jackson.core:jackson-databind", "2.9.0", []string{"GHSA-4gq5-ch57-c2mg"}},
		{"Maven", "com.fasterxml.jackson.core:jackson-databind", "2.9.7", nil},
		// Only a versions list, no range: the exact version matches.
		{"Maven", "org.zenframework.z8.dependencies.commons:log4j-1.2.17", "2.0", []string{"GHSA-2qrg-x229-3v8q"}},
		{"Maven", "org.zenframework.z8.dependencies.commons:log4j-1.2.17", "2.0.1", nil},
		// A name no record mentions.
		{"npm", "left-pad", "1.0.0", nil},
	}
	for _, c := range cases {
		if got := affectedBy(t, c.eco, c.name, c.ver); !slices.Equal(got, c.want) {
			t.Errorf("%s %s@%s affected by %q, want %q", c.eco, c.name, c.ver, got, c.want)
		}
	}
}

func TestRangeIncludesEvents(t *testing.T) {
	semver, err := parser("SEMVER", "npm")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		events []event
		ver    string
		want   bool
		fixes  []string
	}{
		{"introduced inclusive", []event{{Introduced: "1.0.0"}, {Fixed: "2.0.0"}}, "1.0.0", true, []string{"2.0.0"}},
		{"below introduced", []event{{Introduced: "1.0.0"}, {Fixed: "2.0.0"}}, "0.9.0", false, nil},
		{"fixed exclusive", []event{{Introduced: "1.0.0"}, {Fixed: "2.0.0"}}, "2.0.0", false, nil},
		{"last_affected inclusive", []event{{Introduced: "0"}, {LastAffected: "2.0.0"}}, "2.0.0", true, nil},
		{"after last_affected", []event{{Introduced: "0"}, {LastAffected: "2.0.0"}}, "2.0.1", false, nil},
		{"unsorted events", []event{{Fixed: "1.5.0"}, {Introduced: "3.0.0"}, {Introduced: "0"}, {Fixed: "3.1.0"}}, "3.0.5", true, []string{"3.1.0"}},
		{"between branches", []event{{Fixed: "1.5.0"}, {Introduced: "3.0.0"}, {Introduced: "0"}, {Fixed: "3.1.0"}}, "2.0.0", false, nil},
		{"open range", []event{{Introduced: "0"}}, "99.0.0", true, nil},
		{"at limit", []event{{Introduced: "0"}, {Limit: "2.0.0"}}, "2.0.0", false, nil},
		{"below limit", []event{{Introduced: "0"}, {Limit: "2.0.0"}}, "1.0.0", true, nil},
		{"limit *", []event{{Introduced: "0"}, {Limit: "*"}}, "1.0.0", true, nil},
	}
	for _, c := range cases {
		got, fixes, err := rangeIncludes(c.events, semver, c.ver)
		if err != nil || got != c.want || !slices.Equal(fixes, c.fixes) {
			t.Errorf("%s: rangeIncludes(%s) = %v %q %v, want %v %q", c.name, c.ver, got, fixes, err, c.want, c.fixes)
		}
	}
	failing := func(v string) (semantic.Version, error) {
		if v == "bad" {
			return nil, errors.New("bad version")
		}
		return semver(v)
	}
	if _, _, err := rangeIncludes([]event{{Introduced: "0"}, {Fixed: "bad"}}, failing, "1.0.0"); err == nil {
		t.Error("an unparsable event version gave no error")
	}
	if _, _, err := rangeIncludes([]event{{Introduced: "0"}}, failing, "bad"); err == nil {
		t.Error("an unparsable package version gave no error")
	}
	if _, err := parser("GIT", "Go"); err == nil {
		t.Error("GIT ranges are not ordered by version")
	}
}

func TestUnsupportedEcosystemIsSkipped(t *testing.T) {
	r := &run{s: newScanner(t), unpinned: map[string][]string{}}
	r.pkgs = []occurrence{{path: "pubspec.lock", line: 3, eco: "Pub", name: "http", version: "0.13.0"}}
	r.match()
	if !hasSkipped(r.skipped, "pubspec.lock: 1 package(s) not checked: ecosystem Pub is not supported") {
		t.Errorf("Skipped = %q", r.skipped)
	}
}

func TestNormaliseName(t *testing.T) {
	cases := []struct{ eco, in, want string }{
		{"PyPI", "Django", "django"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"PyPI", "Foo__Bar-.baz", "foo-bar-baz"},
		{"Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"},
		{"npm", "@Babel/Core", "@Babel/Core"},
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
	}
	for _, c := range cases {
		if got := normaliseName(c.eco, c.in); got != c.want {
			t.Errorf("normaliseName(%s, %q) = %q, want %q", c.eco, c.in, got, c.want)
		}
	}
}

func TestCVSSSeverity(t *testing.T) {
	cases := []struct {
		entries []severity
		want    findings.Severity
	}{
		{nil, findings.SeverityUnknown},
		{[]severity{{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}, findings.SeverityCritical}, // 9.8
		{[]severity{{"CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}, findings.SeverityHigh},     // 8.4
		{[]severity{{"CVSS_V3", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"}}, findings.SeverityMedium},   // 5.9
		{[]severity{{"CVSS_V3", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}}, findings.SeverityLow},      // 1.6
		{[]severity{{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"}}, findings.SeverityUnknown},  // 0.0
		{[]severity{{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}, findings.SeverityCritical},
		{[]severity{{"CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P"}}, findings.SeverityHigh}, // 7.5
		// The highest valid score wins; garbage is ignored.
		{[]severity{{"CVSS_V3", "not a vector"}, {"CVSS_V3", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"}, {"Ubuntu", "high"}}, findings.SeverityMedium},
	}
	for _, c := range cases {
		if got := cvssSeverity(c.entries); got != c.want {
			t.Errorf("cvssSeverity(%v) = %s, want %s", c.entries, got, c.want)
		}
	}
}

func TestSeverityPrefersGitHubRating(t *testing.T) {
	critical := []severity{{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
	rec := &record{ID: "GHSA-test", ghsaSeverity: "LOW", Severity: critical}
	if got := matchSeverity(&match{rec: rec}); got != findings.SeverityLow {
		t.Errorf("severity %s, want GitHub's low", got)
	}
	rec.ghsaSeverity = ""
	if got := matchSeverity(&match{rec: rec}); got != findings.SeverityCritical {
		t.Errorf("severity %s, want critical from CVSS", got)
	}
	// The affected package's own severity comes before the record's.
	m := &match{rec: rec, severity: []severity{{"CVSS_V3", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"}}}
	if got := matchSeverity(m); got != findings.SeverityMedium {
		t.Errorf("severity %s, want medium from the affected entry", got)
	}
}

// TestCVSSAgreesWithGitHub checks the CVSS scoring against the real
// records: GitHub's rating of each matches the rating of its vectors.
func TestCVSSAgreesWithGitHub(t *testing.T) {
	n := 0
	for _, byName := range newScanner(t).db.index {
		for _, recs := range byName {
			for _, r := range recs {
				want, ok := ghsaSeverities[r.ghsaSeverity]
				if !ok {
					continue
				}
				n++
				if got := cvssSeverity(r.Severity); got != want {
					t.Errorf("%s: CVSS rating %s, GitHub's %s", r.ID, got, want)
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d rated records checked", n)
	}
}

func TestPreferredOrder(t *testing.T) {
	ids := []string{"CVE-2022-41717", "PYSEC-2022-1", "GO-2022-1144", "GHSA-xrjj-mj9h-534m", "BIT-x"}
	slices.SortFunc(ids, preferred)
	want := []string{"GHSA-xrjj-mj9h-534m", "BIT-x", "GO-2022-1144", "PYSEC-2022-1", "CVE-2022-41717"}
	if !slices.Equal(ids, want) {
		t.Errorf("order %q, want %q", ids, want)
	}
}

func TestMessageWithoutSummary(t *testing.T) {
	o := occurrence{name: "left-pad", version: "1.0.0"}
	got := message(o, &record{ID: "OSV-1"}, []string{"1.0.1", "2.0.0"})
	if want := "left-pad@1.0.0 is affected by OSV-1. Fixed in 1.0.1, 2.0.0 — upgrade."; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if got := normaliseCWE("79"); got != "CWE-79" {
		t.Errorf("normaliseCWE(79) = %q", got)
	}
	if got := firstLine("\n### Impact\nLong text", 120); got != "Impact" {
		t.Errorf("firstLine = %q", got)
	}
	if got := firstLine(strings.Repeat("é", 100), 7); got != "ééé…" {
		t.Errorf("firstLine cut = %q", got)
	}
}
