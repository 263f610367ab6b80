# The project's one test command is `make test` (README.md); CI runs exactly it.
GO ?= go
# Redis-backed tests fail (never skip) when Redis is unreachable and this is 1.
CONVISO_REQUIRE_REDIS ?= 1
export CONVISO_REQUIRE_REDIS
# Each fuzz target runs this long in `make test`.
FUZZTIME ?= 10s

.PHONY: test vet unit fuzz bench
test: vet unit fuzz

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 -timeout 8m ./...

# Short fuzzing runs of every fuzz target (the seeds also run in `unit`).
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) bash scripts/fuzz.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
