// Package policy is the Conviso Security Gate as policy-as-code.
//
// A policy is a YAML file, .github/conviso.yml, read from a pull request's
// base branch. Three files refine one another: the server default, the
// organisation's file (the same path in the org's .github repository) and
// the repository's own file. docs/policy.md is the reference for every key;
// docs/policy.schema.json is its JSON Schema.
//
// The package is pure: it reads no file and calls no API. The caller loads
// the files, then:
//
//	org, err := policy.Parse(".github/conviso.yml", orgBytes) // err: *ValidationError, every problem
//	org.Source = policy.ParseSource(policy.LayerOrg, "acme/.github@"+orgSHA, ".github/conviso.yml")
//	repo, err := policy.Parse(".github/conviso.yml", repoBytes)
//	repo.Source = policy.ParseSource(policy.LayerRepo, "acme/app@"+baseSHA, ".github/conviso.yml")
//	p, prov, problems := policy.Merge(nil, org, repo) // nil: the built-in server default
//	gate := policy.Effective(p, baseBranch)
//	d := policy.Evaluate(gate, policy.Input{Findings: fs, Exceptions: ex, Scanners: runs, Now: now})
//	md := policy.RenderSummary(d, p.Source())
//
// Parse checks syntax and values; Merge stacks the files and enforces the
// org file's locks; Effective resolves branch overrides; Evaluate turns
// findings, exceptions and scanner runs into a Decision; RenderSummary
// explains it in Markdown. ExceptionPolicy.Approve decides, given the teams
// a user belongs to, whether the user may approve an exception.
//
// Loading with go-githubapp's appconfig: its owner default is a fallback,
// read only when the repository has no file of its own, and at the .github
// repository's root (conviso.yml) on its default branch; policies layer
// instead, so read the org file separately (and both at a commit SHA, for
// provenance). Disable appconfig's remote references
// (appconfig.WithRemoteRefParser(nil)): a "remote:" file would let a
// repository point its policy at any other repository or ref.
package policy
