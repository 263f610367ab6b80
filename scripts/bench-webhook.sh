#!/usr/bin/env bash
# bench-webhook.sh: webhook acknowledgement latency and throughput on
# loopback (BenchmarkIntake in app/intake_bench_test.go), with the context
# needed to read the figures, and the median of each metric over COUNT runs.
#
#   scripts/bench-webhook.sh                 # 2000 deliveries, 5 runs
#   N=500 COUNT=3 scripts/bench-webhook.sh
#
# Environment:
#   N       deliveries per measurement (-benchtime Nx; default 2000)
#   COUNT   runs of each measurement (-count; default 5)
#   BENCH   -bench pattern (default Intake)
#   OUT     also keep the raw `go test` output in this file
#   QUIET_IDLE  wait until the CPUs are at least this % idle first (e.g. 90)
#
# The Redis measurements need Redis at CONVISO_TEST_REDIS_URL (default
# redis://127.0.0.1:6379/0); without it they are skipped, unless
# CONVISO_REQUIRE_REDIS=1.
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-2000}
COUNT=${COUNT:-5}
BENCH=${BENCH:-Intake}
raw=${OUT:-$(mktemp "${TMPDIR:-/tmp}/bench-webhook.XXXXXX")}
[[ -n ${OUT:-} ]] || trap 'rm -f "$raw"' EXIT

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh # the script runs from the repository root

echo "== machine"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc: $(nproc)"
lscpu | head -n 15
go version
tmp=${TMPDIR:-/tmp}
echo "bbolt file system (b.TempDir under $tmp): $(findmnt -n -o SOURCE,FSTYPE,OPTIONS -T "$tmp" 2>/dev/null || df -T "$tmp" | tail -n 1)"
redis_url=${CONVISO_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
if command -v redis-cli >/dev/null && redis-cli -u "$redis_url" ping >/dev/null 2>&1; then
	echo "redis: $(redis-cli -u "$redis_url" info server | awk -F: '/^redis_version/ {print "version " $2}' | tr -d '\r')," \
		"appendonly $(redis-cli -u "$redis_url" config get appendonly | tail -n 1)," \
		"appendfsync $(redis-cli -u "$redis_url" config get appendfsync | tail -n 1)," \
		"save '$(redis-cli -u "$redis_url" config get save | tail -n 1)'"
else
	echo "redis: not reachable at $redis_url (redis-cli missing or no answer)"
fi

go test -c -o /dev/null ./app # build first: compiling is not measured
wait_quiet
echo "before: $(contention)"
cmd=(go test ./app -run '^$' -bench "$BENCH" -benchtime "${N}x" -count "$COUNT")
echo "== ${cmd[*]}"
"${cmd[@]}" | tee "$raw"
echo "after: $(contention)"

echo "== medians over $COUNT runs [min-max]"
awk '
	function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.3g", x) }
	function cell(list,   a, n, i, j, t, m) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		return n > 1 ? fmt(m) " [" fmt(a[1]) "-" fmt(a[n]) "]" : fmt(m)
	}
	/^Benchmark/ {
		name = $1; sub(/^BenchmarkIntake\//, "", name); sub(/-[0-9]+$/, "", name)
		if (!(name in seen)) { seen[name] = 1; order[++names] = name }
		for (i = 3; i < NF; i += 2) v[name, $(i + 1)] = v[name, $(i + 1)] " " $i
	}
	END {
		split("p50-ms p99-ms max-ms deliveries/s backlog-jobs drained-jobs/s allocs/op", units, " ")
		printf "| measurement |"; for (u = 1; u in units; u++) printf " %s |", units[u]; printf "\n|---|"
		for (u = 1; u in units; u++) printf "---:|"; printf "\n"
		for (k = 1; k <= names; k++) {
			printf "| %s |", order[k]
			for (u = 1; u in units; u++) printf " %s |", ((order[k], units[u]) in v) ? cell(v[order[k], units[u]]) : ""
			printf "\n"
		}
	}' "$raw"
