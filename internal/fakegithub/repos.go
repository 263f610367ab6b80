package fakegithub

import (
	"path/filepath"
	"strings"
	"time"
)

// Repo is a repository of the fake, backed by a real bare git repository.
type Repo struct {
	// ID is the repository ID.
	ID int64
	// Private is the repository's visibility.
	Private bool
	// DefaultBranch is the repository's default branch.
	DefaultBranch string
	// CreatedAt is when the repository was created.
	CreatedAt time.Time

	s              *Server
	git            *gitRepo
	owner, name    string
	installationID int64
	archived       bool
	deleted        bool
	pushedAt       time.Time
	commits        int
	nextNumber     int
	pulls          map[int]*PullRequest
	issues         map[int]*Issue
	permissions    map[string]string
}

// RepoSpec describes a repository for AddRepo.
type RepoSpec struct {
	// Owner and Name name the repository (required).
	Owner, Name string
	// InstallationID is the installation that can see it (0: none).
	InstallationID int64
	// Public makes it public; repositories are private by default.
	Public bool
	// DefaultBranch defaults to "main".
	DefaultBranch string
	// Files is the content of the first commit on the default branch.
	Files map[string]string
}

// CommitSpec describes a commit for Repo.Commit.
type CommitSpec struct {
	// Branch receives the commit; it is created from From (default: the
	// default branch) when it does not exist.
	Branch string
	// From is the ref a new branch starts at.
	From string
	// Message is the commit message (default "Update files").
	Message string
	// Author is the author's login (default "octocat").
	Author string
	// Files are added or replaced.
	Files map[string]string
	// Delete lists paths to remove.
	Delete []string
}

func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

// AddRepo creates a git repository in a temporary folder with one commit
// of spec.Files on the default branch, and registers it.
func (s *Server) AddRepo(spec RepoSpec) *Repo {
	s.t.Helper()
	if spec.Owner == "" || spec.Name == "" {
		s.t.Fatalf("fakegithub: RepoSpec needs Owner and Name")
	}
	if spec.DefaultBranch == "" {
		spec.DefaultBranch = "main"
	}
	g, err := initGit(filepath.Join(s.t.TempDir(), spec.Name+".git"), spec.DefaultBranch)
	if err != nil {
		s.t.Fatalf("fakegithub: create repository %s/%s: %v", spec.Owner, spec.Name, err)
	}
	s.mu.Lock()
	r := &Repo{
		ID: s.st.id(), Private: !spec.Public, DefaultBranch: spec.DefaultBranch, CreatedAt: epoch,
		s: s, git: g, owner: spec.Owner, name: spec.Name, installationID: spec.InstallationID,
		pulls: map[int]*PullRequest{}, issues: map[int]*Issue{}, permissions: map[string]string{},
	}
	s.st.user(spec.Owner, "Organization")
	if _, dup := s.st.repos[repoKey(r.owner, r.name)]; dup {
		s.mu.Unlock()
		s.t.Fatalf("fakegithub: repository %s/%s exists", spec.Owner, spec.Name)
	}
	s.st.repos[repoKey(r.owner, r.name)] = r
	s.mu.Unlock()
	r.commit(CommitSpec{Branch: spec.DefaultBranch, Message: "Initial commit", Files: spec.Files}, "")
	return r
}

// Owner is the owner's login.
func (r *Repo) Owner() string { return r.locked(func() string { return r.owner }) }

// Name is the repository's name.
func (r *Repo) Name() string { return r.locked(func() string { return r.name }) }

// FullName is "owner/name".
func (r *Repo) FullName() string { return r.locked(func() string { return r.owner + "/" + r.name }) }

// InstallationID is the installation that can see the repository.
func (r *Repo) InstallationID() int64 {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return r.installationID
}

func (r *Repo) locked(f func() string) string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return f()
}

// GitDir is the path of the bare git repository, for tests that want to
// inspect it.
func (r *Repo) GitDir() string { return r.git.dir }

// SHA resolves a ref (branch, tag or SHA) to a commit SHA, failing the
// test if it does not exist.
func (r *Repo) SHA(ref string) string {
	sha, err := r.git.resolve(ref)
	if err != nil {
		r.s.t.Fatalf("fakegithub: %s: %v", r.FullName(), err)
	}
	return sha
}

// Commit adds a commit to spec.Branch and returns its SHA. Open pull
// requests whose head or base is that branch follow it.
func (r *Repo) Commit(spec CommitSpec) string {
	r.s.t.Helper()
	parent := spec.From
	if parent == "" {
		parent = r.DefaultBranch
	}
	if sha, err := r.git.resolve("refs/heads/" + spec.Branch); err == nil {
		parent = sha
	} else {
		parent = r.SHA(parent)
	}
	return r.commit(spec, parent)
}

// commit writes the commit (parent "" for a root commit) and updates pull
// requests.
func (r *Repo) commit(spec CommitSpec, parent string) string {
	if spec.Message == "" {
		spec.Message = "Update files"
	}
	if spec.Author == "" {
		spec.Author = "octocat"
	}
	r.s.mu.Lock()
	r.commits++
	when := epoch.Add(time.Duration(r.commits) * time.Minute)
	r.s.mu.Unlock()
	sha, err := r.git.commit(gitCommit{
		branch: spec.Branch, parent: parent, message: spec.Message, when: when,
		author: spec.Author + " <" + spec.Author + "@users.noreply.github.com>", files: spec.Files, deletes: spec.Delete,
	})
	if err != nil {
		r.s.t.Fatalf("fakegithub: commit to %s: %v", r.FullName(), err)
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.pushedAt = when
	for _, pr := range r.pulls {
		if pr.Head == spec.Branch && pr.state == "open" {
			pr.prevHeadSHA, pr.headSHA, pr.updatedAt = pr.headSHA, sha, when
		}
		if pr.Base == spec.Branch && pr.state == "open" {
			pr.baseSHA = sha
		}
	}
	return sha
}

// SetPermission gives user a permission on the repository: "admin",
// "maintain", "write", "triage", "read" or "none".
func (r *Repo) SetPermission(user, permission string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.st.user(user, "User")
	r.permissions[strings.ToLower(user)] = permission
}

// SetArchived archives or unarchives the repository.
func (r *Repo) SetArchived(archived bool) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.archived = archived
}

// Rename renames the repository (and moves it to newOwner if not empty)
// and returns the old full name, for repository renamed/transferred events.
func (r *Repo) Rename(newOwner, newName string) (oldFullName string) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	old := r.owner + "/" + r.name
	delete(r.s.st.repos, repoKey(r.owner, r.name))
	if newOwner != "" {
		r.owner = newOwner
		r.s.st.user(newOwner, "Organization")
	}
	if newName != "" {
		r.name = newName
	}
	r.s.st.repos[repoKey(r.owner, r.name)] = r
	return old
}

// Delete removes the repository from the API (it 404s from now on).
func (r *Repo) Delete() {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.deleted = true
}

// SetInstallation moves the repository to another installation (0: none),
// as when it is added to or removed from an installation.
func (r *Repo) SetInstallation(installationID int64) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.installationID = installationID
}

// Repo returns the registered repository owner/name, or nil.
func (s *Server) Repo(owner, name string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.repos[repoKey(owner, name)]
}
