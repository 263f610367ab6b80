package gitleaks

import "testing"

// The code under review must not exempt itself: an inline gitleaks:allow
// comment, which the gitleaks CLI honours, does not hide a finding here.
func TestInlineAllowCommentDoesNotSuppress(t *testing.T) {
	res := scanFiles(t, map[string]string{
		"main.go": lines("package main", "", "var token = \""+ghPAT+"\" // gitleaks:allow"),
	})
	f := one(t, res.Findings, "github-pat")
	if f.StartLine != 3 {
		t.Fatalf("finding on line %d, want 3", f.StartLine)
	}
}

// A keyed scanner's ids are stable for its key and differ from an unkeyed
// (or differently keyed) scanner's, so an id cannot be recomputed from a
// guessed secret without the deployment's key.
func TestFingerprintKey(t *testing.T) {
	files := map[string]string{"main.go": lines("package main", "var token = \""+ghPAT+"\"")}
	dir := writeTree(t, files)
	id := func(key []byte) string {
		s, err := New(Options{FingerprintKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return one(t, scan(t, s, dir).Findings, "github-pat").ID
	}
	plain, a1, a2, b := id(nil), id([]byte("key-a")), id([]byte("key-a")), id([]byte("key-b"))
	if a1 != a2 {
		t.Fatalf("same key, different ids: %s %s", a1, a2)
	}
	if a1 == plain || a1 == b {
		t.Fatalf("the key must change the id: plain %s, a %s, b %s", plain, a1, b)
	}
}
