package sarif

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/conviso/conviso-github-app/internal/findings"
)

// TestMalformedJSON checks that errors give the byte offset, line and
// column of the offending byte, and the JSON pointer of the value being
// read.
func TestMalformedJSON(t *testing.T) {
	cases := []struct {
		name      string
		log       string
		line, col int
		pointer   string
		msg       string
	}{
		{
			name: "double comma in a result",
			log: "{\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"results\": [\n" +
				"        {\"ruleId\": \"R1\",, \"message\": {}}\n      ]\n    }\n  ]\n}\n",
			line: 6, col: 25, pointer: "/runs/0/results/0", msg: "invalid character ','",
		},
		{
			name: "missing comma between results",
			log:  "{\"version\": \"2.1.0\", \"runs\": [{\"results\": [\n{}\n{}]}]}",
			line: 3, col: 1, pointer: "/runs/0/results", msg: "after array element",
		},
		{
			name: "bad literal in the 13th result's location",
			log: "{\"version\": \"2.1.0\", \"runs\": [{\"results\": [" + strings.Repeat("{},\n", 12) +
				"{\"locations\": [{\"physicalLocation\": tru}]}]}]}",
			line: 13, col: 40, pointer: "/runs/0/results/12/locations/0/physicalLocation", msg: "literal true",
		},
		{
			name: "bad escape in a rule",
			log:  "{\"version\": \"2.1.0\",\n\"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\", \"rules\": [{\"id\": \"a\\qb\"}]}}}]}",
			line: 2, col: 63, pointer: "/runs/0/tool/driver/rules/0/id", msg: "invalid escape",
		},
		{
			name: "truncated log",
			log:  "{\"version\": \"2.1.0\", \"runs\": [{\"results\": [{\"ruleId\": \"R",
			line: 1, col: 57, pointer: "/runs/0/results/0/ruleId", msg: "unexpected EOF",
		},
		{
			name: "wrong type in a region",
			log:  "{\"version\": \"2.1.0\", \"runs\": [{\"results\": [{},\n{\"locations\": [{\"physicalLocation\": {\"region\": {\"startLine\": \"7\"}}}]}]}]}",
			line: 2, col: 62, pointer: "/runs/0/results/1/locations/0/physicalLocation/region/startLine", msg: "cannot read JSON string as a number",
		},
		{
			name: "runs is not an array",
			log:  "{\"version\": \"2.1.0\",\n \"runs\": {}}",
			line: 2, col: 11, pointer: "/runs", msg: "expected an array, found object",
		},
		{
			name: "trailing data",
			log:  "{\"version\": \"2.1.0\", \"runs\": []}\n{}",
			line: 2, col: 2, msg: "unexpected data after the SARIF log",
		},
		{
			name: "duplicate member",
			log:  "{\"version\": \"2.1.0\", \"runs\": [{\"results\": [{\"ruleId\": \"a\", \"ruleId\": \"b\"}]}]}",
			line: 1, col: 60, pointer: "/runs/0/results/0/ruleId", msg: "duplicate",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importString(t, tc.log, ImportOptions{})
			// Read a byte at a time, the decoder refills (and the position
			// tracker folds) after every byte: same answer.
			_, slow := Import(context.Background(), &oneByteReader{strings.NewReader(tc.log)}, ImportOptions{})
			if fmt.Sprint(slow) != fmt.Sprint(err) {
				t.Errorf("read a byte at a time: %v\nat once: %v", slow, err)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T), want a *DecodeError", err, err)
			}
			if de.Line != tc.line || de.Column != tc.col || de.Pointer != tc.pointer {
				t.Errorf("at line %d column %d pointer %q, want %d %d %q (%v)", de.Line, de.Column, de.Pointer, tc.line, tc.col, tc.pointer, err)
			}
			if line, col := lineCol(tc.log, de.Offset); line != de.Line || col != de.Column {
				t.Errorf("offset %d is line %d column %d, error says %d %d", de.Offset, line, col, de.Line, de.Column)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "line ") {
				t.Errorf("message %q lacks %q", err, tc.msg)
			}
		})
	}
}

