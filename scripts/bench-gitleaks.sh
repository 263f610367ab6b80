#!/usr/bin/env bash
# bench-gitleaks.sh: the app's built-in secret scan (scanner/gitleaks, gitleaks
# used as a library) against the gitleaks CLI of the same version, on the same
# trees, each built with and without -tags gore2regex (the CLI's release builds
# use that tag; the app's default build does not).
#
#   scripts/bench-gitleaks.sh            # RUNS=5 interleaved runs per variant
#   RUNS=3 TREES=xtext scripts/bench-gitleaks.sh
#
# Environment:
#   RUNS           process runs per variant and tree (default 5)
#   TREES          space-separated subset of "gitleaks xtext" (default both)
#   LIB_BENCHTIME  -benchtime of the closing `go test -bench` run (default 3x;
#                  "skip" skips it)
#   HYPERFINE=1    also time the four commands with hyperfine (wall time only)
#   KEEP=1         keep the work folder (binaries, logs, raw TSV)
#   QUIET_IDLE=P   before each round of runs, wait until the CPUs are at
#                  least P% idle (e.g. 90): the machine may be shared
#
# Each run of a variant is one process doing one scan, timed with
# /usr/bin/time (wall, user and system CPU, peak RSS). The four variants run
# interleaved (cli-std, lib-std, cli-re2, lib-re2, then again), so background
# load hits them alike. "scan" is the scan alone as each reports it: the CLI's
# "scanned ... in X" line, the library benchmark's ns/op (both exclude process
# start and compiling the rules; BenchmarkNew measures the latter).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
TREES=${TREES:-gitleaks xtext}
LIB_BENCHTIME=${LIB_BENCHTIME:-3x}
GITLEAKS_MODULE=github.com/zricethezav/gitleaks/v8

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-gitleaks.XXXXXX")
if [[ ${KEEP:-} != 1 ]]; then
	trap 'rm -rf "$WORK"' EXIT
else
	echo "work folder: $WORK"
fi
TIME=/usr/bin/time
if [[ ! -x $TIME ]]; then
	echo "bench-gitleaks: $TIME (GNU time) is required: apt-get install time" >&2
	exit 1
fi
unset GITLEAKS_CONFIG GITLEAKS_CONFIG_TOML

# --- what and where -----------------------------------------------------------
version=$(go list -m -f '{{.Version}}' "$GITLEAKS_MODULE")
go mod download "$GITLEAKS_MODULE" golang.org/x/text
gl_dir=$(go list -m -f '{{.Dir}}' "$GITLEAKS_MODULE")
xtext_dir=$(go list -m -f '{{.Dir}}' golang.org/x/text)
# The CLI would read <tree>/.gitleaks.toml (gitleaks' own tree has one): give
# it the default configuration explicitly, the file the library embeds.
default_config=$gl_dir/config/gitleaks.toml
grep -q '//go:embed gitleaks.toml' "$gl_dir/config/config.go" || {
	echo "bench-gitleaks: $default_config is no longer the embedded default config" >&2
	exit 1
}

tree_dir() { case $1 in gitleaks) echo "$gl_dir" ;; xtext) echo "$xtext_dir" ;; *) return 1 ;; esac; }
tree_bench() { case $1 in gitleaks) echo BenchmarkScanGitleaksModule ;; xtext) echo BenchmarkScanXTextModule ;; esac; }

# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh # the script runs from the repository root

echo "== machine"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc: $(nproc)"
lscpu | head -n 15
echo "memory: $(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
go version
echo "gitleaks: $version"
for t in $TREES; do
	d=$(tree_dir "$t")
	echo "tree $t: $d ($(find "$d" -type f | wc -l) files, $(find "$d" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.1f MB", s / 1e6}'))"
done

