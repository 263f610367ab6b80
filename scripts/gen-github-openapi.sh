#!/usr/bin/env bash
# Regenerates internal/fakegithub/testdata/*.trimmed.json.gz: GitHub's REST
# and webhook OpenAPI descriptions trimmed to what the fake GitHub serves and
# the tests send (see scripts/openapitrim/operations.go).
#
# Usage:
#   scripts/gen-github-openapi.sh                 # npm pack the pinned packages
#   scripts/gen-github-openapi.sh --from DIR      # use DIR/api.github.com.json and
#                                                 # DIR/webhooks.api.github.com.json
set -euo pipefail

REST_PKG="@octokit/openapi@23.0.2"
HOOKS_PKG="@octokit/openapi-webhooks@12.1.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/internal/fakegithub/testdata"

from=""
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="${2:?--from needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [ -n "$from" ]; then
  rest="$from/api.github.com.json"
  hooks="$from/webhooks.api.github.com.json"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$REST_PKG" "$HOOKS_PKG" >/dev/null)
  mkdir -p "$tmp/rest" "$tmp/hooks"
  tar -xzf "$tmp"/octokit-openapi-23.0.2.tgz -C "$tmp/rest"
  tar -xzf "$tmp"/octokit-openapi-webhooks-12.1.0.tgz -C "$tmp/hooks"
  rest="$tmp/rest/package/generated/api.github.com.json"
  hooks="$tmp/hooks/package/generated/api.github.com.json"
fi

cd "$ROOT"
go run ./scripts/openapitrim -rest "$rest" -webhooks "$hooks" -out "$OUT"
ls -l "$OUT"/*.trimmed.json.gz
