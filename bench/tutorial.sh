#!/bin/bash
# The int_br topology the way the tutorials build it: one command per step,
# a private userspace switch, hosts h1..hN on bridge int_br.
#   bench/tutorial.sh up N     build it (starts the switch)
#   bench/tutorial.sh down N   remove it (stops the switch)
# Run as root inside a sandbox (bench/run does that): it uses /run/netns and
# /run/openvswitch as they are.
set -u
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 up|down N" >&2; exit 2; }
[ $# -eq 2 ] || usage
n=$2
[[ $n =~ ^[0-9]+$ ]] || usage

up() {
	local i
	switch_start || return 1
	ovs-vsctl add-br int_br -- set Bridge int_br datapath_type=netdev || return 1
	ip addr add $GW/$GW_PREFIX dev int_br || return 1
	ip link set int_br up || return 1
	for ((i = 1; i <= n; i++)); do
		ip netns add h$i &&
		ip link add h${i}_p type veth peer name eth0 netns h$i &&
		ip link set h${i}_p up &&
		ip -n h$i link set lo up &&
		ip -n h$i addr add "$(host_addr $i)/$GW_PREFIX" dev eth0 &&
		ip -n h$i link set eth0 up &&
		ip -n h$i route add default via $GW &&
		# the userspace datapath needs TX checksums done by the sender
		ip netns exec h$i ethtool -K eth0 tx off >/dev/null &&
		ovs-vsctl add-port int_br h${i}_p || return 1
	done
}

down() {
	local i rc=0
	switch_env
	for ((i = 1; i <= n; i++)); do
		ip netns del h$i || rc=1
	done
	ovs-vsctl del-br int_br || rc=1
	switch_stop || rc=1
	return $rc
}

case $1 in
up) up ;;
down) down ;;
*) usage ;;
esac