# --- build ----------------------------------------------------------------------
echo "== build"
# As the release builds (.goreleaser.yml), less -tags for cli-std.
ldflags="-s -w -X=$GITLEAKS_MODULE/version.Version=$version"
GOBIN=$WORK/cli-std go install -ldflags "$ldflags" "$GITLEAKS_MODULE@$version"
GOBIN=$WORK/cli-re2 go install -tags gore2regex -ldflags "$ldflags" "$GITLEAKS_MODULE@$version"
go test -c -o "$WORK/lib-std.test" ./internal/scanner/gitleaks
go test -c -tags gore2regex -o "$WORK/lib-re2.test" ./internal/scanner/gitleaks
for v in std re2; do
	tags=$(go version -m "$WORK/cli-$v/gitleaks" | awk '$1 == "build" && $2 ~ /^-tags=/ {print $2}')
	echo "cli-$v: gitleaks $("$WORK/cli-$v/gitleaks" version), ${tags:-no build tags}"
	echo "lib-$v: scanner/gitleaks benchmark binary, $([[ $v == re2 ]] && echo -tags=gore2regex || echo no build tags)"
done
mkdir -p "$WORK/cwd" # empty: no .gitleaksignore from the current folder

# run_variant VARIANT TREE LOG: one scan in one process, timed.
run_variant() {
	local variant=$1 tree=$2 log=$3 dir
	dir=$(tree_dir "$tree")
	case $variant in
	cli-*)
		(cd "$WORK/cwd" && $TIME -f '%e %U %S %M' -o "$log.time" \
			"$WORK/$variant/gitleaks" dir "$dir" --no-banner --config "$default_config" \
			--ignore-gitleaks-allow --max-decode-depth 5 --max-archive-depth 0 \
			--report-format json --report-path "$WORK/report.json" --exit-code 0) >"$log" 2>&1
		;;
	lib-*)
		local now
		now=$(case $tree in gitleaks) go list -m -f '{{.Dir}}' "$GITLEAKS_MODULE" ;; xtext) go list -m -f '{{.Dir}}' golang.org/x/text ;; esac)
		if [[ $now != "$dir" ]]; then
			echo "bench-gitleaks: go.mod changed during the run: the library would scan $now, the CLI scans $dir" >&2
			return 1
		fi
		(cd internal/scanner/gitleaks && $TIME -f '%e %U %S %M' -o "$log.time" \
			"$WORK/$variant.test" -test.run '^$' -test.bench "^$(tree_bench "$tree")\$" \
			-test.benchtime 1x) >"$log" 2>&1
		;;
	esac
}

# scan_seconds VARIANT LOG: the scan's own duration, in seconds.
scan_seconds() {
	case $1 in
	cli-*)
		sed 's/\x1b\[[0-9;]*m//g' "$2" | awk '/scanned ~/ {d = $NF
			s = 0
			while (match(d, /^[0-9.]+(h|ms|µs|us|ns|m|s)/)) {
				tok = substr(d, 1, RLENGTH); d = substr(d, RLENGTH + 1)
				n = tok + 0; u = tok; sub(/^[0-9.]+/, "", u)
				s += n * (u == "h" ? 3600 : u == "m" ? 60 : u == "s" ? 1 : u == "ms" ? 1e-3 : u == "ns" ? 1e-9 : 1e-6)
			}
			printf "%.3f\n", s }'
		;;
	lib-*) awk '/^BenchmarkScan/ {for (i = 2; i <= NF; i++) if ($i == "ns/op") printf "%.3f\n", $(i - 1) / 1e9}' "$2" ;;
	esac
}

# findings VARIANT LOG
findings() {
	case $1 in
	cli-*) sed 's/\x1b\[[0-9;]*m//g' "$2" | awk '/leaks found:/ {print $NF} /no leaks found/ {print 0}' ;;
	lib-*) awk '/^BenchmarkScan/ {for (i = 2; i <= NF; i++) if ($i == "findings/op") print $(i - 1) + 0}' "$2" ;;
	esac
}

