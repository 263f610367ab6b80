// Command fakescanner stands in for an external scanner in the tests: it
// writes SARIF to -out, reports what it could reach, and misbehaves on
// request.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	mode := flag.String("mode", "findings", "findings, invalid, none, sleep, child, version")
	out := flag.String("out", "", "SARIF output")
	dir := flag.String("dir", "", "the tree")
	dial := flag.String("dial", "", "address to try to reach")
	canary := flag.String("canary", "", "environment variable that must be absent")
	exit := flag.Int("exit", 0, "exit status after writing SARIF")
	marker := flag.String("marker", "", "file to create on start")
	flag.Parse()
	if *marker != "" {
		_ = os.WriteFile(*marker, []byte("ran"), 0o644)
	}
	switch *mode {
	case "version":
		fmt.Println("fakescanner 1.2.3")
		fmt.Println("second line")
		return
	case "child":
		write(filepath.Join(*dir, "child.pid"), strconv.Itoa(os.Getpid()))
		time.Sleep(time.Hour)
		return
	case "sleep":
		child := exec.Command(os.Args[0], "-mode=child", "-dir="+*dir)
		if err := child.Start(); err != nil {
			fatal(err)
		}
		write(filepath.Join(*dir, "parent.pid"), strconv.Itoa(os.Getpid()))
		time.Sleep(time.Hour)
		return
	case "none":
		fmt.Fprintln(os.Stderr, "fakescanner: nothing to say")
		os.Exit(*exit)
	case "invalid":
		write(*out, "{\n  \"version\": \"2.1.0\",\n  \"runs\": [ { \"tool\": 42 } ]\n}\n")
		os.Exit(*exit)
	}
	reach := "net:skipped"
	if *dial != "" {
		reach = "net:open"
		if c, err := dialOnce(*dial); err != nil {
			reach = "net:blocked"
		} else {
			c.Close()
		}
	}
	env := "env:clean"
	if _, ok := os.LookupEnv(*canary); ok && *canary != "" {
		env = "env:leaked"
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GITHUB") || strings.HasPrefix(kv, "CONVISO") {
			env = "env:leaked"
		}
	}
	abs := "file://" + filepath.ToSlash(filepath.Join(*dir, "src", "app.go"))
	write(*out, fmt.Sprintf(sarifTemplate, abs, reach, env))
	fmt.Fprintln(os.Stderr, "fakescanner: done")
	os.Exit(*exit)
}

func dialOnce(addr string) (net.Conn, error) { return net.DialTimeout("tcp", addr, 5*time.Second) }

func write(path, body string) {
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fakescanner:", err)
	os.Exit(3)
}

const sarifTemplate = `{
  "version": "2.1.0",
  "runs": [{
    "tool": {"driver": {"name": "fakescanner", "version": "1.2.3", "rules": [
      {"id": "sql-injection", "shortDescription": {"text": "SQL injection"},
       "properties": {"security-severity": "8.8"}}
    ]}},
    "results": [
      {"ruleId": "sql-injection", "message": {"text": "secret-ish message"},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": %q},
         "region": {"startLine": 3}}}]},
      {"ruleId": "lib/util.go", "message": {"text": "relative"},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "lib/util.go"},
         "region": {"startLine": 1}}}]},
      {"ruleId": %q, "message": {"text": "probe"},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "lib/util.go"},
         "region": {"startLine": 1}}}]},
      {"ruleId": %q, "message": {"text": "probe"},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "lib/util.go"},
         "region": {"startLine": 1}}}]}
    ]
  }]
}
`
