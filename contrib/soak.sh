#!/bin/bash
# Soak test of ovslab's lifecycle: up/down cycles of a NAT lab, kill -9 at
# random points of up and of down then recovery, labs side by side, a killed
# private switch; after each run it counts what is left behind, per kind.
# Everything happens in a sandbox of its own (network, mount and PID
# namespaces; fresh tmpfs on /run/netns, /run/ovslab, /run/openvswitch and a
# scratch directory; sysfs remounted): it never touches the machine's
# interfaces, firewall or switch, and its traffic stays between namespaces it
# made.  Run as root.  docs/reliability.md has the figures.
#
#   contrib/soak.sh [--quick] [--strict-switch] [--cycles N] [--up-kills K]
#                   [--down-kills K] [--parallel P] [--switch-kills S] [OVSLAB]
#
# OVSLAB: the binary (default $OVSLAB, else build/ovslab).  SOAK_LOG=FILE
# keeps every command's output (otherwise it goes with the sandbox); a failed
# run prints its last lines anyway.  --quick is the CI size; --strict-switch makes a lab that does not work again after its switch
# was killed and `up` re-run a failure (otherwise it is only counted).
# Exit 0 only when every run passed and nothing was left.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$top/bench/lib.sh"

SCRATCH=/run/ovslab-soak
OUT_SERVER=198.51.100.2 # the "outside" namespace, as tests/lib/sandbox.h
OUT_UPLINK=198.51.100.1
HOSTS=20                # hosts of the cycled and killed lab
KINDS="netns ifaces taps procs rules files fwd"

# ---------------------------------------------------------------- outside

if [ "${1:-}" != --sandbox ]; then
	quick=0 strict=0 bin=${OVSLAB:-$top/build/ovslab}
	cycles= upk= downk= par= swk=
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) quick=1 ;;
		--strict-switch) strict=1 ;;
		--cycles) cycles=$2; shift ;;
		--up-kills) upk=$2; shift ;;
		--down-kills) downk=$2; shift ;;
		--parallel) par=$2; shift ;;
		--switch-kills) swk=$2; shift ;;
		-*) echo "usage: contrib/soak.sh [--quick] [--strict-switch] [--cycles N] [--up-kills K]" \
			"[--down-kills K] [--parallel P] [--switch-kills S] [OVSLAB]" >&2; exit 2 ;;
		*) bin=$1 ;;
		esac
		shift
	done
	if [ $quick = 1 ]; then
		: "${cycles:=5}" "${upk:=5}" "${downk:=5}" "${par:=4}" "${swk:=2}"
		rounds=2
	else
		: "${cycles:=100}" "${upk:=50}" "${downk:=50}" "${par:=8}" "${swk:=10}"
		rounds=5
	fi
	for v in "$cycles" "$upk" "$downk" "$par" "$swk"; do
		[[ $v =~ ^[0-9]+$ ]] || { echo "soak: counts are whole numbers, not \"$v\"" >&2; exit 2; }
	done
	[ "$par" -le 55 ] || { echo "soak: at most 55 parallel labs (one 10.x/16 each)" >&2; exit 2; }
	[ "$(id -u)" = 0 ] || { echo "soak: run as root" >&2; exit 2; }
	bin=$(realpath "$bin" 2>/dev/null)
	[ -x "$bin" ] || { echo "soak: ${bin:-OVSLAB}: not an executable" >&2; exit 2; }
	# The mount points themselves have to exist on the machine.
	mkdir -p /run/netns /run/ovslab /run/openvswitch $SCRATCH || exit 1
	# A hard stop whatever hangs: PID 1 of the sandbox dies, and with it
	# every process and namespace it made.
	limit=$((600 + 60 * (cycles + upk + downk + swk + rounds * par)))
	echo "soak: $bin: $cycles cycles, $upk kills in up, $downk kills in down," \
		"$rounds x $par parallel labs, $swk switch kills (load $(cut -d' ' -f1-3 /proc/loadavg))"
	timeout -s KILL $limit unshare -n -m -p --fork --mount-proc --propagation private \
		"$0" --sandbox "$bin" "$cycles" "$upk" "$downk" "$par" "$rounds" "$swk" "$strict"
	rc=$?
	[ $rc = 137 ] && echo "soak: stopped after $limit s"
	exit $rc
fi

# ---------------------------------------------------------------- inside

