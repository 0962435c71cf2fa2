# Shared by bench/run, bench/tutorial.sh, bench/batch.sh and contrib/soak.sh:
# the lab's numbering, the private switch the hand-written baselines start,
# the sandbox's mounts.  Sourced, never run.

GW=10.200.255.254
GW_PREFIX=16

# Host i gets 10.200.(i/256).(i%256): unique in the /16 for i up to 65279,
# never the network address (i >= 1) nor the gateway.  A second argument
# replaces the 200, for labs side by side.
host_addr() {
	echo "10.${2:-200}.$(($1 / 256)).$(($1 % 256))"
}

# lab_yaml NAME N NAT NET PREFIX: lab NAME of N hosts PREFIX1..PREFIXN on one
# bridge NAME_br (gateway 10.NET.255.254/16, nat NAT), numbered by host_addr.
lab_yaml() {
	local i
	printf 'name: %s\nbridges:\n  %s_br:\n    gateway: 10.%s.255.254/%s\n    nat: %s\nhosts:\n' \
		"$1" "$1" "$4" "$GW_PREFIX" "$3"
	for ((i = 1; i <= $2; i++)); do
		printf '  %s%d:\n    bridge: %s_br\n    address: %s/%s\n' "$5" $i "$1" \
			"$(host_addr $i "$4")" "$GW_PREFIX"
	done
}

# Inside `unshare -n -m -p --fork --mount-proc --propagation private`: fresh
# tmpfs on ovslab's run directories and on each directory given, /sys of this
# network namespace, lo up.
sandbox_mounts() {
	local d
	for d in /run/netns /run/ovslab /run/openvswitch "$@"; do
		mkdir -p "$d" && mount -t tmpfs sandbox "$d" || return 1
	done
	mount -t sysfs sysfs /sys && ip link set lo up
}

# Everything OVS would otherwise write under /etc, /var/lib, /var/log goes to
# the sandbox's tmpfs, as tests/test_lab.c's machine_switch_start does.
switch_env() {
	export OVS_RUNDIR=/run/openvswitch OVS_DBDIR=/run/openvswitch
	export OVS_LOGDIR=/run/openvswitch OVS_SYSCONFDIR=/run/openvswitch
}

switch_start() {
	switch_env
	ovsdb-tool create /run/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema &&
	ovsdb-server /run/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock \
		--pidfile --detach --no-chdir --log-file &&
	ovs-vsctl --no-wait init &&
	ovs-vswitchd --disable-system --pidfile --detach --no-chdir --log-file
}

# ovs-appctl exit answers before the daemon is gone: wait for the pidfiles'
# processes to disappear (at most 60 s).
switch_stop() {
	local pids="" p i
	switch_env
	for p in ovs-vswitchd ovsdb-server; do
		[ -r /run/openvswitch/$p.pid ] && pids="$pids $(cat /run/openvswitch/$p.pid)"
	done
	ovs-appctl -t ovs-vswitchd exit --cleanup
	ovs-appctl -t ovsdb-server exit
	for ((i = 0; i < 3000; i++)); do
		for p in $pids; do
			kill -0 "$p" 2>/dev/null && break
			pids=${pids/$p/}
		done
		[ -z "${pids// /}" ] && return 0
		sleep 0.02
	done
	echo "switch_stop: still running after 60 s:$pids" >&2
	return 1
}

# Waits (at most 10 s) for the machine to be quiet before a measured run: the
# kernel frees a sandbox's namespaces after it is gone, and that work should
# not land in the next run's times. Quiet: two 0.25 s windows in a row with
# the CPUs at least 90% idle (steal time counts as busy).
settle() {
	local i k tot idle quiet=0 a b
	read -ra a </proc/stat
	for ((i = 0; i < 40 && quiet < 2; i++)); do
		sleep 0.25
		read -ra b </proc/stat
		tot=0
		for k in 1 2 3 4 5 6 7 8; do tot=$((tot + b[k] - a[k])); done
		idle=$((b[4] - a[4] + b[5] - a[5]))
		if [ $tot -gt 0 ] && [ $((idle * 100 / tot)) -ge 90 ]; then
			quiet=$((quiet + 1))
		else
			quiet=0
		fi
		a=("${b[@]}")
	done
}

# The machines lab (bench/machines, bench/machines.sh): host k (1-based) of
# M x H sits on machine m = (k-1)/H + 1, named h<k> on machine m<m>, address
# 10.100.(k/256).(k%256)/16; machine m's underlay address is ovslab's default
# for the m-th machine declared.
mh_host_addr() { host_addr "$1" 100; }
mh_underlay() { echo "10.200.0.$1"; }
