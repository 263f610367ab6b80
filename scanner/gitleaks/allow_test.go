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
