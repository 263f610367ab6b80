#!/usr/bin/env bash
# Runs every fuzz target briefly (make fuzz). A real failure stops the run
# and leaves its input in testdata/fuzz. Go's fuzzer can also end with
# "context deadline exceeded" when -fuzztime expires while it is minimising a
# new (non-failing) input; that is not a finding, so that one case is retried
# once, with minimisation kept short.
set -euo pipefail
FUZZTIME=${FUZZTIME:-10s}
GO=${GO:-go}
for dir in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
	for fn in $(grep -h '^func Fuzz' "$dir"/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do
		echo "fuzz $dir $fn"
		for attempt in 1 2; do
			if out=$("$GO" test -run '^$' -fuzz "^$fn\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 200x "$dir" 2>&1); then
				echo "$out" | tail -n 1
				break
			fi
			echo "$out"
			if [[ $attempt == 1 ]] && grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
				echo "fuzz $dir $fn: the fuzzer timed out while minimising an interesting input (not a failure); once more"
				continue
			fi
			exit 1
		done
	done
done
