package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/conviso/conviso-github-app/internal/policy"
)

// DefaultPolicyFile is what `conviso policy validate` checks by default.
const DefaultPolicyFile = ".github/conviso.yml"

// PolicyValidate checks a policy file and prints every problem with its
// file, line, key and allowed values: exit 0 when valid, 1 when not, 2
// when the file cannot be read.
func PolicyValidate(path string, out io.Writer) int {
	f, code := readPolicy(path, policy.LayerRepo, out)
	if f == nil {
		return code
	}
	fmt.Fprintf(out, "%s: valid\n", path)
	return ExitPass
}

// PolicyExplain prints the effective policy for a branch from local copies
// of the org and repository files (either may be empty), showing where each
// value came from: server (built-in), org or repo.
func PolicyExplain(orgPath, repoPath, branch string, out io.Writer) int {
	var files [2]*policy.File
	for i, in := range []struct {
		path  string
		layer policy.Layer
	}{{orgPath, policy.LayerOrg}, {repoPath, policy.LayerRepo}} {
		if in.path == "" {
			continue
		}
		f, code := readPolicy(in.path, in.layer, out)
		if f == nil {
			return code
		}
		files[i] = f
	}
	p, _, problems := policy.Merge(nil, files[0], files[1])
	g := policy.Effective(p, branch)
	fmt.Fprintf(out, "Effective policy on branch %q (mode %s):\n\n%s", branch, g.Mode, g.Provenance.String())
	for _, e := range append(problems, g.Problems...) {
		fmt.Fprintf(out, "problem: %v\n", e)
	}
	return ExitPass
}

// readPolicy parses path, printing its problems; nil with an exit code when
// it is unreadable (2) or invalid (1).
func readPolicy(path string, layer policy.Layer, out io.Writer) (*policy.File, int) {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(out, "%s: %v\n", path, err)
		return nil, ExitError
	}
	f, err := policy.Parse(path, b)
	if err != nil {
		var ve *policy.ValidationError
		if errors.As(err, &ve) {
			for _, e := range ve.Errors {
				fmt.Fprintln(out, e.Error())
			}
		} else {
			fmt.Fprintln(out, err.Error())
		}
		return nil, ExitBlock
	}
	f.Source = policy.Source{Layer: layer, Path: path}
	return f, ExitPass
}