# files VARIANT LOG: files the library scanned (the CLI does not say).
files() {
	case $1 in
	cli-*) echo - ;;
	lib-*) awk '/^BenchmarkScan/ {for (i = 2; i <= NF; i++) if ($i == "files/op") print $(i - 1) + 0}' "$2" ;;
	esac
}

# --- runs -----------------------------------------------------------------------
variants="cli-std lib-std cli-re2 lib-re2"
raw=$WORK/raw.tsv
printf 'tree\tvariant\trun\twall_s\tuser_s\tsys_s\tmaxrss_kb\tscan_s\tfindings\tfiles\n' >"$raw"
for tree in $TREES; do
	echo "== runs: $tree (warm-up: one untimed run of each variant)"
	for v in $variants; do run_variant "$v" "$tree" "$WORK/warmup.log" || true; done
	for run in $(seq 1 "$RUNS"); do
		wait_quiet
		echo "run $run/$RUNS starts; $(contention)"
		for v in $variants; do
			log=$WORK/$tree-$v-$run.log
			if ! run_variant "$v" "$tree" "$log"; then
				echo "bench-gitleaks: $v on $tree failed:" >&2
				cat "$log" >&2
				exit 1
			fi
			read -r wall user sys rss <"$log.time"
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tree" "$v" "$run" "$wall" "$user" "$sys" "$rss" \
				"$(scan_seconds "$v" "$log")" "$(findings "$v" "$log")" "$(files "$v" "$log")" >>"$raw"
		done
		echo "run $run/$RUNS done; $(contention)"
	done
done

echo "== raw"
column -t -s $'\t' "$raw"

echo "== medians over $RUNS runs (wall, CPU = user + system, peak RSS; scan = the scan alone)"
printf '| tree | variant | wall s | CPU s | scan s | peak RSS MiB | findings | files |\n|---|---|---:|---:|---:|---:|---:|---:|\n'
for tree in $TREES; do
	for v in $variants; do
		awk -F'\t' -v tree="$tree" -v v="$v" '
			function median(a, n,   i, j, t) {
				for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
				return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			}
			$1 == tree && $2 == v { n++; w[n] = $4; c[n] = $5 + $6; r[n] = $7 / 1024; s[n] = $8; f = $9; files = $10 }
			END { printf "| %s | %s | %.2f | %.2f | %.2f | %.0f | %s | %s |\n", tree, v, median(w, n), median(c, n), median(s, n), median(r, n), f, files }
		' "$raw"
	done
done

if [[ ${HYPERFINE:-} == 1 ]] && command -v hyperfine >/dev/null; then
	for tree in $TREES; do
		dir=$(tree_dir "$tree")
		echo "== hyperfine: $tree"
		cmds=()
		for v in std re2; do
			cmds+=("cd $WORK/cwd && $WORK/cli-$v/gitleaks dir $dir --no-banner --config $default_config --ignore-gitleaks-allow --max-decode-depth 5 --max-archive-depth 0 --report-format json --report-path $WORK/report.json --exit-code 0 2>/dev/null")
			cmds+=("cd $PWD/internal/scanner/gitleaks && $WORK/lib-$v.test -test.run '^\$' -test.bench '^$(tree_bench "$tree")\$' -test.benchtime 1x >/dev/null")
		done
		hyperfine --warmup 1 --runs "$RUNS" "${cmds[@]}"
	done
fi

if [[ $LIB_BENCHTIME != skip ]]; then
	pattern=$(for t in $TREES; do tree_bench "$t"; done | paste -sd'|')
	for tags in "" gore2regex; do
		echo "== go test ./internal/scanner/gitleaks -run '^\$' -bench '^($pattern|BenchmarkNew)\$' -benchtime $LIB_BENCHTIME ${tags:+-tags $tags}"
		go test ${tags:+-tags "$tags"} ./internal/scanner/gitleaks -run '^$' -bench "^($pattern|BenchmarkNew)\$" -benchtime "$LIB_BENCHTIME"
	done
fi