OVSLAB=$2 CYCLES=$3 UPK=$4 DOWNK=$5 PAR=$6 ROUNDS=$7 SWK=$8 STRICT=$9
sandbox_mounts $SCRATCH || { echo "soak: cannot set up the sandbox" >&2; exit 1; }
ip netns add outside &&
	ip link add up0 type veth peer name eth0 netns outside &&
	ip addr add $OUT_UPLINK/24 dev up0 && ip link set up0 up &&
	ip -n outside addr add $OUT_SERVER/24 dev eth0 &&
	ip -n outside link set eth0 up && ip -n outside link set lo up &&
	ip route add default via $OUT_SERVER || { echo "soak: cannot make the outside" >&2; exit 1; }
FWD0=$(cat /proc/sys/net/ipv4/ip_forward)
LOG=${SOAK_LOG:-$SCRATCH/log}
: >"$LOG" || exit 1
lab_yaml soak $HOSTS true 200 h >$SCRATCH/soak.yaml
lab_yaml sk 4 false 199 s >$SCRATCH/sk.yaml

total_pass=0 total_fail=0 unrepaired=0 rows=()

ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# ovl ARGS: ovslab with a deadline, its output appended to the log.
ovl() {
	echo "+ ovslab $*" >>$LOG
	timeout -s KILL 300 "$OVSLAB" "$@" >>$LOG 2>&1
}

# pings LAB HOST ADDR: one echo answered within 5 s, from HOST of LAB.
pings() {
	echo "+ ping from $2 to $3" >>$LOG
	timeout -s KILL 30 "$OVSLAB" exec "$1" "$2" -- ping -c 1 -w 5 -q "$3" >>$LOG 2>&1
}

# state LAB: the lab's state as `ovslab ls` says it, empty when it has no record.
state() {
	timeout -s KILL 60 "$OVSLAB" ls 2>>$LOG | awk -v l="$1" '$1 == l { print $NF }'
}

# ifaces, taps: the names of the sandbox's interfaces other than lo, its
# uplink and tap devices; of its tap devices.
taps() {
	ip -o link show type tun | awk -F': ' '{ print $2 }'
}
ifaces() {
	ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
		grep -vxE "lo|up0|$(taps | paste -sd'|')"
}

# residue: what is left, one number per kind of $KINDS.
residue() {
	local n=0 p c
	for p in /proc/[0-9]*; do
		c=$(cat $p/comm 2>/dev/null)
		[ "$c" = ovs-vswitchd ] || [ "$c" = ovsdb-server ] && n=$((n + 1))
	done
	echo "$(ls -A /run/netns | grep -cvx outside)" \
		"$(ifaces | wc -l)" "$(taps | wc -l)" \
		"$n" \
		"$(iptables-legacy-save 2>/dev/null | grep -c ovslab)" \
		"$(find /run/ovslab -mindepth 1 | wc -l)" \
		"$([ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$FWD0" ] && echo 0 || echo 1)"
}

