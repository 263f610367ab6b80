#!/usr/bin/env bash
# Shared by the benchmark scripts: how busy the (possibly shared) machine is.

# contention: what else is using the CPUs (this machine may be shared).
contention() {
	local psi=""
	[[ -r /proc/pressure/cpu ]] && psi=", CPU pressure $(awk '/^some/ {print $2 " " $3}' /proc/pressure/cpu)"
	echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)$psi"
}

# With QUIET_IDLE=P, wait (up to 10 minutes) until the CPUs were at least P%
# idle over 5 seconds before measuring: this machine may be shared.
wait_quiet() {
	[[ -n ${QUIET_IDLE:-} ]] || return 0
	local deadline=$((SECONDS + 600)) a b idle
	while :; do
		read -r -a a < <(head -n 1 /proc/stat)
		sleep 5
		read -r -a b < <(head -n 1 /proc/stat)
		idle=$(awk -v i=$((b[4] + b[5] - a[4] - a[5])) \
			-v t=$((b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + b[7] + b[8] - a[1] - a[2] - a[3] - a[4] - a[5] - a[6] - a[7] - a[8])) \
			'BEGIN {printf "%d", t ? 100 * i / t : 100}')
		((idle >= QUIET_IDLE)) && return 0
		if ((SECONDS > deadline)); then
			echo "warning: CPUs only ${idle}% idle (< ${QUIET_IDLE}%); measuring anyway" >&2
			return 0
		fi
	done
}
