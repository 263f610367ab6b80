package fakegithub

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// MaxContentsInlineSize is the largest file "Get repository content" returns
// inline; larger files come with empty content and encoding "none".
// https://docs.github.com/en/rest/repos/contents#get-repository-content
const MaxContentsInlineSize = 1 << 20

// archivePrefix is the path of the fake's codeload stand-in.
const archivePrefix = "/_codeload/"

// OpArchiveDownload is the pseudo-operation recorded for tarball downloads
// from the redirect target (codeload.github.com on GitHub).
const OpArchiveDownload = "GET codeload"

// archiveLink is a short-lived tarball download link.
type archiveLink struct {
	repo    *Repo
	sha     string
	prefix  string
	expires time.Time
}

// getRepo serves GET /repos/{owner}/{repo}.
func (c *call) getRepo() reply {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return ok(c.s.repoJSON(c.repo))
}

// refSHA resolves a ref of the call's repository, "" when unknown.
func (c *call) refSHA(ref string) string {
	if ref == "" {
		ref = c.repo.DefaultBranch
	}
	sha, err := c.repo.git.resolve(ref)
	if err != nil {
		return ""
	}
	return sha
}

// tarball serves GET /repos/{owner}/{repo}/tarball/{ref}: a 302 to a
// short-lived download link on the fake, like codeload.github.com.
func (c *call) tarball() reply {
	ref := c.params["ref"]
	sha := c.refSHA(ref)
	if sha == "" {
		return c.notFound()
	}
	s := c.s
	s.mu.Lock()
	owner, name := c.repo.owner, c.repo.name
	tok := strings.TrimPrefix(newTokenValue(), "ghs_")
	s.st.archiveLinks[tok] = archiveLink{
		repo: c.repo, sha: sha, prefix: owner + "-" + name + "-" + sha[:7] + "/",
		expires: time.Now().Add(ArchiveLinkLifetime),
	}
	s.mu.Unlock()
	loc := s.apiBase() + archivePrefix + owner + "/" + name + "/legacy.tar.gz/" + escapePath(ref) + "?token=" + tok
	return reply{status: http.StatusFound, header: http.Header{"Location": {loc}}}
}

// serveArchive streams the tarball behind a download link.
func (s *Server) serveArchive(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	link, found := s.st.archiveLinks[r.URL.Query().Get("token")]
	s.mu.Unlock()
	status := http.StatusOK
	switch {
	case !found || time.Now().After(link.expires):
		status = http.StatusNotFound
		http.Error(w, "404: Not Found", status)
	default:
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Header().Set("Content-Disposition", "attachment; filename="+strings.TrimSuffix(link.prefix, "/")+".tar.gz")
		if err := link.repo.git.archive(w, link.sha, link.prefix); err != nil {
			s.addViolation(Violation{Kind: "response", Method: r.Method, Path: r.URL.Path, Message: err.Error()})
		}
	}
	s.record(&call{r: r, op: OpArchiveDownload, query: r.URL.Query()}, status)
}

// getContents serves GET /repos/{owner}/{repo}/contents/{path}.
func (c *call) getContents() reply {
	sha := c.refSHA(c.query.Get("ref"))
	if sha == "" {
		return errorReply(http.StatusNotFound, "No commit found for the ref "+c.query.Get("ref"), docsURL(c.route.Operation))
	}
	p, err := url.PathUnescape(c.params["path"])
	if err != nil {
		return c.notFound()
	}
	p = strings.Trim(p, "/")
	entries, err := c.repo.git.lsTree(sha, p)
	if err != nil || len(entries) == 0 {
		return c.notFound()
	}
	c.s.mu.Lock()
	fullName := c.repo.owner + "/" + c.repo.name
	c.s.mu.Unlock()
	ref := c.query.Get("ref")
	if ref == "" {
		ref = c.repo.DefaultBranch
	}
	if len(entries) == 1 && entries[0].path == p && entries[0].typ == "blob" {
		return c.fileContent(fullName, ref, entries[0])
	}
	var items []any
	for _, e := range entries {
		if e.path != p {
			items = append(items, c.s.contentEntryJSON(fullName, ref, e))
		}
	}
	return ok(nonNil(items))
}

