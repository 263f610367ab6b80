package checks

import (
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

func TestAddedLines(t *testing.T) {
	patch := "@@ -1,3 +1,4 @@\n package main\n+import \"os\"\n \n-func a() {}\n+func b() {}\n@@ -10 +11,2 @@ func c() {\n+x := 1\n+y := 2\n\\ No newline at end of file"
	set := AddedLines([]ChangedFile{
		{Path: "main.go", Status: "modified", Patch: patch},
		{Path: "./big.bin", Status: "added"},
		{Path: "gone.go", Status: "removed", Patch: "@@ -1 +0,0 @@\n-x"},
		{Path: "renamed.go", Status: "renamed"},
	})
	want := map[int]bool{2: true, 4: true, 11: true, 12: true}
	got := set["main.go"]
	if len(got) != len(want) {
		t.Fatalf("added lines = %v, want %v", got, want)
	}
	for l := range want {
		if !got[l] {
			t.Errorf("line %d not marked added (got %v)", l, got)
		}
	}
	if lines, ok := set["big.bin"]; !ok || lines != nil {
		t.Errorf("a file without patch must count as wholly changed, got %v %v", lines, ok)
	}
	if _, ok := set["gone.go"]; ok {
		t.Error("removed files have no added lines")
	}
	if _, ok := set["renamed.go"]; ok {
		t.Error("a pure rename adds no lines")
	}
}

func TestTouchesAndClassify(t *testing.T) {
	set := LineSet{"a.go": {5: true}, "b.go": nil}
	cases := []struct {
		name string
		f    findings.Finding
		want bool
	}{
		{"on added line", findings.Finding{Path: "a.go", StartLine: 5, EndLine: 5}, true},
		{"range covers added line", findings.Finding{Path: "a.go", StartLine: 3, EndLine: 6}, true},
		{"untouched line", findings.Finding{Path: "a.go", StartLine: 6, EndLine: 6}, false},
		{"untouched file", findings.Finding{Path: "c.go", StartLine: 5, EndLine: 5}, false},
		{"whole file changed", findings.Finding{Path: "b.go", StartLine: 99}, true},
		{"path normalised", findings.Finding{Path: "./a.go", StartLine: 5, EndLine: 5}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := set.Touches(tc.f); got != tc.want {
				t.Fatalf("Touches = %v, want %v", got, tc.want)
			}
		})
	}
}
