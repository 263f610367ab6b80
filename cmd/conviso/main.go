// Command conviso is the Conviso command-line tool: run the app's scanners
// and gate locally, and talk to a running app.
//
// It only parses flags; each verb lives in package cli.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/conviso/conviso-github-app/internal/cli"
)

// verb is one subcommand: it parses its own flags and returns an exit code.
type verb struct {
	usage string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

const policyUsage = "policy validate [FILE] | policy explain [--org FILE] [--repo FILE] [--branch NAME] | " +
	"policy simulate --policy FILE --repo OWNER/NAME|--org ORG [--since 30d]  check, explain and replay a gate policy"

var verbs = map[string]verb{
	"scan":   {"scan [--diff BASE] [--sarif FILE] [--osv-db DIR] [DIR]  scan a folder or git checkout with the app's scanners and gate", runScan},
	"upload": {"upload --sarif FILE [--category NAME] [--repo OWNER/NAME --commit SHA --ref REF]  send SARIF to the app", runUpload},
	"policy": {policyUsage, runPolicy},
	"doctor": {"doctor [--url URL]  check a running app's GitHub, webhook, store and queue health", runDoctor},
	"gate": {"gate history [--repo OWNER/NAME] [--status passed|warning|failed] [--since DATE] [--until DATE] | " +
		"gate top-rules [--since 30d] [--org ORG]  list gate decisions of a running app, and the rules that block most", runGate},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return cli.ExitError
	}
	v, ok := verbs[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "conviso: unknown command %q\n", args[0])
		usage(stderr)
		return cli.ExitError
	}
	return v.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: conviso <command> [flags]")
	for _, n := range names {
		fmt.Fprintf(w, "  conviso %s\n", verbs[n].usage)
	}
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	diff := fs.String("diff", "", "git ref to compare with: only findings not present there are new")
	sarifPath := fs.String("sarif", "", "write the findings as SARIF 2.1.0 to this file")
	osvDB := fs.String("osv-db", os.Getenv("CONVISO_OSV_DATABASE"), "folder of OSV records: also scan dependencies")
	if err := fs.Parse(args); err != nil {
		return cli.ExitError
	}
	dir := "."
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "conviso scan: at most one folder")
		return cli.ExitError
	} else if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	code, err := cli.RunScan(ctx, cli.ScanArgs{Dir: dir, DiffBase: *diff, SARIFPath: *sarifPath, OSVDatabase: *osvDB, Out: stdout})
	if err != nil {
		fmt.Fprintln(stderr, "conviso scan:", strings.TrimSpace(err.Error()))
	}
	return code
}

func runUpload(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var a cli.UploadArgs
	fs.StringVar(&a.SARIFPath, "sarif", "", "the SARIF file to upload (required)")
	fs.StringVar(&a.Category, "category", "", "which tool or job produced it (one check run per category)")
	fs.StringVar(&a.Repo, "repo", "", "owner/name (default $GITHUB_REPOSITORY)")
	fs.StringVar(&a.Commit, "commit", "", "the commit SHA scanned (default $GITHUB_SHA)")
	fs.StringVar(&a.Ref, "ref", "", "the ref scanned (default $GITHUB_REF)")
	fs.StringVar(&a.AppURL, "url", "", "the app's URL (default $CONVISO_URL)")
	if err := fs.Parse(args); err != nil || a.SARIFPath == "" {
		fmt.Fprintln(stderr, "conviso upload: --sarif FILE is required")
		return cli.ExitError
	}
	a.Out = stdout
	code, err := cli.Upload(ctx, a)
	if err != nil {
		fmt.Fprintln(stderr, "conviso upload:", err)
	}
	return code
}

func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: conviso "+policyUsage)
		return cli.ExitError
	}
	switch args[0] {
	case "validate":
		path := cli.DefaultPolicyFile
		if len(args) > 1 {
			path = args[1]
		}
		return cli.PolicyValidate(path, stdout)
	case "explain":
		fs := flag.NewFlagSet("policy explain", flag.ContinueOnError)
		fs.SetOutput(stderr)
		org := fs.String("org", "", "the organisation's policy file (from its .github repository)")
		repo := fs.String("repo", cli.DefaultPolicyFile, "the repository's policy file")
		branch := fs.String("branch", "main", "the base branch to resolve overrides for")
		if err := fs.Parse(args[1:]); err != nil {
			return cli.ExitError
		}
		if _, err := os.Stat(*repo); err != nil && *repo == cli.DefaultPolicyFile {
			*repo = ""
		}
		return cli.PolicyExplain(*org, *repo, *branch, stdout)
	case "simulate":
		return runSimulate(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "conviso policy: unknown subcommand %q\n", args[0])
	return cli.ExitError
}

func runGate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "top-rules" {
		return runTopRules(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "history" {
		fmt.Fprintln(stderr, "usage: conviso gate history|top-rules [flags]")
		return cli.ExitError
	}
	fs := flag.NewFlagSet("gate history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o cli.GateHistoryOptions
	fs.StringVar(&o.URL, "url", "", "the app's URL (default $CONVISO_URL)")
	fs.StringVar(&o.Repo, "repo", "", "only this repository (owner/name)")
	fs.StringVar(&o.Status, "status", "", "only this outcome: passed, warning, failed")
	fs.StringVar(&o.Since, "since", "", "from this date (YYYY-MM-DD)")
	fs.StringVar(&o.Until, "until", "", "to this date, inclusive (YYYY-MM-DD)")
	if err := fs.Parse(args[1:]); err != nil {
		return cli.ExitError
	}
	o.Out = stdout
	code, err := cli.GateHistory(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "conviso gate history:", err)
	}
	return code
}

func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policy simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o cli.SimulateOptions
	fs.StringVar(&o.PolicyPath, "policy", "", "the candidate policy file (required)")
	fs.StringVar(&o.Repo, "repo", "", "replay this repository's evaluations (owner/name); the candidate is its repository file")
	fs.StringVar(&o.Org, "org", "", "replay this organisation's evaluations; the candidate is its org file")
	fs.StringVar(&o.Since, "since", "30d", "how far back: 30d, 12h or a date (YYYY-MM-DD)")
	fs.StringVar(&o.URL, "url", "", "the app's URL (default $CONVISO_URL)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitError
	}
	if o.PolicyPath == "" || (o.Repo == "") == (o.Org == "") {
		fmt.Fprintln(stderr, "conviso policy simulate: --policy FILE and one of --repo OWNER/NAME or --org ORG are required")
		return cli.ExitError
	}
	o.Out = stdout
	code, err := cli.PolicySimulate(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "conviso", err)
	}
	return code
}

func runTopRules(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gate top-rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o cli.TopRulesOptions
	fs.StringVar(&o.Since, "since", "30d", "how far back: 30d, 12h or a date (YYYY-MM-DD)")
	fs.StringVar(&o.Org, "org", "", "only this organisation's repositories")
	fs.StringVar(&o.URL, "url", "", "the app's URL (default $CONVISO_URL)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitError
	}
	o.Out = stdout
	code, err := cli.GateTopRules(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "conviso", err)
	}
	return code
}

func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o cli.DoctorOptions
	fs.StringVar(&o.URL, "url", "", "the app's URL (default $CONVISO_URL)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitError
	}
	o.Out = stdout
	code, err := cli.Doctor(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "conviso", err)
	}
	return code
}
