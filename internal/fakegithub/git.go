package fakegithub

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// gitRepo is a bare git repository on disk, driven through the git CLI.
type gitRepo struct {
	dir string
}

// gitEnv isolates git from the machine's and user's configuration.
var gitEnv = []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_TERMINAL_PROMPT=0"}

// initGit creates a bare repository in dir with defaultBranch as HEAD.
func initGit(dir, defaultBranch string) (*gitRepo, error) {
	g := &gitRepo{dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	if _, err := g.run(nil, "init", "--quiet", "--bare", "--initial-branch="+defaultBranch); err != nil {
		return nil, err
	}
	return g, nil
}

// run runs git with args in the repository and returns its stdout.
func (g *gitRepo) run(stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", g.dir}, args...)...)
	cmd.Env = append(os.Environ(), gitEnv...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

// gitCommit describes one commit for fast-import.
type gitCommit struct {
	branch  string
	parent  string // SHA, or "" for a root commit
	message string
	author  string // "Name <email>"
	when    time.Time
	files   map[string]string
	deletes []string
}

// commit writes c with git fast-import and returns the new commit's SHA.
func (g *gitRepo) commit(c gitCommit) (string, error) {
	var b bytes.Buffer
	stamp := fmt.Sprintf("%s %d +0000", c.author, c.when.Unix())
	fmt.Fprintf(&b, "commit refs/heads/%s\nauthor %s\ncommitter %s\n", c.branch, stamp, stamp)
	fmt.Fprintf(&b, "data %d\n%s\n", len(c.message), c.message)
	if c.parent != "" {
		fmt.Fprintf(&b, "from %s\n", c.parent)
	}
	for _, p := range c.deletes {
		fmt.Fprintf(&b, "D %s\n", quotePath(p))
	}
	paths := make([]string, 0, len(c.files))
	for p := range c.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", quotePath(p), len(c.files[p]), c.files[p])
	}
	if _, err := g.run(&b, "fast-import", "--quiet", "--force"); err != nil {
		return "", err
	}
	return g.resolve("refs/heads/" + c.branch)
}

// quotePath quotes a path for fast-import when it needs it.
func quotePath(p string) string {
	if strings.ContainsAny(p, "\"\n\\ ") {
		return fmt.Sprintf("%q", p)
	}
	return p
}

// resolve returns the commit SHA a ref (branch, tag or SHA) names.
func (g *gitRepo) resolve(ref string) (string, error) {
	out, err := g.run(nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", ref, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// mergeBase returns the best common ancestor of a and b.
func (g *gitRepo) mergeBase(a, b string) (string, error) {
	out, err := g.run(nil, "merge-base", a, b)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// archive writes a gzipped tarball of sha under prefix (like codeload).
func (g *gitRepo) archive(w io.Writer, sha, prefix string) error {
	cmd := exec.Command("git", "-C", g.dir, "archive", "--format=tar.gz", "--prefix="+prefix, sha)
	cmd.Env = append(os.Environ(), gitEnv...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git archive %s: %w: %s", sha, err, strings.TrimSpace(errb.String()))
	}
	return nil
}

// treeEntry is one line of git ls-tree.
type treeEntry struct {
	mode, typ, sha, path string
	size                 int64
}

// lsTree lists the entries at path in sha (the entry itself for a file,
// its children for a directory). An empty path lists the root.
func (g *gitRepo) lsTree(sha, path string) ([]treeEntry, error) {
	args := []string{"ls-tree", "-z", "--long", sha, "--"}
	if path != "" {
		args = append(args, path, path+"/")
	}
	out, err := g.run(nil, args...)
	if err != nil {
		return nil, err
	}
	var entries []treeEntry
	for _, rec := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		meta, name, found := strings.Cut(rec, "\t")
		if !found {
			continue
		}
		var e treeEntry
		var size string
		fmt.Sscan(meta, &e.mode, &e.typ, &e.sha, &size)
		fmt.Sscan(size, &e.size)
		e.path = name
		entries = append(entries, e)
	}
	return entries, nil
}

// blob returns the content of an object.
func (g *gitRepo) blob(sha string) ([]byte, error) {
	return g.run(nil, "cat-file", "blob", sha)
}

// commitCount counts the commits in base..head.
func (g *gitRepo) commitCount(base, head string) (int, error) {
	out, err := g.run(nil, "rev-list", "--count", base+".."+head)
	if err != nil {
		return 0, err
	}
	var n int
	_, err = fmt.Sscan(string(out), &n)
	return n, err
}

// logEntry is one commit of git log.
type logEntry struct {
	sha, tree, message, author, email string
	when                              time.Time
	added, removed, modified          []string
}

// log lists the commits in from..to, oldest first, with the files each
// one touched. An empty from lists every commit reachable from to.
func (g *gitRepo) log(from, to string) ([]logEntry, error) {
	rng := to
	if from != "" {
		rng = from + ".." + to
	}
	return g.logArgs("--reverse", rng)
}

// commitInfo describes one commit.
func (g *gitRepo) commitInfo(sha string) (logEntry, error) {
	entries, err := g.logArgs("-1", sha)
	if err != nil || len(entries) == 0 {
		return logEntry{}, fmt.Errorf("commit %s: %w", sha, err)
	}
	return entries[0], nil
}

// logArgs runs git log with args and parses its commits.
func (g *gitRepo) logArgs(args ...string) ([]logEntry, error) {
	args = append([]string{"log", "-z", "--format=%H%x1f%T%x1f%B%x1f%an%x1f%ae%x1f%at"}, args...)
	out, err := g.run(nil, args...)
	if err != nil {
		return nil, err
	}
	var entries []logEntry
	for _, rec := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		f := strings.Split(rec, "\x1f")
		if len(f) != 6 {
			continue
		}
		var unix int64
		fmt.Sscan(f[5], &unix)
		e := logEntry{sha: f[0], tree: f[1], message: strings.TrimSpace(f[2]), author: f[3], email: f[4], when: time.Unix(unix, 0).UTC()}
		if err := g.touched(&e); err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// touched fills the files a commit added, removed and modified.
func (g *gitRepo) touched(e *logEntry) error {
	out, err := g.run(nil, "diff-tree", "-r", "-z", "--no-commit-id", "--name-status", "--root", e.sha)
	if err != nil {
		return err
	}
	f := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	e.added, e.removed, e.modified = []string{}, []string{}, []string{}
	for i := 0; i+1 < len(f); i += 2 {
		switch f[i] {
		case "A":
			e.added = append(e.added, f[i+1])
		case "D":
			e.removed = append(e.removed, f[i+1])
		default:
			e.modified = append(e.modified, f[i+1])
		}
	}
	return nil
}