# scrub: back to an empty sandbox after a run that left something, so the
# runs after it are not failed by it.  Counting is done before.
scrub() {
	local p c ns l
	for p in /proc/[0-9]*; do
		c=$(cat $p/comm 2>/dev/null)
		[ "$c" = ovs-vswitchd ] || [ "$c" = ovsdb-server ] && kill -9 ${p#/proc/} 2>/dev/null
	done
	for ns in $(ls -A /run/netns | grep -vx outside); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9
		ip netns del "$ns"
	done
	for l in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -vxE 'lo|up0'); do
		ip link del "$l" 2>/dev/null
	done
	for t in nat filter; do
		iptables-legacy -t $t -F && iptables-legacy -t $t -X
	done 2>/dev/null
	rm -rf /run/ovslab/* /run/ovslab/.[!.]* /run/ovslab/..?*
	echo "$FWD0" >/proc/sys/net/ipv4/ip_forward
	sleep 1 # the dead switch's threads let go of their devices
}

# scenario NAME: starts counting for the summary row NAME.
scenario() {
	SC=$1 sc_runs=0 sc_fail=0 sc_note=""
	for k in $KINDS; do eval "left_$k=0"; done
	echo "soak: $SC" >&2
	echo "=== $SC" >>$LOG
}

# run_begin / fail MSG / run_end: one run of the scenario; it fails on any
# fail call or when a kind has more left after it than before.
run_begin() {
	run_ok=1 lenient=0
	before=($(residue))
}
fail() {
	run_ok=0
	echo "soak: $SC run $((sc_runs + 1)): $*" >&2
	tail -n 4 $LOG | sed 's/^/    /' >&2
}
run_end() {
	local after i=0 k extra=""
	after=($(residue))
	for k in $KINDS; do
		if [ "${after[i]}" -gt "${before[i]}" ]; then
			eval "left_$k=\$((left_$k + ${after[i]} - ${before[i]}))"
			extra="$extra $k=$((after[i] - before[i]))"
		fi
		i=$((i + 1))
	done
	if [ -n "$extra" ]; then
		run_ok=0
		echo "soak: $SC run $((sc_runs + 1)): left:$extra: $({ ls -A /run/netns | grep -vx outside; ifaces; taps
			iptables-legacy-save 2>/dev/null | grep ovslab; find /run/ovslab -mindepth 1; } |
			head -n 8 | paste -sd' ')" >&2
		scrub
	fi
	sc_runs=$((sc_runs + 1))
	if [ $run_ok = 0 ] && [ $lenient = 1 ]; then
		unrepaired=$((unrepaired + 1))
	elif [ $run_ok = 1 ]; then
		total_pass=$((total_pass + 1))
	else
		sc_fail=$((sc_fail + 1)) total_fail=$((total_fail + 1))
	fi
}
scenario_end() {
	local row k
	row=$(printf '%-14s %5s %6s' "$SC" $sc_runs $sc_fail)
	for k in $KINDS; do row="$row $(printf '%6s' $((left_$k)))"; done
	rows+=("$row  $sc_note")
}

# 1. up / ping the outside through NAT / down.  Times up and down for the
# kill scenarios.
scenario cycles
up_ms=0 down_ms=0
for ((c = 1; c <= CYCLES; c++)); do
	run_begin
	t0=$(ms)
	ovl up $SCRATCH/soak.yaml || fail "up failed"
	t1=$(ms)
	pings soak h1 $OUT_SERVER || fail "h1 does not reach the outside ($OUT_SERVER)"
	t2=$(ms)
	ovl down soak || fail "down failed"
	t3=$(ms)
	up_ms=$((up_ms + t1 - t0)) down_ms=$((down_ms + t3 - t2))
	run_end
done
if [ $CYCLES -gt 0 ]; then
	up_ms=$((up_ms / CYCLES)) down_ms=$((down_ms / CYCLES))
else
	t0=$(ms); ovl up $SCRATCH/soak.yaml; t1=$(ms); ovl down soak; t2=$(ms)
	up_ms=$((t1 - t0)) down_ms=$((t2 - t1))
fi
sc_note="up ${up_ms} ms, down ${down_ms} ms on average"
scenario_end

# kill_at PID MAX_MS: kill -9 PID after a random time in [0, MAX_MS); its
# exit status.
kill_at() {
	local d=$(((RANDOM * 32768 + RANDOM) % ($2 > 0 ? $2 : 1)))
	sleep "$((d / 1000)).$(printf %03d $((d % 1000)))"
	kill -9 "$1" 2>/dev/null
	{ wait "$1"; } 2>/dev/null # no "Killed" line
}

# 2. kill -9 at a random point of up, then gc; a lab that was complete
# before the kill is taken down.
# gc_soak: gc after a killed run on lab soak.  gc rightly leaves a lab that
# is up (the kill came after up ended, or before down began): it is taken
# down; a lab gc leaves in any other state fails the run.
gc_soak() {
	local st
	ovl gc || fail "gc failed"
	st=$(state soak)
	case $st in
	"") ;;
	up) ovl down soak || fail "down of the lab gc left up failed" ;;
	*) fail "gc left lab soak $st" ;;
	esac
}
scenario up-kill
killed=0
for ((c = 1; c <= UPK; c++)); do
	run_begin
	echo "+ ovslab up (to be killed)" >>$LOG
	"$OVSLAB" up $SCRATCH/soak.yaml >>$LOG 2>&1 &
	kill_at $! $up_ms
	[ $? = 137 ] && killed=$((killed + 1))
	gc_soak
	run_end
done
sc_note="$killed killed midway, $((UPK - killed)) finished first"
scenario_end

# 3. kill -9 at a random point of down, then gc (odd runs) or down again
# (even runs).
scenario down-kill
killed=0
for ((c = 1; c <= DOWNK; c++)); do
	run_begin
	ovl up $SCRATCH/soak.yaml || fail "up failed"
	echo "+ ovslab down (to be killed)" >>$LOG
	"$OVSLAB" down soak >>$LOG 2>&1 &
	kill_at $! $down_ms
	[ $? = 137 ] && killed=$((killed + 1))
	if [ $((c % 2)) = 1 ]; then
		gc_soak
	elif [ -n "$(state soak)" ]; then
		ovl down soak || fail "down again failed"
	fi
	run_end
done
sc_note="$killed killed midway, $((DOWNK - killed)) finished first; odd runs gc, even runs down again"
scenario_end

# 4. PAR labs of 5 NAT hosts up at once, each host 1 pings its gateway and
# the outside, then all down at once.
scenario parallel
# at_once up|down: ovslab up (of each file) or down (of each lab) for all the
# labs at once.
at_once() {
	local j pids=()
	for ((j = 1; j <= PAR; j++)); do
		if [ $1 = up ]; then ovl up $SCRATCH/p$j.yaml & else ovl down p$j & fi
		pids+=($!)
	done
	for ((j = 1; j <= PAR; j++)); do
		wait ${pids[j - 1]} || fail "$1 of lab p$j failed"
	done
}
for ((j = 1; j <= PAR; j++)); do
	lab_yaml p$j 5 true $((200 + j)) p${j}h >$SCRATCH/p$j.yaml
done
for ((r = 1; r <= ROUNDS; r++)); do
	run_begin
	at_once up
	for ((j = 1; j <= PAR; j++)); do
		pings p$j p${j}h1 10.$((200 + j)).255.254 || fail "p${j}h1 does not reach its gateway"
		pings p$j p${j}h1 $OUT_SERVER || fail "p${j}h1 does not reach the outside"
	done
	at_once down
	run_end
done
sc_note="$ROUNDS rounds of $PAR labs"
scenario_end

# 5. kill -9 of the private ovs-vswitchd, `up` of the same file again, then
# down.  Whether the hosts reach each other again is counted; it fails the
# run only with --strict-switch.
scenario switch-kill
repaired=0
for ((c = 1; c <= SWK; c++)); do
	run_begin
	ovl up $SCRATCH/sk.yaml || fail "up failed"
	pings sk s1 10.199.0.2 || fail "s1 does not reach s2 before the kill"
	vp=$(cat /run/ovslab/.switch/ovs-vswitchd.pid 2>/dev/null)
	if [ -n "$vp" ] && kill -9 "$vp"; then
		while kill -0 "$vp" 2>/dev/null; do sleep 0.05; done
		echo "+ killed ovs-vswitchd $vp" >>$LOG
		ok=1
		ovl up $SCRATCH/sk.yaml || ok=0
		pings sk s1 10.199.0.2 || ok=0
		pings sk s1 10.199.255.254 || ok=0
		if [ $ok = 1 ]; then
			repaired=$((repaired + 1))
		else
			fail "the lab does not work after its switch was killed and up re-run"
			lenient=$((1 - STRICT))
		fi
	else
		fail "no private ovs-vswitchd to kill"
	fi
	ovl down sk || fail "down failed"
	run_end
done
sc_note="hosts ping after the second up in $repaired of $SWK"
[ "$STRICT" = 1 ] || [ $unrepaired = 0 ] ||
	sc_note="$sc_note; $unrepaired not repaired, not failed (--strict-switch fails them)"
scenario_end

# ---------------------------------------------------------------- summary

end=($(residue))
printf '\n%-14s %5s %6s' scenario runs failed
for k in $KINDS; do printf ' %6s' $k; done
printf '  notes\n'
printf '%s\n' "${rows[@]}"
printf '%-14s %5s %6s' "left at end" "" ""
for v in "${end[@]}"; do printf ' %6s' $v; done
printf '\n(load %s; %s)\n' "$(cut -d' ' -f1-3 /proc/loadavg)" \
	"$([ -n "${SOAK_LOG:-}" ] && echo "log: $SOAK_LOG" || echo "SOAK_LOG=FILE keeps the log")"
[ $unrepaired = 0 ] ||
	echo "soak: $unrepaired switch-kill runs not repaired, counted apart (--strict-switch fails them)"
echo "soak: $total_pass passed, $total_fail failed"
left=0
for v in "${end[@]}"; do left=$((left + v)); done
[ $total_fail = 0 ] && [ $left = 0 ]
