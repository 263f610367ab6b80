package mdsafe

import (
	"strings"
	"testing"
)

func TestCode(t *testing.T) {
	cases := map[string]string{
		"plain":        "`plain`",
		"a|b":          "`a\\|b`",
		"has `tick`":   "`` has `tick` ``",
		"`edge`":       "`` `edge` ``",
		"two\nlines":   "`two lines`",
		"``double``ok": "``` ``double``ok ```",
		"":             "`  `",
	}
	for in, want := range cases {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	got := Text("@org/team <script>*x* &#64;me [l](http://x) #12\nnext")
	for _, bad := range []string{"@org", "<script>", "&#64;", "[l](", "#12", "\n"} {
		if strings.Contains(got, bad) {
			t.Errorf("Text left %q in %q", bad, got)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("ééééé", 6); got != "é…" || len(got) > 6 {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate("short", 10); got != "short" {
		t.Errorf("Truncate = %q", got)
	}
}
