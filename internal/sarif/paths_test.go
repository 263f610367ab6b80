package sarif

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// basesRun is a run whose originalUriBaseIds are bases, with one result.
func basesRun(bases obj, result obj) obj {
	r := runOf(nil, result)
	if bases != nil {
		r["originalUriBaseIds"] = bases
	}
	return r
}

func TestPathResolution(t *testing.T) {
	srcroot := obj{"%SRCROOT%": obj{"uri": "file:///ci/work/repo/"}}
	chain := obj{
		"%SRCROOT%": obj{"uri": "file:///ci/work/repo/"},
		"WEB":       obj{"uri": "web/", "uriBaseId": "%SRCROOT%"},
		"ASSETS":    obj{"uri": "static%20files/", "uriBaseId": "WEB"},
		"REL":       obj{"uri": "lib"},
		"NESTED":    obj{"uri": "deep/", "uriBaseId": "REL"},
	}
	cases := []struct {
		name       string
		bases      obj
		uri, base  string
		sourceRoot string
		want       string
	}{
		{"relative", nil, "src/a.go", "", "", "src/a.go"},
		{"dot segments", nil, "./src/../src/./a.go", "", "", "src/a.go"},
		{"percent-decoded", nil, "src/my%20file%23.go", "", "", "src/my file#.go"},
		{"backslashes", nil, `src\win\a.cs`, "", "", "src/win/a.cs"},
		{"undefined %SRCROOT% is the root", nil, "a.go", "%SRCROOT%", "", "a.go"},
		{"defined %SRCROOT%", srcroot, "pkg/a.go", "%SRCROOT%", "", "pkg/a.go"},
		{"file URI inside %SRCROOT%", srcroot, "file:///ci/work/repo/pkg/a.go", "", "", "pkg/a.go"},
		{"chain of two", chain, "app.js", "WEB", "", "web/app.js"},
		{"chain of three, percent-decoded", chain, "app.js", "ASSETS", "", "web/static files/app.js"},
		{"relative chain", chain, "x.c", "NESTED", "", "lib/deep/x.c"},
		{"file URI inside SourceRoot", nil, "file:///tmp/checkout/cmd/main.go", "", "/tmp/checkout", "cmd/main.go"},
		{"absolute path inside SourceRoot", nil, "/tmp/checkout/cmd/main.go", "", "/tmp/checkout/", "cmd/main.go"},
		{"file://localhost", nil, "file://localhost/tmp/checkout/a.go", "", "/tmp/checkout", "a.go"},
		{"dot-dot that stays inside", nil, "a/../b/c.go", "", "", "b/c.go"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			result := with(resultOf("R1", "", 1), locatedAt(tc.uri, tc.base, obj{"startLine": 1}))
			root := ""
			if tc.sourceRoot != "" {
				root = t.TempDir() // exists; the SARIF's absolute paths are rewritten below
				result = with(resultOf("R1", "", 1), locatedAt(strings.Replace(tc.uri, strings.TrimSuffix(tc.sourceRoot, "/"), filepath.ToSlash(root), 1), tc.base, obj{"startLine": 1}))
			}
			res, err := importString(t, logJSON(t, basesRun(tc.bases, result)), ImportOptions{SourceRoot: root})
			if err != nil {
				t.Fatal(err)
			}
			if f := only(t, res); f.Path != tc.want {
				t.Errorf("path %q, want %q", f.Path, tc.want)
			}
		})
	}
}

