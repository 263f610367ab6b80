// Package external runs a scanner the operator configured: any program that
// writes a SARIF 2.1.0 log (semgrep, trivy, checkov, CodeQL, the Conviso
// CLI...).
//
// The program runs from its argv (never through a shell) in the extracted
// tree, with "{{dir}}" in its arguments replaced by the tree and
// "{{output}}" by a file in a private temporary folder. It gets a minimal,
// fixed environment built from scratch (PATH, HOME and TMPDIR in the private
// folder, a UTF-8 locale): none of the app's own variables, secrets or
// GitHub tokens reach it. It has no network: it runs in new user and
// network namespaces (where even the loopback interface is down), and when
// those cannot be set up the scan fails without running it. On timeout or
// cancellation its whole process group is killed.
//
// Its SARIF is imported with messages redacted and paths made relative to
// the tree; the findings carry the scanner's configured name and the
// category "external". A non-allowed exit status, a timeout, a missing or
// invalid SARIF file are scanner errors, never a silent pass.
package external

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/conviso/conviso-github-app/internal/sarif"
	"github.com/conviso/conviso-github-app/internal/scanner"
)

// Placeholders replaced in a command's arguments.
const (
	// PlaceholderDir is replaced by the absolute path of the tree.
	PlaceholderDir = "{{dir}}"
	// PlaceholderOutput is replaced by the path of the SARIF file to write.
	PlaceholderOutput = "{{output}}"
)

// Category is the findings' Category.
const Category = "external"

const (
	// DefaultTimeout bounds one run when Spec.Timeout is zero.
	DefaultTimeout = 10 * time.Minute
	// versionTimeout bounds the version command.
	versionTimeout = 10 * time.Second
	// maxSARIFBytes bounds the SARIF file read back.
	maxSARIFBytes = 512 << 20
)

// placeholderRE finds every "{{...}}" in an argument.
var placeholderRE = regexp.MustCompile(`\{\{[^{}]*\}\}`)

// Spec describes one external scanner.
type Spec struct {
	// Name is the scanner's name, the findings' Scanner.
	Name string
	// Command is the argv to run; Command[0] is an absolute path or a
	// program found on the app's PATH. It must contain "{{output}}".
	Command []string
	// Timeout bounds one scan; zero means DefaultTimeout.
	Timeout time.Duration
	// VersionCommand, when set, is run once by New; the first line it
	// prints is the scanner's version. Else the version is "unknown".
	VersionCommand []string
	// OKExitCodes are the exit statuses that mean the scan completed
	// (some tools exit 1 when they find issues); empty means [0].
	OKExitCodes []int
	// FingerprintKey keys the findings' source-text fingerprints (the
	// deployment's key).
	FingerprintKey []byte
	// TempDir is where the private folders are made; empty means
	// os.TempDir().
	TempDir string
}

// Scanner is an external scanner. It is safe for concurrent use.
type Scanner struct {
	spec    Spec
	version string
	// isolation builds the namespaces' settings; tests replace it.
	isolation func() isolation
}

var _ scanner.Scanner = (*Scanner)(nil)

// New checks spec, resolves its executables and runs its version command.
func New(spec Spec) (*Scanner, error) {
	spec.Command = slices.Clone(spec.Command)
	spec.VersionCommand = slices.Clone(spec.VersionCommand)
	if spec.Name == "" {
		return nil, errors.New("external scanner: the name is empty")
	}
	if err := checkCommand(spec.Command, true); err != nil {
		return nil, fmt.Errorf("external scanner %s: command: %w", spec.Name, err)
	}
	if len(spec.VersionCommand) > 0 {
		if err := checkCommand(spec.VersionCommand, false); err != nil {
			return nil, fmt.Errorf("external scanner %s: version command: %w", spec.Name, err)
		}
	}
	if spec.Timeout < 0 {
		return nil, fmt.Errorf("external scanner %s: negative timeout %s", spec.Name, spec.Timeout)
	}
	if spec.Timeout == 0 {
		spec.Timeout = DefaultTimeout
	}
	if len(spec.OKExitCodes) == 0 {
		spec.OKExitCodes = []int{0}
	}
	s := &Scanner{spec: spec, version: "unknown", isolation: defaultIsolation}
	if len(spec.VersionCommand) > 0 {
		if v, err := s.runVersion(); err == nil && v != "" {
			s.version = v
		}
	}
	return s, nil
}

// checkCommand resolves argv[0] to an absolute path in place and checks the
// placeholders: only {{dir}} and {{output}}, and {{output}} when needOutput
// (none at all otherwise).
func checkCommand(argv []string, needOutput bool) error {
	if len(argv) == 0 || strings.TrimSpace(argv[0]) == "" {
		return errors.New("is empty")
	}
	if !filepath.IsAbs(argv[0]) && strings.ContainsRune(argv[0], filepath.Separator) {
		return fmt.Errorf("%q is a relative path (use an absolute path or a program name found on PATH)", argv[0])
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return fmt.Errorf("%q is not an executable program: %w", argv[0], err)
	}
	argv[0] = path
	hasOutput := false
	for _, a := range argv[1:] {
		for _, p := range placeholderRE.FindAllString(a, -1) {
			switch {
			case p == PlaceholderOutput && needOutput:
				hasOutput = true
			case p == PlaceholderDir && needOutput:
			case needOutput:
				return fmt.Errorf("unknown placeholder %s in %q (allowed: %s, %s)", p, a, PlaceholderDir, PlaceholderOutput)
			default:
				return fmt.Errorf("placeholder %s in %q is not allowed here", p, a)
			}
		}
	}
	if needOutput && !hasOutput {
		return fmt.Errorf("has no %s argument: the scanner must write its SARIF there", PlaceholderOutput)
	}
	return nil
}

