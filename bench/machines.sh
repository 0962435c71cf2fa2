#!/bin/bash
# The machines lab (issue 14) the best way a script can build it by hand:
# M machines x H hosts, one bridge int_br on every machine joined by Geneve
# over an underlay Linux bridge. Each machine is a namespace with its own
# ovsdb-server + ovs-vswitchd (--disable-system, its own OVS_RUNDIR); all
# machines' switches start at once; `ip -batch` for namespaces, veths and
# addresses; one `ip -n HOST -batch` and one ethtool per host (as batch.sh);
# one ovs-vsctl transaction per machine (br-phy holding the underlay cable,
# int_br with the hosts' ports and a protected tunnel to every other
# machine), the machines' transactions run side by side.
#   bench/machines.sh up M H     build it
#   bench/machines.sh down M H   remove it
# Names and numbers are bench/machines's (lib.sh's mh_* helpers). Run as root
# inside a sandbox (bench/machines does that).
set -u
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 up|down M H" >&2; exit 2; }
[ $# -eq 3 ] || usage
M=$2 H=$3
[[ $M =~ ^[0-9]+$ && $H =~ ^[0-9]+$ ]] || usage
UL=mb-ul
MTU=1600

rundir() { echo "/run/openvswitch/m$1"; }

# One machine's switch, started in its namespace with its own run directory.
machine_switch() {
	local d
	d=$(rundir "$1")
	mkdir -p "$d" &&
	OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d OVS_SYSCONFDIR=$d \
		ip netns exec "m$1" sh -c '
		ovsdb-tool create "$OVS_DBDIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema &&
		ovsdb-server "$OVS_DBDIR/conf.db" --remote="punix:$OVS_RUNDIR/db.sock" \
			--pidfile --detach --no-chdir --log-file &&
		ovs-vsctl --no-wait init &&
		ovs-vswitchd --disable-system --pidfile --detach --no-chdir --log-file'
}

# One machine's rows, in one transaction (which waits for its switch), then
# its underlay address on br-phy's internal port.
machine_rows() {
	local m=$1 d k p args=()
	d=$(rundir "$m")
	args=(-- add-br br-phy -- set Bridge br-phy datapath_type=netdev
		-- add-port br-phy ul0
		-- add-br int_br -- set Bridge int_br datapath_type=netdev)
	for ((k = (m - 1) * H + 1; k <= m * H; k++)); do
		args+=(-- add-port int_br "h${k}_p")
	done
	for ((p = 1; p <= M; p++)); do
		[ "$p" = "$m" ] && continue
		args+=(-- add-port int_br "int_br-m$p" -- set Port "int_br-m$p" protected=true
			-- set Interface "int_br-m$p" type=geneve
			"options:remote_ip=$(mh_underlay "$p")" options:key=100)
	done
	OVS_RUNDIR=$d ovs-vsctl --db="unix:$d/db.sock" "${args[@]}" &&
	ip -n "m$m" -batch - <<-EOF
		link set br-phy up
		addr add $(mh_underlay "$m")/24 dev br-phy
	EOF
}

up() {
	local m k pids=() rc=0
	{
		echo "netns add $UL"
		for ((m = 1; m <= M; m++)); do
			echo "netns add m$m"
		done
		for ((k = 1; k <= M * H; k++)); do
			echo "netns add h$k"
		done
	} | ip -batch - || return 1
	{
		echo "link set lo up"
		echo "link add ulbr mtu $MTU type bridge"
		echo "link set ulbr up"
		for ((m = 1; m <= M; m++)); do
			echo "link add m$m mtu $MTU master ulbr type veth peer name ul0 mtu $MTU netns m$m"
			echo "link set m$m up"
		done
	} | ip -n $UL -batch - || return 1
	for ((m = 1; m <= M; m++)); do
		ip netns exec "m$m" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
		machine_switch "$m" &
		pids+=($!)
		{
			echo "link set lo up"
			echo "link set ul0 up"
			for ((k = (m - 1) * H + 1; k <= m * H; k++)); do
				echo "link add h${k}_p type veth peer name eth0 netns h$k"
				echo "link set h${k}_p up"
			done
		} | ip -n "m$m" -batch - || return 1
	done
	for ((k = 1; k <= M * H; k++)); do
		nsenter --net=/run/netns/h$k ethtool -K eth0 tx off >/dev/null &&
		{
			echo "link set lo up"
			echo "link set dev eth0 addrgenmode none"
			echo "addr add $(mh_host_addr "$k")/16 dev eth0"
			echo "link set eth0 up"
		} | ip -n h$k -batch - || return 1
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	[ $rc = 0 ] || return 1
	pids=()
	for ((m = 1; m <= M; m++)); do
		machine_rows "$m" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	return $rc
}

# The switches killed (their namespaces go, and all their devices with
# them), then every namespace deleted.
down() {
	local m d p i pids=() rc=0
	for ((m = 1; m <= M; m++)); do
		d=$(rundir "$m")
		for p in ovs-vswitchd ovsdb-server; do
			[ -r "$d/$p.pid" ] && pids+=("$(cat "$d/$p.pid")")
		done
	done
	[ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null
	for ((i = 0; i < 3000; i++)); do
		for p in "${pids[@]}"; do
			kill -0 "$p" 2>/dev/null && break
		done
		kill -0 "$p" 2>/dev/null || break
		sleep 0.01
	done
	{
		for ((k = 1; k <= M * H; k++)); do
			echo "netns del h$k"
		done
		for ((m = 1; m <= M; m++)); do
			echo "netns del m$m"
		done
		echo "netns del $UL"
	} | ip -batch - || rc=1
	return $rc
}

case $1 in
up) up ;;
down) down ;;
*) usage ;;
esac
