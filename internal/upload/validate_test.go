package upload

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		msg      string // "" means valid
		offset   int64
	}{
		{name: "object", in: `{"version":"2.1.0","runs":[{"results":[1,{"a":null}]}]}`},
		{name: "white space around", in: " \n{}\n "},
		{name: "empty", in: "", msg: "empty body", offset: -1},
		{name: "array", in: `[{}]`, msg: "must be a JSON object", offset: 1},
		{name: "bad value", in: `{"a": x}`, msg: "invalid character 'x'", offset: 6},
		{name: "missing comma", in: `{"a":[1 2]}`, msg: "after array element", offset: 8},
		{name: "trailing comma", in: `{"a":1,}`, msg: "looking for beginning of object key", offset: 7},
		{name: "truncated", in: `{"a":[1,`, msg: "unexpected end of input", offset: 8},
		{name: "trailing data", in: "{}  {}", msg: "unexpected data after", offset: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateJSON(context.Background(), strings.NewReader(tc.in))
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want %q", err, tc.msg)
			}
			if got := jsonOffset(err); got != tc.offset {
				t.Errorf("offset %d, want %d", got, tc.offset)
			}
			if s, ok := statusOf(err); !ok || s != http.StatusBadRequest {
				t.Errorf("status %d", s)
			}
		})
	}
}

func TestValidateJSONCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := ValidateJSON(ctx, strings.NewReader(`{"a":1}`))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if s, _ := statusOf(err); s != http.StatusServiceUnavailable {
		t.Errorf("status %d", s)
	}
}

func TestJSONOffsetOfStandardErrors(t *testing.T) {
	var v struct{ A int }
	err := json.Unmarshal([]byte(`{"A": x}`), &v) // 'x' is byte 6
	if got := jsonOffset(err); got != 6 {
		t.Errorf("syntax error offset %d", got)
	}
	err = json.Unmarshal([]byte(`{"A": "s"}`), &v) // the string ends at byte 8
	if got := jsonOffset(err); got != 8 {
		t.Errorf("type error offset %d", got)
	}
	if got := jsonOffset(errors.New("plain")); got != -1 {
		t.Errorf("plain error offset %d", got)
	}
}

func TestPosition(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(name, []byte("ab\ncd\n\nefg"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		offset    int64
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {6, 3, 1}, {7, 4, 1}, {9, 4, 3}, {10, 4, 4}} {
		line, col, err := position(name, tc.offset)
		if err != nil || line != tc.line || col != tc.col {
			t.Errorf("offset %d: %d:%d %v, want %d:%d", tc.offset, line, col, err, tc.line, tc.col)
		}
	}
}

func TestParams(t *testing.T) {
	for _, ref := range []string{"refs/heads/main", "refs/heads/feature/x-1.2", "refs/pull/1/head", "refs/pull/4242/merge"} {
		if err := checkRef(ref); err != nil {
			t.Errorf("%s: %v", ref, err)
		}
	}
	for _, ref := range []string{"main", "refs/heads/", "refs/heads/@", "refs/heads/a b", "refs/heads/x.lock", "refs/heads/.x",
		"refs/heads/a//b", "refs/heads/a/", "refs/heads/a.", "refs/heads/a@{1}", "refs/heads/a\x00", "refs/pull/1/files",
		"refs/pull/01/head", "refs/heads/" + strings.Repeat("a", MaxRefLength)} {
		if err := checkRef(ref); err == nil {
			t.Errorf("%q accepted", ref)
		}
	}
	for _, n := range []string{"acme", "my-org", "repo.js", "a_b"} {
		if !validName(n) {
			t.Errorf("%q refused", n)
		}
	}
	for _, n := range []string{"", ".", "..", "a/b", "a b", strings.Repeat("a", maxNameLength+1)} {
		if validName(n) {
			t.Errorf("%q accepted", n)
		}
	}
}
