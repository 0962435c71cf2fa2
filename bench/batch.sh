#!/bin/bash
# The int_br topology the best way a script can build it by hand: `ip -batch`
# for everything in the machine's namespace (veth peers made directly inside
# the hosts' namespaces), one `ip -n HOST -batch` and one ethtool (through
# nsenter) per host for what must happen inside it, one ovs-vsctl transaction
# for all ports.
#   bench/batch.sh up N     build it (starts the switch)
#   bench/batch.sh down N   remove it (stops the switch)
# BENCH_BATCH_IPV6=1 leaves IPv6 link-local addresses on (as the tutorials
# do); by default they are off (addrgenmode none), as ovslab turns IPv6 off:
# with them, every host's DAD/RS/MLD floods through the bridge to every port.
# Run as root inside a sandbox (bench/run does that).
set -u
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 up|down N" >&2; exit 2; }
[ $# -eq 2 ] || usage
n=$2
[[ $n =~ ^[0-9]+$ ]] || usage
noipv6=1
[ "${BENCH_BATCH_IPV6:-0}" = 1 ] && noipv6=0

up() {
	local i addrgen="" ports=()
	[ $noipv6 = 1 ] && addrgen=1
	switch_start || return 1
	ovs-vsctl add-br int_br -- set Bridge int_br datapath_type=netdev || return 1
	# the peer is made inside its namespace: moving an existing interface
	# into one costs about 16 ms (`link set X netns NS`)
	{
		echo "addr add $GW/$GW_PREFIX dev int_br"
		echo "link set int_br up"
		for ((i = 1; i <= n; i++)); do
			echo "netns add h$i"
			echo "link add h${i}_p type veth peer name eth0 netns h$i"
			[ -n "$addrgen" ] && echo "link set dev h${i}_p addrgenmode none"
			echo "link set h${i}_p up"
		done
	} | ip -batch - || return 1
	for ((i = 1; i <= n; i++)); do
		# the userspace datapath needs TX checksums done by the sender;
		# nsenter, unlike `ip netns exec`, does not remount /sys
		nsenter --net=/run/netns/h$i ethtool -K eth0 tx off >/dev/null &&
		{
			echo "link set lo up"
			[ -n "$addrgen" ] && echo "link set dev eth0 addrgenmode none"
			echo "addr add $(host_addr $i)/$GW_PREFIX dev eth0"
			echo "link set eth0 up"
			echo "route add default via $GW"
		} | ip -n h$i -batch - || return 1
	done
	for ((i = 1; i <= n; i++)); do
		ports+=(-- add-port int_br h${i}_p)
	done
	ovs-vsctl "${ports[@]}"
}

down() {
	local i rc=0
	# the switch first: once the namespaces go, ovs-vswitchd reconfigures
	# for each port whose veth vanished, and at 1000 ports its exit then
	# took more than 10 s instead of well under one
	switch_stop || rc=1
	for ((i = 1; i <= n; i++)); do
		echo "netns del h$i"
	done | ip -batch - || rc=1
	return $rc
}

case $1 in
up) up ;;
down) down ;;
*) usage ;;
esac
