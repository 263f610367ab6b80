# The project's one test command is `make test` (README.md); CI runs exactly it.
GO ?= go
# Redis-backed tests fail (never skip) when Redis is unreachable and this is 1.
CONVISO_REQUIRE_REDIS ?= 1
export CONVISO_REQUIRE_REDIS
# Each fuzz target runs this long in `make test`.
FUZZTIME ?= 10s

.PHONY: test vet lint unit fuzz bench
test: vet lint unit fuzz

# Go sources the repository tracks (generated test data excluded).
GOFILES = $$(git ls-files '*.go' 2>/dev/null | grep -v /testdata/ || find . -name '*.go' -not -path '*/testdata/*')
# Copy-paste past these sizes (in tokens, mibk/dupl) fails the build.
DUPL_TOKENS ?= 75
DUPL_TEST_TOKENS ?= 100

vet:
	@test -z "$$(gofmt -l $(GOFILES))" || { echo "gofmt needed:"; gofmt -l $(GOFILES); exit 1; }
	$(GO) vet ./...

# go.mod tidy, staticcheck and copy-paste; the tools are go.mod tool
# dependencies, so nothing is installed by hand.
lint:
	$(GO) mod tidy -diff
	$(GO) tool staticcheck ./...
	@out=$$($(GO) tool dupl -t $(DUPL_TOKENS) -plumbing $$(echo $(GOFILES) | tr ' ' '\n' | grep -v '_test.go$$')); \
	  test -z "$$out" || { echo "repeated code (dupl -t $(DUPL_TOKENS)); write it once:"; echo "$$out"; exit 1; }
	@out=$$($(GO) tool dupl -t $(DUPL_TEST_TOKENS) -plumbing $$(echo $(GOFILES) | tr ' ' '\n' | grep '_test.go$$')); \
	  test -z "$$out" || { echo "repeated test code (dupl -t $(DUPL_TEST_TOKENS)); write it once:"; echo "$$out"; exit 1; }

unit:
	$(GO) test -race -count=1 -timeout 8m ./...

# Short fuzzing runs of every fuzz target (the seeds also run in `unit`).
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) bash scripts/fuzz.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
