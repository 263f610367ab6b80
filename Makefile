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
	@set -e; for target in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for fn in $$(grep -h '^func Fuzz' $$target/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "fuzz $$target $$fn"; $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$target; \
	  done; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
