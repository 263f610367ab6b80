package fakegithub

import "testing"

// TestRouteTableMatchesDescription keeps the route table, the trim list
// and the embedded description in step.
func TestRouteTableMatchesDescription(t *testing.T) {
	spec, err := loadREST()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkRouteTable(spec); err != nil {
		t.Fatal(err)
	}
}

// TestParseRawRename checks the -z --raw parser on a rename record.
func TestParseRawRename(t *testing.T) {
	out := ":100644 100644 aaa bbb R090\x00old.txt\x00new.txt\x00:000000 100644 000 ccc A\x00x\x00"
	files := parseRaw([]byte(out))
	if len(files) != 2 || files[0].status != "renamed" || files[0].oldPath != "old.txt" || files[0].path != "new.txt" ||
		files[1].status != "added" || files[1].path != "x" {
		t.Fatalf("parsed %v", files)
	}
}