// lineCol computes the 1-based line and byte column of offset off in s.
func lineCol(s string, off int64) (int, int) {
	before := s[:min(int(off), len(s))]
	line := strings.Count(before, "\n") + 1
	return line, int(off) - strings.LastIndexByte(before, '\n')
}

// TestPositionsFarIntoLargeLogs checks line numbers after many folded
// results, read through a reader that returns one byte at a time.
func TestPositionsFarIntoLargeLogs(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [\n")
	for range 3000 {
		b.WriteString("  {\"ruleId\": \"R\", \"message\": {\"text\": \"m\"},\n   \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"a.go\"}}}]},\n")
	}
	b.WriteString("  {\"ruleId\": \"R\" \"oops\"}]}]}")
	_, err := Import(context.Background(), &oneByteReader{strings.NewReader(b.String())}, ImportOptions{})
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %v", err)
	}
	if de.Line != 6002 || de.Column != 18 || de.Pointer != "/runs/0/results/3000" {
		t.Errorf("line %d column %d pointer %s, want 6002 18 /runs/0/results/3000", de.Line, de.Column, de.Pointer)
	}
}

// oneByteReader returns one byte per Read.
type oneByteReader struct{ r io.Reader }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestVersion(t *testing.T) {
	cases := []struct {
		name    string
		log     string
		wantErr bool
		missing bool
	}{
		{"2.1.0", `{"version": "2.1.0", "runs": []}`, false, false},
		{"2.0.0", `{"version": "2.0.0", "runs": []}`, true, false},
		{"1.0.0", `{"version": "1.0.0", "runs": []}`, true, false},
		{"2.1.0-rtm.5", `{"version": "2.1.0-rtm.5", "runs": []}`, true, false},
		{"missing", `{"runs": []}`, true, true},
		{"after the runs", `{"runs": [], "version": "2.2"}`, true, false},
		{"a number", `{"version": 2.1, "runs": []}`, true, false},
	}
	for _, tc := range cases {
		_, err := importString(t, tc.log, ImportOptions{})
		var ve *VersionError
		switch {
		case !tc.wantErr && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr && tc.name == "a number":
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Errorf("%s: %v, want a *DecodeError", tc.name, err)
			}
		case tc.wantErr && (!errors.As(err, &ve) || ve.Missing != tc.missing):
			t.Errorf("%s: %v, want a *VersionError (missing %v)", tc.name, err, tc.missing)
		}
	}
}

func TestEmptyRuns(t *testing.T) {
	for _, log := range []string{`{"version": "2.1.0", "runs": []}`, `{"version": "2.1.0", "runs": null}`, `{"$schema": "x", "version": "2.1.0", "runs": [], "properties": {"a": 1}}`} {
		res := mustImport(t, log, ImportOptions{})
		if len(res.Findings) != 0 || res.RunCount != 0 || res.Truncated {
			t.Errorf("%s: %+v", log, res)
		}
	}
}

func TestRunWithoutTool(t *testing.T) {
	for _, log := range []string{
		`{"version": "2.1.0", "runs": [{"results": []}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"rules": []}}}]}`,
		`{"version": "2.1.0", "runs": [null]}`,
	} {
		_, err := importString(t, log, ImportOptions{})
		var de *DecodeError
		if !errors.As(err, &de) || de.Pointer != "/runs/0" || !strings.Contains(err.Error(), "tool.driver.name") {
			t.Errorf("%s: error %v", log, err)
		}
	}
}

func TestCallbackErrorStops(t *testing.T) {
	stop := errors.New("stop")
	log := logJSON(t, runOf(nil, resultOf("R1", "a.go", 1), resultOf("R1", "b.go", 1)), runOf(nil, resultOf("R1", "c.go", 1)))
	calls := 0
	_, err := ImportFunc(context.Background(), strings.NewReader(log), ImportOptions{}, func(f findings.Finding) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("error %v after %d calls", err, calls)
	}
}

func TestContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Import(ctx, strings.NewReader(logJSON(t, runOf(nil, resultOf("R1", "a.go", 1)))), ImportOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v", err)
	}
}

func TestSourceRootMissing(t *testing.T) {
	_, err := importString(t, logJSON(t), ImportOptions{SourceRoot: "/does/not/exist"})
	if err == nil {
		t.Error("no error for a missing source root")
	}
}