func TestRejectedPaths(t *testing.T) {
	srcroot := obj{"%SRCROOT%": obj{"uri": "file:///ci/work/repo/"}}
	cycle := obj{"A": obj{"uri": "a/", "uriBaseId": "B"}, "B": obj{"uri": "b/", "uriBaseId": "A"}}
	goroot := obj{"%SRCROOT%": obj{"uri": "file:///ci/work/repo/"}, "GOROOT": obj{"uri": "file:///usr/local/go/src/"}}
	cases := []struct {
		name      string
		bases     obj
		uri, base string
		want      error
	}{
		{"absolute outside the root", srcroot, "/etc/passwd", "", ErrOutsideRoot},
		{"file URI outside the root", srcroot, "file:///etc/passwd", "", ErrOutsideRoot},
		{"absolute with no root known", nil, "/etc/passwd", "", ErrOutsideRoot},
		{"absolute base that is not a root", goroot, "net/http/server.go", "GOROOT", ErrOutsideRoot},
		{"dot-dot out of the root", nil, "../../etc/passwd", "", ErrEscapesRoot},
		{"encoded dot-dot", nil, "src/%2e%2e/%2E%2E/x", "", ErrEscapesRoot},
		{"dot-dot out of an absolute root", srcroot, "../other/x.go", "%SRCROOT%", ErrOutsideRoot},
		{"http", nil, "http://example.com/a.go", "", ErrScheme},
		{"https", nil, "https://example.com/a.go", "", ErrScheme},
		{"git scheme", nil, "git://example.com/a.go", "", ErrScheme},
		{"network path", nil, "//server/share/a.go", "", ErrOutsideRoot},
		{"file URI with a host", nil, "file://server/share/a.go", "", ErrOutsideRoot},
		{"windows drive", srcroot, `C:\src\a.go`, "", ErrOutsideRoot},
		{"unknown base", nil, "a.go", "NOPE", ErrUnknownBase},
		{"cyclic bases", cycle, "a.go", "A", ErrUnknownBase},
		{"control character", nil, "a\x00.go", "", ErrBadURI},
		{"bad escape", nil, "a%zz.go", "", ErrBadURI},
		{"empty uri", nil, "", "", ErrNoLocation},
		{"the root itself", srcroot, "file:///ci/work/repo/", "", ErrNoLocation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			result := with(resultOf("R1", "", 1), locatedAt(tc.uri, tc.base, obj{"startLine": 1}))
			first := resultOf("R1", "ok.go", 1)
			log := logJSON(t, with(basesRun(tc.bases, first), obj{"results": []obj{first, result}}))
			_, err := importString(t, log, ImportOptions{})
			var pe *PathError
			if !errors.As(err, &pe) || !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want a *PathError for %v", err, tc.want)
			}
			if pe.Run != 0 || pe.Result != 1 || pe.Pointer != "/runs/0/results/1/locations/0/physicalLocation/artifactLocation" {
				t.Errorf("error names run %d result %d %s", pe.Run, pe.Result, pe.Pointer)
			}
			if msg := err.Error(); !strings.Contains(msg, "result 1") || !strings.Contains(msg, strconv.Quote(tc.uri)[1:]) {
				t.Errorf("message %q does not name the result and its uri", msg)
			}
			skipped, err := importString(t, log, ImportOptions{SkipBadPaths: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(skipped.Findings) != 1 || len(skipped.Skipped) != 1 || skipped.Skipped[0].Result != 1 || skipped.Skipped[0].Reason == "" {
				t.Errorf("with SkipBadPaths: %d findings, skipped %+v", len(skipped.Findings), skipped.Skipped)
			}
		})
	}
}

func TestNoLocation(t *testing.T) {
	result := obj{"ruleId": "R1", "message": obj{"text": "repository-wide"}}
	_, err := importString(t, logJSON(t, runOf(nil, result)), ImportOptions{})
	if !errors.Is(err, ErrNoLocation) {
		t.Fatalf("error %v, want ErrNoLocation", err)
	}
}

func TestRootBaseIDsOption(t *testing.T) {
	bases := obj{"PROJECT": obj{"uri": "file:///builds/x/"}}
	result := with(resultOf("R1", "", 1), locatedAt("file:///builds/x/a/b.go", "", nil))
	log := logJSON(t, basesRun(bases, result))
	if _, err := importString(t, log, ImportOptions{}); !errors.Is(err, ErrOutsideRoot) {
		t.Fatalf("without the option: %v, want ErrOutsideRoot", err)
	}
	f := only(t, mustImport(t, log, ImportOptions{RootBaseIDs: []string{"PROJECT"}}))
	if f.Path != "a/b.go" {
		t.Errorf("path %q", f.Path)
	}
}
