#!/bin/bash
# Benchmark of `ovslab check LAB --all` (issue 6): brings up the int_br lab
# of N hosts (bench/lib.sh's numbering) in a sandbox of its own (network,
# mount and PID namespaces, fresh tmpfs on /run/netns, /run/ovslab,
# /run/openvswitch, sysfs remounted), times the all-pairs ICMP matrix
# (N*(N-1) probes), prints the time and the summary line, and takes the lab
# down. It measures; it never judges a time.
#
#   sudo bench/check.sh 100
#
# Environment: OVSLAB (default build/ovslab next to bench/), BENCH_ROUNDS
# (matrix runs on the same lab, default 3: the first also pays the ARP).
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
OVSLAB=${OVSLAB:-$here/../build/ovslab}
ROUNDS=${BENCH_ROUNDS:-3}
. "$here/lib.sh"

now_us() { echo "${EPOCHREALTIME/./}"; }
secs() { printf '%d.%03d' $(($1 / 1000000)) $((($1 % 1000000) / 1000)); }

gen_lab() {
	local i
	printf 'name: bench\nbridges:\n  int_br:\n    gateway: %s/%s\nhosts:\n' "$GW" "$GW_PREFIX"
	for ((i = 1; i <= n; i++)); do
		printf '  h%d:\n    bridge: int_br\n    address: %s/%s\n' $i "$(host_addr $i)" "$GW_PREFIX"
	done
}

if [ "${1:-}" = --sandbox ]; then
	n=$2 work=$3
	# PID 1 of its namespace: when it exits, the switch daemons go with it.
	trap '"$OVSLAB" down bench >/dev/null 2>&1' EXIT
	mount -t tmpfs bench /run/netns &&
	mount -t tmpfs bench /run/ovslab &&
	mount -t tmpfs bench /run/openvswitch &&
	mount -t sysfs sysfs /sys &&
	ip link set lo up || exit 1
	gen_lab >"$work/bench.yaml"
	"$OVSLAB" up "$work/bench.yaml" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
	for ((r = 1; r <= ROUNDS; r++)); do
		t0=$(now_us)
		"$OVSLAB" check bench --all >"$work/check.log" 2>&1
		rc=$?
		t1=$(now_us)
		echo "N=$n round $r: check --all $(secs $((t1 - t0))) s, exit $rc: $(grep 'pairs reach' "$work/check.log")"
	done
	exit 0
fi

[ $# -eq 1 ] && [[ $1 =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 N   (as root)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 2; }
[ -x "$OVSLAB" ] || { echo "bench: $OVSLAB: not an executable" >&2; exit 2; }
work=$(mktemp -d /var/tmp/ovslab-check.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p /run/netns /run/ovslab /run/openvswitch
unshare -n -m -p --fork --mount-proc --propagation private "$here/check.sh" --sandbox "$1" "$work"
