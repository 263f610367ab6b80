package fakegithub

import (
	"fmt"
	"sort"
	"strings"
)

// authKind is how a route authenticates.
type authKind int

const (
	// authJWT routes need the app's JWT (Authorization: Bearer <jwt>).
	authJWT authKind = iota + 1
	// authToken routes need a live installation token; routes with
	// {owner}/{repo} or {org} also need that installation to cover them.
	authToken
	// authNone routes take no credentials (the manifest code is the secret).
	authNone
)

// route is one served operation.
type route struct {
	auth authKind
	// content marks content-generating requests (GitHub's secondary limit).
	content bool
	handle  func(*call) reply
}

// routeTable is every operation the fake serves, keyed "METHOD /template"
// exactly as in GitHub's description. To serve one more: add it here, add
// it to scripts/openapitrim/operations.go and rerun
// scripts/gen-github-openapi.sh.
var routeTable = map[string]route{
	"POST /app/installations/{installation_id}/access_tokens": {auth: authJWT, handle: (*call).createToken},
	"GET /app":                 {auth: authJWT, handle: (*call).getApp},
	"GET /app/installations":   {auth: authJWT, handle: (*call).listInstallations},
	"GET /app/hook/deliveries": {auth: authJWT, handle: (*call).listDeliveries},
	"POST /app/hook/deliveries/{delivery_id}/attempts":    {auth: authJWT, handle: (*call).redeliver},
	"GET /installation/repositories":                      {auth: authToken, handle: (*call).listInstallationRepos},
	"GET /repos/{owner}/{repo}":                           {auth: authToken, handle: (*call).getRepo},
	"GET /repos/{owner}/{repo}/tarball/{ref}":             {auth: authToken, handle: (*call).tarball},
	"GET /repos/{owner}/{repo}/contents/{path}":           {auth: authToken, handle: (*call).getContents},
	"GET /repos/{owner}/{repo}/pulls/{pull_number}":       {auth: authToken, handle: (*call).getPull},
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/files": {auth: authToken, handle: (*call).listPullFiles},
	"POST /repos/{owner}/{repo}/check-runs":               {auth: authToken, content: true, handle: (*call).createCheckRun},
	"GET /repos/{owner}/{repo}/check-runs/{check_run_id}": {auth: authToken, handle: (*call).getCheckRun},
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}": {
		auth: authToken, content: true, handle: (*call).updateCheckRun},
	"GET /repos/{owner}/{repo}/commits/{ref}/check-runs":            {auth: authToken, handle: (*call).listCheckRunsForRef},
	"GET /repos/{owner}/{repo}/collaborators/{username}/permission": {auth: authToken, handle: (*call).collaboratorPermission},
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments": {
		auth: authToken, content: true, handle: (*call).createComment},
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}": {
		auth: authToken, content: true, handle: (*call).updateComment},
	"POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions": {
		auth: authToken, content: true, handle: (*call).createReaction},
	"GET /orgs/{org}/teams/{team_slug}/memberships/{username}": {auth: authToken, handle: (*call).teamMembership},
	"GET /orgs/{org}/teams":                   {auth: authToken, handle: (*call).listTeams},
	"GET /orgs/{org}/teams/{team_slug}/repos": {auth: authToken, handle: (*call).listTeamRepos},
	"GET /repos/{owner}/{repo}/git/ref/{ref}": {auth: authToken, handle: (*call).getRef},
	OpManifestConversion:                      {auth: authNone, handle: (*call).convertManifest},
	OpCreateRef:                               {auth: authToken, content: true, handle: (*call).createRef}, OpPutContents: {auth: authToken, content: true, handle: (*call).putContents}, OpCreatePull: {auth: authToken, content: true, handle: (*call).createPull}, OpListPulls: {auth: authToken, handle: (*call).listPulls},
}

// Operation names for Script and RequestsTo.
const (
	OpCreateToken           = "POST /app/installations/{installation_id}/access_tokens"
	OpGetRepo               = "GET /repos/{owner}/{repo}"
	OpTarball               = "GET /repos/{owner}/{repo}/tarball/{ref}"
	OpGetContents           = "GET /repos/{owner}/{repo}/contents/{path}"
	OpGetPull               = "GET /repos/{owner}/{repo}/pulls/{pull_number}"
	OpListPullFiles         = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"
	OpCreateCheckRun        = "POST /repos/{owner}/{repo}/check-runs"
	OpUpdateCheckRun        = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"
	OpCreateComment         = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
	OpUpdateComment         = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
	OpCreateReaction        = "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"
	OpListInstallationRepos = "GET /installation/repositories"
)

// checkRouteTable reports any difference between the route table and the
// operations of the trimmed description.
func checkRouteTable(spec *restSpec) error {
	inSpec := map[string]bool{}
	for _, op := range spec.specOperations() {
		inSpec[op] = true
	}
	var missing, extra []string
	for op := range routeTable {
		if !inSpec[op] {
			missing = append(missing, op)
		}
	}
	for op := range inSpec {
		if _, ok := routeTable[op]; !ok {
			extra = append(extra, op)
		}
	}
	if len(missing)+len(extra) == 0 {
		return nil
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return fmt.Errorf("route table and trimmed description differ (rerun scripts/gen-github-openapi.sh): "+
		"served but not described: [%s]; described but not served: [%s]",
		strings.Join(missing, ", "), strings.Join(extra, ", "))
}
