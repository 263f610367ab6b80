package fakegithub

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Installation is one installation of the app on an account.
type Installation struct {
	// ID is the installation ID.
	ID int64
	// Account is the login of the user or organization it is installed on.
	Account string
	// AccountType is "Organization" or "User".
	AccountType string
	// Permissions are the app's permissions on it, e.g. "checks": "write".
	Permissions map[string]string
	// Events are the webhook events it subscribes to.
	Events []string
	// CreatedAt is when it was installed.
	CreatedAt time.Time

	suspended   bool
	suspendedAt time.Time
	selection   string
}

// InstallationSpec describes an installation for AddInstallation.
type InstallationSpec struct {
	// Account is the user or organization login (required).
	Account string
	// User makes the account a user rather than an organization.
	User bool
	// Permissions default to what the Conviso app requests.
	Permissions map[string]string
	// Events default to what the Conviso app subscribes to.
	Events []string
	// Selected makes repository_selection "selected" instead of "all".
	Selected bool
}

// DefaultPermissions are the permissions installations get by default.
var DefaultPermissions = map[string]string{
	"checks": "write", "contents": "read", "metadata": "read", "pull_requests": "write",
	"issues": "write", "members": "read",
}

// DefaultEvents are the events installations subscribe to by default.
var DefaultEvents = []string{"check_run", "check_suite", "issue_comment", "pull_request", "push", "repository"}

