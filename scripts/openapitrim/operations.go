package main

// restOperations are the REST operations internal/fakegithub serves, as
// "METHOD /path" exactly as in GitHub's description. Keep this list and the
// fake's route table (internal/fakegithub/routes.go) in step: a test there
// fails when they differ.
var restOperations = []string{
	"POST /app/installations/{installation_id}/access_tokens",
	"GET /app",
	"GET /app/installations",
	"GET /app/hook/deliveries",
	"POST /app/hook/deliveries/{delivery_id}/attempts",
	"GET /installation/repositories",
	"GET /repos/{owner}/{repo}",
	"GET /repos/{owner}/{repo}/tarball/{ref}",
	"GET /repos/{owner}/{repo}/contents/{path}",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
	"POST /repos/{owner}/{repo}/check-runs",
	"GET /repos/{owner}/{repo}/check-runs/{check_run_id}",
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
	"GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
	"GET /repos/{owner}/{repo}/collaborators/{username}/permission",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
	"POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
	"GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
	"GET /orgs/{org}/teams",
	"GET /orgs/{org}/teams/{team_slug}/repos",
	"GET /repos/{owner}/{repo}/git/ref/{ref}",
	"POST /app-manifests/{code}/conversions",
	"POST /repos/{owner}/{repo}/git/refs", "PUT /repos/{owner}/{repo}/contents/{path}", "POST /repos/{owner}/{repo}/pulls", "GET /repos/{owner}/{repo}/pulls",
}

// webhookKeys are the webhook payload schemas the tests send, keyed as in
// @octokit/openapi-webhooks ("<event>-<action>" with "_" written "-").
var webhookKeys = []string{
	"pull-request-opened", "pull-request-synchronize", "pull-request-reopened",
	"pull-request-ready-for-review", "pull-request-closed", "pull-request-edited",
	"push",
	"check-run-rerequested", "check-run-requested-action",
	"check-suite-rerequested",
	"installation-created", "installation-deleted", "installation-suspend", "installation-unsuspend",
	"installation-repositories-added", "installation-repositories-removed",
	"issue-comment-created", "issue-comment-edited",
	"repository-created", "repository-archived", "repository-unarchived",
	"repository-renamed", "repository-deleted", "repository-transferred",
	"ping",
}