// Name returns the configured name.
func (s *Scanner) Name() string { return s.spec.Name }

// Version returns the first line the version command printed, or "unknown".
func (s *Scanner) Version() string { return s.version }

// Scan runs the command over the tree at root and imports its SARIF.
func (s *Scanner) Scan(ctx context.Context, root string) (scanner.Result, error) {
	root, err := resolveRoot(root)
	if err != nil {
		return scanner.Result{}, fmt.Errorf("%s: %w", s.spec.Name, err)
	}
	work, err := s.privateDir()
	if err != nil {
		return scanner.Result{}, fmt.Errorf("%s: %w", s.spec.Name, err)
	}
	defer os.RemoveAll(work)
	output := filepath.Join(work, "out", "results.sarif")
	if err := os.Mkdir(filepath.Dir(output), 0o700); err != nil {
		return scanner.Result{}, fmt.Errorf("%s: creating the output folder: %w", s.spec.Name, err)
	}
	argv := expand(s.spec.Command, root, output)
	out, err := s.run(ctx, argv, root, work, s.spec.Timeout)
	if err != nil {
		return scanner.Result{}, s.runError(ctx, err, out)
	}
	if !slices.Contains(s.spec.OKExitCodes, out.exitCode) {
		return scanner.Result{}, fmt.Errorf("%s: exited with status %d (allowed: %s)%s",
			s.spec.Name, out.exitCode, joinInts(s.spec.OKExitCodes), out.tail())
	}
	return s.importSARIF(ctx, output, root, out)
}

// runError explains a run that did not complete.
func (s *Scanner) runError(ctx context.Context, err error, out runOutput) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w (its process group was killed)", s.spec.Name, ctx.Err())
	case errors.Is(err, errTimeout):
		return fmt.Errorf("%s: timed out after %s; its process group was killed%s", s.spec.Name, s.spec.Timeout, out.tail())
	default:
		return fmt.Errorf("%s: %w%s", s.spec.Name, err, out.tail())
	}
}

// importSARIF reads the SARIF file the scanner wrote.
func (s *Scanner) importSARIF(ctx context.Context, output, root string, out runOutput) (scanner.Result, error) {
	fi, err := os.Lstat(output)
	if err != nil {
		return scanner.Result{}, fmt.Errorf("%s: wrote no SARIF file to %s%s", s.spec.Name, PlaceholderOutput, out.tail())
	}
	if !fi.Mode().IsRegular() {
		return scanner.Result{}, fmt.Errorf("%s: its %s is not a regular file (%s)", s.spec.Name, PlaceholderOutput, fi.Mode().Type())
	}
	f, err := os.Open(output)
	if err != nil {
		return scanner.Result{}, fmt.Errorf("%s: opening its SARIF: %w", s.spec.Name, err)
	}
	defer f.Close()
	res, err := sarif.Import(ctx, f, sarif.ImportOptions{
		SourceRoot:     root,
		Category:       Category,
		RedactMessages: true,
		FingerprintKey: s.spec.FingerprintKey,
		SkipBadPaths:   true,
		Limits:         sarif.Limits{MaxBytes: maxSARIFBytes},
	})
	if err != nil {
		return scanner.Result{}, fmt.Errorf("%s: invalid SARIF: %w", s.spec.Name, err)
	}
	if res.RunCount == 0 {
		return scanner.Result{}, fmt.Errorf("%s: its SARIF has no runs", s.spec.Name)
	}
	result := scanner.Result{Findings: res.Findings}
	for i := range result.Findings {
		result.Findings[i].Scanner = s.spec.Name
		result.Findings[i].Category = Category
	}
	for _, t := range res.Tools {
		result.Rules += t.RulesCount
	}
	// Many tools list only the rules that matched: a valid run with no
	// rules still means the scanner ran.
	result.Rules = max(result.Rules, 1)
	for _, sk := range res.Skipped {
		result.Skipped = append(result.Skipped, fmt.Sprintf("%s: %s", cmp.Or(sk.URI, "result "+strconv.Itoa(sk.Result)), sk.Reason))
	}
	return result, nil
}

// resolveRoot makes root absolute with symbolic links resolved, the form a
// scanner writes in absolute file:// URIs.
func resolveRoot(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("resolving the tree %s: %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("resolving the tree %s: %w", root, err)
	}
	return real, nil
}

// privateDir makes a fresh folder only the app's user can enter.
func (s *Scanner) privateDir() (string, error) {
	dir, err := os.MkdirTemp(s.spec.TempDir, "conviso-"+s.spec.Name+"-*")
	if err != nil {
		return "", fmt.Errorf("creating a private folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("creating a private folder: %w", err)
	}
	return dir, nil
}

// expand replaces the placeholders in argv's arguments.
func expand(argv []string, dir, output string) []string {
	r := strings.NewReplacer(PlaceholderDir, dir, PlaceholderOutput, output)
	out := make([]string, len(argv))
	out[0] = argv[0]
	for i, a := range argv[1:] {
		out[i+1] = r.Replace(a)
	}
	return out
}

// runVersion runs the version command and returns its first line.
func (s *Scanner) runVersion() (string, error) {
	work, err := s.privateDir()
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	out, err := s.run(context.Background(), s.spec.VersionCommand, work, work, versionTimeout)
	if err != nil {
		return "", err
	}
	if out.exitCode != 0 {
		return "", fmt.Errorf("version command exited with status %d", out.exitCode)
	}
	for line := range strings.SplitSeq(string(out.stdout), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return clip(line, 200), nil
		}
	}
	return "", nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// clip shortens s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
