package findings

import (
	"regexp"
	"testing"
)

func TestNormalisePath(t *testing.T) {
	cases := map[string]string{
		"a/b.go":       "a/b.go",
		"./a/b.go":     "a/b.go",
		"/a/b.go":      "a/b.go",
		`a\b.go`:       "a/b.go",
		"a//b/../c.go": "a/c.go",
		"../../etc":    "etc",
	}
	for in, want := range cases {
		if got := NormalisePath(in); got != want {
			t.Errorf("NormalisePath(%q) = %q, want %q", in, got, want)
		}
	}
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,40}$`)

func TestFingerprintIdentity(t *testing.T) {
	base := Fingerprint("gitleaks", "github-pat", "a/b.go", "h1")
	cases := []struct {
		name string
		fp   string
		same bool
	}{
		{"same inputs", Fingerprint("gitleaks", "github-pat", "a/b.go", "h1"), true},
		{"path spelled differently", Fingerprint("gitleaks", "github-pat", "./a//b.go", "h1"), true},
		{"white space in content", Fingerprint("gitleaks", "github-pat", "a/b.go", "  h1 \n"), true},
		{"other rule", Fingerprint("gitleaks", "aws-access-token", "a/b.go", "h1"), false},
		{"other file", Fingerprint("gitleaks", "github-pat", "a/c.go", "h1"), false},
		{"other content", Fingerprint("gitleaks", "github-pat", "a/b.go", "h2"), false},
		{"other scanner", Fingerprint("gosec", "github-pat", "a/b.go", "h1"), false},
		{"no ambiguity across fields", Fingerprint("gitleaks", "github-pat"+"a", "/b.go", "h1"), false},
	}
	for _, tc := range cases {
		if (tc.fp == base) != tc.same {
			t.Errorf("%s: same=%v, want %v", tc.name, tc.fp == base, tc.same)
		}
	}
	if id := IDFromFingerprint(base); !idPattern.MatchString(id) || id[:2] != IDPrefix {
		t.Errorf("id %q is not a valid finding id", id)
	}
}

func TestSeverityText(t *testing.T) {
	for _, s := range []Severity{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical} {
		b, _ := s.MarshalText()
		var back Severity
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("round trip of %s: %v %v", s, back, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("an unknown severity must be an error naming the allowed values")
	}
	if SeverityCritical <= SeverityHigh || SeverityHigh <= SeverityMedium || SeverityMedium <= SeverityLow {
		t.Error("severities must be ordered")
	}
}
