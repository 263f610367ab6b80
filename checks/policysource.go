package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/palantir/go-githubapp/appconfig"

	"github.com/conviso/conviso-github-app/internal/policy"
	"github.com/conviso/conviso-github-app/internal/store"
)

// PolicyPath is where repositories and the organisation's .github
// repository keep their policy.
const PolicyPath = ".github/conviso.yml"

// orgPolicyTTL is how long an organisation's policy is cached: its .github
// repository's head moves independently of the scanned commits.
const orgPolicyTTL = 5 * time.Minute

// keyLastValidOrg keeps an organisation's last valid policy, so that a
// broken org file still fails open or closed as the org last said.
const keyLastValidOrg = "policy:org-last-valid:"

// Loaded is the policy in force for one scan.
type Loaded struct {
	// Gate is the effective gate for the branch (when Errors is empty).
	Gate policy.Gate
	// Source is the most specific policy file in force.
	Source policy.Source
	// Errors are the problems of a policy file that does not parse or
	// validate, each naming file, line, key and allowed values.
	Errors []string
	// FailOpen is what a broken policy does, as the last valid org
	// policy says (fail-closed by default).
	FailOpen bool
}

// PolicySource loads the policy of the repository at the right commit: the
// base branch of a pull request (a PR cannot weaken its own gate), or the
// pushed commit of a default branch.
type PolicySource interface {
	Load(ctx context.Context, gh *github.Client, t Target) (Loaded, error)
}

// GitHubPolicies loads policies with go-githubapp's appconfig: the
// repository's file at the commit, the organisation's default from its
// .github repository, and the server default, merged with policy.Merge.
type GitHubPolicies struct {
	// Server is the server default (nil: the built-in default).
	Server *policy.File
	// KV keeps each organisation's last valid policy.
	KV store.KV

	mu   sync.Mutex
	repo map[string]*policy.File // by owner/repo@sha
	org  map[string]orgEntry
}

type orgEntry struct {
	file *policy.File
	at   time.Time
}

// loader reads one path with no remote references (a file must not point
// the policy at another repository or ref) and no owner fallback (the org
// file is read on its own, so its locks always apply).
var loader = appconfig.NewLoader([]string{PolicyPath},
	appconfig.WithOwnerDefault("", nil), appconfig.WithRemoteRefParser(nil))

// orgLoader also accepts conviso.yml at the root of the .github repository.
var orgLoader = appconfig.NewLoader([]string{PolicyPath, "conviso.yml"},
	appconfig.WithOwnerDefault("", nil), appconfig.WithRemoteRefParser(nil))

// Load implements PolicySource.
func (g *GitHubPolicies) Load(ctx context.Context, gh *github.Client, t Target) (Loaded, error) {
	org, orgErr := g.orgFile(ctx, gh, t.Owner)
	if orgErr != nil && !isPolicyError(orgErr) {
		return Loaded{}, orgErr
	}
	repo, repoErr := g.repoFile(ctx, gh, t)
	if repoErr != nil && !isPolicyError(repoErr) {
		return Loaded{}, repoErr
	}
	if orgErr != nil || repoErr != nil {
		return g.broken(ctx, t.Owner, org, orgErr, repoErr), nil
	}
	p, _, _ := policy.Merge(g.Server, org, repo)
	return Loaded{Gate: policy.Effective(p, t.branch()), Source: p.Source()}, nil
}

// broken explains every problem and says how to fail.
func (g *GitHubPolicies) broken(ctx context.Context, owner string, org *policy.File, errs ...error) Loaded {
	var l Loaded
	for _, err := range errs {
		var ve *policy.ValidationError
		switch {
		case errors.As(err, &ve):
			for _, e := range ve.Errors {
				l.Errors = append(l.Errors, e.Error())
			}
		case err != nil:
			l.Errors = append(l.Errors, err.Error())
		}
	}
	last := org
	if last == nil {
		last = g.lastValidOrg(ctx, owner)
	}
	if last != nil {
		p, _, _ := policy.Merge(g.Server, last, nil)
		l.FailOpen = policy.Effective(p, "").OnScannerFailure == policy.FailOpen
	}
	return l
}

func (g *GitHubPolicies) repoFile(ctx context.Context, gh *github.Client, t Target) (*policy.File, error) {
	ref := t.policyRef()
	key := fmt.Sprintf("%s@%s", t.FullName(), ref)
	g.mu.Lock()
	if f, ok := g.repo[key]; ok {
		g.mu.Unlock()
		return f, nil
	}
	g.mu.Unlock()
	f, _, err := fetchPolicy(ctx, gh, loader, t.Owner, t.Repo, ref, policy.LayerRepo)
	if err == nil {
		g.mu.Lock()
		if g.repo == nil || len(g.repo) > 1000 {
			g.repo = map[string]*policy.File{}
		}
		g.repo[key] = f
		g.mu.Unlock()
	}
	return f, err
}