// AddInstallation installs the app on an account and returns it.
func (s *Server) AddInstallation(spec InstallationSpec) *Installation {
	if spec.Account == "" {
		s.t.Fatalf("fakegithub: InstallationSpec.Account is required")
	}
	typ := "Organization"
	if spec.User {
		typ = "User"
	}
	perms, events := spec.Permissions, spec.Events
	if perms == nil {
		perms = DefaultPermissions
	}
	if events == nil {
		events = DefaultEvents
	}
	selection := "all"
	if spec.Selected {
		selection = "selected"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.user(spec.Account, typ)
	inst := &Installation{
		ID: s.st.id(), Account: spec.Account, AccountType: typ, Permissions: perms, Events: events,
		CreatedAt: epoch, selection: selection,
	}
	s.st.installations[inst.ID] = inst
	return inst
}

// SetSuspended suspends or unsuspends an installation; a suspended
// installation's tokens get 403.
func (s *Server) SetSuspended(installationID int64, suspended bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.st.installations[installationID]
	if inst == nil {
		s.t.Fatalf("fakegithub: no installation %d", installationID)
	}
	inst.suspended = suspended
	inst.suspendedAt = time.Time{}
	if suspended {
		inst.suspendedAt = time.Now()
	}
}

// installationJSON is GitHub's installation object. Callers hold s.mu.
func (s *Server) installationJSON(inst *Installation) map[string]any {
	api := s.apiBase()
	idStr := strconv.FormatInt(inst.ID, 10)
	account := s.st.user(inst.Account, inst.AccountType)
	html := "https://github.com/settings/installations/" + idStr
	if inst.AccountType == "Organization" {
		html = "https://github.com/organizations/" + inst.Account + "/settings/installations/" + idStr
	}
	// GitHub's description types account as allOf [simple-user,
	// enterprise], so the enterprise's required fields are added too.
	acc := s.userJSON(account)
	acc["name"], acc["slug"], acc["created_at"], acc["updated_at"] = account.Login, account.Login, ts(epoch), ts(epoch)
	var suspendedBy any
	if inst.suspended {
		suspendedBy = s.userJSON(account)
	}
	return map[string]any{
		"id": inst.ID, "client_id": s.app.ClientID, "account": acc,
		"access_tokens_url": api + "/app/installations/" + idStr + "/access_tokens",
		"repositories_url":  api + "/installation/repositories", "html_url": html,
		"app_id": s.app.ID, "app_slug": s.app.Slug, "target_id": account.ID, "target_type": inst.AccountType,
		"permissions": inst.Permissions, "events": inst.Events,
		"created_at": ts(inst.CreatedAt), "updated_at": ts(inst.CreatedAt),
		"single_file_name": nil, "has_multiple_single_files": false, "single_file_paths": []string{},
		"repository_selection": inst.selection, "suspended_by": suspendedBy, "suspended_at": tsOrNil(inst.suspendedAt),
	}
}

// tokenRequest is the optional body of "create an installation access token".
type tokenRequest struct {
	Repositories  []string          `json:"repositories"`
	RepositoryIDs []int64           `json:"repository_ids"`
	Permissions   map[string]string `json:"permissions"`
}

// createToken serves POST /app/installations/{installation_id}/access_tokens.
func (c *call) createToken() reply {
	var req tokenRequest
	if len(c.body) > 0 && !c.nullOptionalBody() {
		if err := json.Unmarshal(c.body, &req); err != nil {
			return errorReply(http.StatusBadRequest, "Problems parsing JSON", docsURL(c.route.Operation))
		}
	}
	id, _ := strconv.ParseInt(c.params["installation_id"], 10, 64)
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.st.installations[id]
	if inst == nil {
		return c.notFound()
	}
	if inst.suspended {
		return errorReply(http.StatusForbidden, "This installation has been suspended", docsURL(c.route.Operation))
	}
	repos, list, bad := s.tokenRepos(inst, req)
	if bad != "" {
		return errorReply(http.StatusUnprocessableEntity, bad, docsURL(c.route.Operation))
	}
	tok := s.issueToken(inst, repos)
	body := map[string]any{
		"token": tok.value, "expires_at": ts(tok.expiresAt), "permissions": inst.Permissions,
		"repository_selection": inst.selection,
	}
	if repos != nil {
		body["repositories"] = list
		body["repository_selection"] = "selected"
	}
	if req.Permissions != nil {
		body["permissions"] = req.Permissions
	}
	return created(body)
}

// tokenRepos resolves a token request's repository restriction. Callers
// hold s.mu.
func (s *Server) tokenRepos(inst *Installation, req tokenRequest) (map[string]bool, []any, string) {
	if req.Repositories == nil && req.RepositoryIDs == nil {
		return nil, nil, ""
	}
	set := map[string]bool{}
	var list []any
	for _, r := range s.installationRepos(inst) {
		named := containsFold(req.Repositories, r.name)
		byID := false
		for _, id := range req.RepositoryIDs {
			byID = byID || id == r.ID
		}
		if named || byID {
			set[repoKey(r.owner, r.name)] = true
			list = append(list, s.repoJSON(r))
		}
	}
	if len(set) != len(req.Repositories)+len(req.RepositoryIDs) {
		return nil, nil, "There is at least one repository that does not exist or is not accessible to the parent installation."
	}
	return set, list, ""
}

// installationRepos lists an installation's repositories by name. Callers
// hold s.mu.
func (s *Server) installationRepos(inst *Installation) []*Repo {
	var out []*Repo
	for _, r := range s.st.repos {
		if r.installationID == inst.ID && !r.deleted {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// getApp serves GET /app.
func (c *call) getApp() reply {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return ok(c.s.appJSON())
}

// listInstallations serves GET /app/installations.
func (c *call) listInstallations() reply {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for id := range s.st.installations {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	items := make([]any, 0, len(ids))
	for _, id := range ids {
		items = append(items, s.installationJSON(s.st.installations[id]))
	}
	return ok(pageOf(c, items))
}

// listInstallationRepos serves GET /installation/repositories.
func (c *call) listInstallationRepos() reply {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	for _, r := range s.installationRepos(c.inst) {
		if c.tok.canSee(r) {
			items = append(items, s.repoJSON(r))
		}
	}
	total := len(items)
	return ok(map[string]any{
		"total_count": total, "repository_selection": c.inst.selection, "repositories": nonNil(pageOf(c, items)),
	})
}

// nonNil turns a nil slice into an empty one, so JSON has [] not null.
func nonNil(items []any) []any {
	if items == nil {
		return []any{}
	}
	return items
}