// fileContent is a content-file with the blob base64-encoded in 60-column
// lines, as GitHub sends it.
func (c *call) fileContent(fullName, ref string, e treeEntry) reply {
	m := c.s.contentEntryJSON(fullName, ref, e)
	m["content"], m["encoding"] = "", "none"
	if e.size <= MaxContentsInlineSize {
		data, err := c.repo.git.blob(e.sha)
		if err != nil {
			return errorReply(http.StatusInternalServerError, err.Error(), "")
		}
		m["content"], m["encoding"] = wrap60(base64.StdEncoding.EncodeToString(data)), "base64"
	}
	return ok(m)
}

func wrap60(s string) string {
	var b strings.Builder
	for len(s) > 60 {
		b.WriteString(s[:60] + "\n")
		s = s[60:]
	}
	b.WriteString(s)
	b.WriteString("\n")
	return b.String()
}

// contentEntryJSON is the part common to files and directory entries.
func (s *Server) contentEntryJSON(fullName, ref string, e treeEntry) map[string]any {
	typ := map[string]string{"blob": "file", "tree": "dir", "commit": "submodule"}[e.typ]
	self := s.apiBase() + "/repos/" + fullName + "/contents/" + escapePath(e.path) + "?ref=" + url.QueryEscape(ref)
	kind := map[string]string{"file": "blob", "dir": "tree"}[typ]
	html := htmlBase + "/" + fullName + "/" + kind + "/" + ref + "/" + escapePath(e.path)
	gitURL := s.apiBase() + "/repos/" + fullName + "/git/" + e.typ + "s/" + e.sha
	var download any
	if typ == "file" {
		download = "https://raw.githubusercontent.com/" + fullName + "/" + ref + "/" + escapePath(e.path)
	}
	return map[string]any{
		"type": typ, "size": e.size, "name": path.Base(e.path), "path": e.path, "sha": e.sha,
		"url": self, "git_url": gitURL, "html_url": html, "download_url": download,
		"_links": map[string]any{"self": self, "git": gitURL, "html": html},
	}
}

// legacyPermission maps a role to the permission field's four values.
var legacyPermission = map[string]string{
	"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read", "none": "none",
}

// collaboratorPermission serves
// GET /repos/{owner}/{repo}/collaborators/{username}/permission.
func (c *call) collaboratorPermission() reply {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	login := c.params["username"]
	u := s.st.users[strings.ToLower(login)]
	if u == nil {
		return c.notFound()
	}
	role := c.repo.permissions[strings.ToLower(login)]
	if role == "" {
		role = "none"
		if strings.EqualFold(login, c.repo.owner) {
			role = "admin"
		}
	}
	user := s.userJSON(u)
	user["role_name"] = role
	return ok(map[string]any{"permission": legacyPermission[role], "role_name": role, "user": user})
}

// AddTeamMember makes user a member ("member" or "maintainer") of the
// organization's team.
func (s *Server) AddTeamMember(org, teamSlug, user, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.user(user, "User")
	s.st.teams[strings.ToLower(org+"/"+teamSlug+"/"+user)] = role
}

// teamMembership serves GET /orgs/{org}/teams/{team_slug}/memberships/{username}.
func (c *call) teamMembership() reply {
	org, team, user := c.params["org"], c.params["team_slug"], c.params["username"]
	s := c.s
	s.mu.Lock()
	role, found := s.st.teams[strings.ToLower(org+"/"+team+"/"+user)]
	s.mu.Unlock()
	if !found {
		return c.notFound()
	}
	return ok(map[string]any{
		"url":  s.apiBase() + "/organizations/" + org + "/team/" + team + "/memberships/" + user,
		"role": role, "state": "active",
	})
}