func (g *GitHubPolicies) orgFile(ctx context.Context, gh *github.Client, owner string) (*policy.File, error) {
	g.mu.Lock()
	if e, ok := g.org[owner]; ok && time.Since(e.at) < orgPolicyTTL {
		g.mu.Unlock()
		return e.file, nil
	}
	g.mu.Unlock()
	sha, err := orgHead(ctx, gh, owner)
	if err != nil {
		return nil, err
	}
	var f *policy.File
	var raw []byte
	if sha != "" {
		if f, raw, err = fetchPolicy(ctx, gh, orgLoader, owner, ".github", sha, policy.LayerOrg); err != nil {
			return nil, err
		}
	}
	g.mu.Lock()
	if g.org == nil {
		g.org = map[string]orgEntry{}
	}
	g.org[owner] = orgEntry{file: f, at: time.Now()}
	g.mu.Unlock()
	if f != nil && g.KV != nil {
		_ = g.KV.Put(ctx, keyLastValidOrg+owner, raw, 0)
	}
	return f, nil
}

// orgHead resolves the head commit of the organisation's .github
// repository's default branch, so the org policy is read at (and cited as)
// an exact commit; "" when there is no such repository.
func orgHead(ctx context.Context, gh *github.Client, owner string) (string, error) {
	repo, _, err := gh.Repositories.Get(ctx, owner, ".github")
	if err != nil {
		if isMissingRepo(err) {
			return "", nil
		}
		return "", fmt.Errorf("reading %s/.github: %w", owner, err)
	}
	ref, _, err := gh.Git.GetRef(ctx, owner, ".github", "heads/"+repo.GetDefaultBranch())
	if err != nil {
		if isMissingRepo(err) {
			return "", nil // an empty repository
		}
		return "", fmt.Errorf("resolving %s/.github@%s: %w", owner, repo.GetDefaultBranch(), err)
	}
	return ref.GetObject().GetSHA(), nil
}

func (g *GitHubPolicies) lastValidOrg(ctx context.Context, owner string) *policy.File {
	if g.KV == nil {
		return nil
	}
	b, err := g.KV.Get(ctx, keyLastValidOrg+owner)
	if err != nil {
		return nil
	}
	f, err := policy.Parse(PolicyPath, b)
	if err != nil {
		return nil
	}
	return f
}

// fetchPolicy loads and parses one policy file, returning it with its raw
// content; nil when there is none.
func fetchPolicy(ctx context.Context, gh *github.Client, ld *appconfig.Loader, owner, repo, ref string, layer policy.Layer) (*policy.File, []byte, error) {
	c, err := ld.LoadConfig(ctx, gh, owner, repo, ref)
	if err != nil {
		if isMissingRepo(err) {
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("reading %s from %s/%s: %w", PolicyPath, owner, repo, err)
	}
	if c.IsUndefined() {
		return nil, nil, nil
	}
	f, err := policy.Parse(c.Path, c.Content)
	if err != nil {
		return nil, nil, policyError{err}
	}
	f.Source = policy.ParseSource(layer, c.Source, c.Path)
	if f.ConvisoRulesFile != "" {
		if f.ConvisoRules, err = convisoRules(ctx, gh, owner, repo, ref, f.ConvisoRulesFile); err != nil {
			return nil, nil, err
		}
	}
	return f, c.Content, nil
}

// convisoRules reads a Conviso Security Gate rules file that a policy
// points to, from the same repository and commit as the policy.
func convisoRules(ctx context.Context, gh *github.Client, owner, repo, ref, path string) (*policy.ConvisoRules, error) {
	file, _, _, err := gh.Repositories.GetContents(ctx, owner, repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		if isMissingRepo(err) {
			return nil, policyError{fmt.Errorf("%s: conviso_rules_file %q does not exist in %s/%s", PolicyPath, path, owner, repo)}
		}
		return nil, fmt.Errorf("reading %s from %s/%s: %w", path, owner, repo, err)
	}
	content, err := file.GetContent()
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	rules, err := policy.ParseConvisoRulesFile(path, []byte(content))
	if err != nil {
		return nil, policyError{err}
	}
	return rules, nil
}

// policyError marks a policy that exists but does not parse or validate.
type policyError struct{ error }

func (e policyError) Unwrap() error { return e.error }

func isPolicyError(err error) bool {
	var pe policyError
	return errors.As(err, &pe)
}

// isMissingRepo reports a 404 for the whole repository (an organisation
// without a .github repository, or one the installation cannot see).
func isMissingRepo(err error) bool {
	var ge *github.ErrorResponse
	return errors.As(err, &ge) && ge.Response != nil && ge.Response.StatusCode == 404
}

// policyRef is the commit whose policy applies: a PR's base, else the
// PolicyRef the pipeline resolved, else the head (a default branch push).
func (t Target) policyRef() string {
	switch {
	case t.PullRequest != 0 && t.BaseSHA != "":
		return t.BaseSHA
	case t.PolicyRef != "":
		return t.PolicyRef
	}
	return t.HeadSHA
}

// branch is the base branch the gate is resolved for.
func (t Target) branch() string {
	if t.BaseRef != "" {
		return t.BaseRef
	}
	return strings.TrimPrefix(t.Ref, "refs/heads/")
}
