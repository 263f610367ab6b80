package sarif

import (
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

func TestIdentityOfPartialFingerprints(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	cases := []struct {
		name      string
		pfp       map[string]string
		want      string
		wantExact string
	}{
		{"none", nil, "", ""},
		{"stable key", map[string]string{"matchBasedId/v1": "m1"}, "pfp:matchBasedId/v1=m1", ""},
		{"stable key beats line hash", map[string]string{"primaryLocationLineHash": "h:1", "ruleHash": "r"}, "pfp:ruleHash=r", ""},
		{"line hash alone", map[string]string{"primaryLocationLineHash": "h:1"}, "pfp:primaryLocationLineHash=h:1", ""},
		{"column fingerprint is not stable", map[string]string{"primaryLocationLineHash": "h:1", "primaryLocationStartColumnFingerprint": "12"}, "pfp:primaryLocationLineHash=h:1", ""},
		{"other line hashes ignored", map[string]string{"contextRegionLineHash": "c"}, "", ""},
		{"several stable keys in key order", map[string]string{"b": "2", "a": "1"}, "pfp:a=1;b=2", ""},
		{"empty values ignored", map[string]string{"commitSha": "", "author": ""}, "", ""},
		{"our own fingerprint", map[string]string{PFPFingerprint: fp}, "", fp},
		{"our own, malformed", map[string]string{PFPFingerprint: "xyz"}, "", ""},
	}
	for _, tc := range cases {
		got, exact, _ := identityOf(tc.pfp)
		if got != tc.want || exact != tc.wantExact {
			t.Errorf("%s: identity %q exact %q, want %q %q", tc.name, got, exact, tc.want, tc.wantExact)
		}
	}
}

// TestPartialFingerprintID checks the documented derivation of an id from
// partialFingerprints.
func TestPartialFingerprintID(t *testing.T) {
	result := resultOf("R1", "src/a.go", 7, obj{"partialFingerprints": obj{"matchBasedId/v1": "m1", "primaryLocationLineHash": "h:1"}})
	f := only(t, mustImport(t, logJSON(t, runOf(nil, result)), ImportOptions{}))
	want := findings.Fingerprint("demo", "R1", "src/a.go", "pfp:matchBasedId/v1=m1")
	if f.Fingerprint != want || f.ID != findings.IDFromFingerprint(want) {
		t.Errorf("fingerprint %s id %s, want %s", f.Fingerprint, f.ID, want)
	}
	moved := resultOf("R1", "src/a.go", 70, obj{"partialFingerprints": obj{"matchBasedId/v1": "m1", "primaryLocationLineHash": "other:1"}})
	if g := only(t, mustImport(t, logJSON(t, runOf(nil, moved)), ImportOptions{})); g.ID != f.ID {
		t.Errorf("id changed when the line moved: %s, was %s", g.ID, f.ID)
	}
}

// snippetAt is a result of rule R1 in a.go at line, with a snippet.
func snippetAt(line int, snippet string) obj {
	return with(resultOf("R1", "a.go", line), locatedAt("a.go", "", obj{"startLine": line, "snippet": obj{"text": snippet}}))
}

func TestSnippetFingerprintStableWhenLinesMove(t *testing.T) {
	before := only(t, mustImport(t, logJSON(t, runOf(nil, snippetAt(10, `password := "x"`))), ImportOptions{}))
	after := only(t, mustImport(t, logJSON(t, runOf(nil, snippetAt(25, "\tpassword  :=  \"x\"  "))), ImportOptions{}))
	if before.ID != after.ID {
		t.Errorf("id changed when the finding moved (and was re-indented): %s -> %s", before.ID, after.ID)
	}
	other := only(t, mustImport(t, logJSON(t, runOf(nil, snippetAt(10, `password := "y"`))), ImportOptions{}))
	if other.ID == before.ID {
		t.Errorf("different snippets, same id %s", other.ID)
	}
}

func TestSourceRootFingerprintStableWhenLinesMove(t *testing.T) {
	code := "package a\n\nfunc f() {\n\trun(cmd)\n}\n"
	dirBefore := writeFiles(t, map[string]string{"pkg/a.go": code})
	dirAfter := writeFiles(t, map[string]string{"pkg/a.go": "// Package a.\n// More.\n" + strings.ReplaceAll(code, "\trun", "    run")})
	imp := func(dir string, line int) findings.Finding {
		return only(t, mustImport(t, logJSON(t, runOf(nil, resultOf("R1", "pkg/a.go", line))), ImportOptions{SourceRoot: dir}))
	}
	before, after := imp(dirBefore, 4), imp(dirAfter, 6)
	if before.ID != after.ID {
		t.Errorf("id changed when the finding moved: %s -> %s", before.ID, after.ID)
	}
	if before.StartLine != 4 || after.StartLine != 6 {
		t.Errorf("lines %d, %d", before.StartLine, after.StartLine)
	}
	want := findings.Fingerprint("demo", "R1", "pkg/a.go", "src:"+digest(nil, "\trun(cmd)"))
	if before.Fingerprint != want {
		t.Errorf("fingerprint %s, want %s (from the source line)", before.Fingerprint, want)
	}
	if other := imp(dirBefore, 3); other.ID == before.ID {
		t.Errorf("another line, same id %s", other.ID)
	}
	// The snippet, when there is one, wins: the id does not depend on
	// whether the checkout is at hand.
	withSnippet := only(t, mustImport(t, logJSON(t, runOf(nil, with(snippetAt(4, "run(cmd)"), locatedAt("pkg/a.go", "", obj{"startLine": 4, "snippet": obj{"text": "run(cmd)"}})))), ImportOptions{SourceRoot: dirBefore}))
	if withSnippet.ID != before.ID {
		t.Errorf("snippet of the same line: id %s, want %s", withSnippet.ID, before.ID)
	}
}

func TestIdenticalSnippetsInOneFileAreNumberedByLine(t *testing.T) {
	single := only(t, mustImport(t, logJSON(t, runOf(nil, snippetAt(5, "md5.Sum(x)"))), ImportOptions{}))
	// Listed out of order: numbering follows the lines.
	res := mustImport(t, logJSON(t, runOf(nil, snippetAt(30, "md5.Sum(x)"), snippetAt(5, "md5.Sum(x)"), snippetAt(12, "md5.Sum(x)"))), ImportOptions{})
	if len(res.Findings) != 3 {
		t.Fatalf("%d findings, want 3", len(res.Findings))
	}
	ids := map[string]bool{}
	for i, f := range res.Findings {
		if want := []int{5, 12, 30}[i]; f.StartLine != want {
			t.Errorf("finding %d on line %d, want %d", i, f.StartLine, want)
		}
		ids[f.ID] = true
	}
	if len(ids) != 3 {
		t.Errorf("identical snippets share ids: %+v", res.Findings)
	}
	if res.Findings[0].ID != single.ID {
		t.Errorf("the first occurrence's id %s differs from a lone one's %s", res.Findings[0].ID, single.ID)
	}
	want := findings.Fingerprint("demo", "R1", "a.go", "src:"+digest(nil, "md5.Sum(x)")+":2")
	if res.Findings[1].Fingerprint != want {
		t.Errorf("second occurrence fingerprint %s, want %s", res.Findings[1].Fingerprint, want)
	}
}

func TestExactDuplicatesDropped(t *testing.T) {
	res := mustImport(t, logJSON(t, runOf(nil, snippetAt(5, "x"), snippetAt(5, "x"))), ImportOptions{})
	only(t, res)
}

func TestMessageFallbackFingerprint(t *testing.T) {
	a := only(t, mustImport(t, logJSON(t, runOf(nil, resultOf("R1", "a.go", 3))), ImportOptions{}))
	b := only(t, mustImport(t, logJSON(t, runOf(nil, resultOf("R1", "a.go", 9))), ImportOptions{}))
	if a.ID != b.ID {
		t.Errorf("same message, moved: %s -> %s", a.ID, b.ID)
	}
	want := findings.Fingerprint("demo", "R1", "a.go", "msg:"+digest(nil, "problem in a.go"))
	if a.Fingerprint != want {
		t.Errorf("fingerprint %s, want %s (from the message)", a.Fingerprint, want)
	}
}

func TestFingerprintKeyChangesIDs(t *testing.T) {
	log := logJSON(t, runOf(nil, snippetAt(5, `token = "s3cr3t"`)))
	plain := only(t, mustImport(t, log, ImportOptions{}))
	k1 := only(t, mustImport(t, log, ImportOptions{FingerprintKey: []byte("k1")}))
	k1again := only(t, mustImport(t, log, ImportOptions{FingerprintKey: []byte("k1")}))
	k2 := only(t, mustImport(t, log, ImportOptions{FingerprintKey: []byte("k2")}))
	if k1.ID != k1again.ID || k1.ID == plain.ID || k1.ID == k2.ID {
		t.Errorf("ids: plain %s k1 %s k1 %s k2 %s", plain.ID, k1.ID, k1again.ID, k2.ID)
	}
}

func TestOwnFingerprintKeptAsIs(t *testing.T) {
	fp, key := strings.Repeat("0a", 32), strings.Repeat("b1", 32)
	result := resultOf("R1", "a.go", 3, obj{"partialFingerprints": obj{PFPFingerprint: fp, PFPContentKey: key}})
	f := only(t, mustImport(t, logJSON(t, runOf(nil, result)), ImportOptions{}))
	if f.Fingerprint != fp || f.Key != key || f.ID != findings.IDFromFingerprint(fp) {
		t.Errorf("got %s %s %s", f.Fingerprint, f.Key, f.ID)
	}
}

func TestRedactMessages(t *testing.T) {
	rule := ruleOf("R1", obj{"fullDescription": obj{"text": "long"}})
	result := resultOf("R1", "a.go", 3, obj{"message": obj{"text": "found AKIA-secret-value"}})
	f := only(t, mustImport(t, logJSON(t, runOf([]obj{rule}, result)), ImportOptions{RedactMessages: true}))
	if f.Message != "Rule R1" || strings.Contains(f.Message, "secret") {
		t.Errorf("message %q, want the rule's description", f.Message)
	}
	g := only(t, mustImport(t, logJSON(t, runOf([]obj{rule}, result)), ImportOptions{}))
	if g.Message != "found AKIA-secret-value" || g.ID != f.ID {
		t.Errorf("unredacted message %q id %s (redacted id %s)", g.Message, g.ID, f.ID)
	}
}
