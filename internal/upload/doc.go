// Package upload receives SARIF logs that CI pipelines upload from their own
// scanners: POST /api/v1/repos/{owner}/{repo}/sarif (see Route).
//
// # Request
//
// The body is one SARIF log, sent plain (Content-Type application/sarif+json
// or application/json) or gzip-compressed (Content-Encoding: gzip, or simply
// gzip data: the magic bytes 1f 8b are recognised whatever the headers say).
// The upload's coordinates are query parameters only (headers are not read,
// so that a proxy rewriting headers cannot change them):
//
//	commit_sha  required, 40 hex digits (stored lower-case)
//	ref         required, refs/heads/<branch> or refs/pull/<N>/head|merge
//	category    optional, [A-Za-z0-9._/-]{1,100}, default "default"; one
//	            analysis per (commit, category), like GitHub code scanning
//
// # Authentication
//
// Authorization: Bearer <token>, one of:
//
//   - a GitHub Actions OIDC token (OIDCVerifier): signed by the configured
//     issuer, with the configured audience (default "conviso"), not expired,
//     and whose repository claim names the target repository;
//   - a repository-scoped API token issued by an administrator (Tokens),
//     recognisable by its "cvs_" prefix.
//
// # Responses
//
// Every answer is JSON. 202 {"id": "...", "status": "queued"} once the Sink
// has taken the upload; otherwise {"error": "...", "limit": N} with limit
// only for size limits, and line, column and offset for malformed JSON:
//
//	400 bad parameter, malformed JSON or gzip, or a validator's rejection
//	401 no, malformed, unknown, revoked or expired token (WWW-Authenticate: Bearer)
//	403 the token is valid but for another repository
//	404 RepoExists says the repository is not served by the app, or the path
//	    cannot name a GitHub repository (checked before authentication)
//	413 body over Config.MaxBodyBytes, or decompressed over Config.MaxDecompressedBytes
//	415 Content-Type or Content-Encoding not supported
//	422 (or any status) chosen by the validator through HTTPStatus() int
//	503 too many uploads at once, the OIDC issuer or the store is unreachable,
//	    or the Sink failed (Retry-After is set); a Sink may choose another
//	    status through HTTPStatus() int (e.g. 409 for a duplicate)
//
// Checks run in this order, so an unauthenticated client learns nothing
// about a repository: 401, 403, 404, 400 (parameters), 415, 413, then the
// body (400, 413, 422).
//
// Nothing is half-stored: the decompressed body is spooled to a temporary file
// under Config.SpoolDir, validated, and only then handed to Config.Sink, which
// takes ownership of the file. On every error before that the file is removed.
//
// # GitHub Actions example
//
//	permissions: { id-token: write, contents: read }
//	steps:
//	  - run: |
//	      TOKEN=$(curl -sS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
//	        "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=conviso" | jq -r .value)
//	      gzip -c results.sarif | curl -sS --fail-with-body -X POST \
//	        -H "Authorization: Bearer $TOKEN" \
//	        -H "Content-Type: application/sarif+json" -H "Content-Encoding: gzip" \
//	        --data-binary @- \
//	        "https://conviso.example.com/api/v1/repos/$GITHUB_REPOSITORY/sarif?commit_sha=$GITHUB_SHA&ref=$GITHUB_REF&category=semgrep"
package upload
