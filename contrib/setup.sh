#!/bin/sh
# Sets a Debian 12 machine up for ovslab: the packages it builds and runs
# with, then the build (build/ovslab).  Given a lab file, also brings that lab
# up and shows it.  Run from anywhere in the repository, as root or as a user
# with sudo.
#   contrib/setup.sh [LABFILE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# The same command pasted as root (a fresh Debian 12 has no sudo) or as a
# user with sudo: the latter goes through sudo once, here.
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$top/contrib/$(basename "$0")" "$@"
	fi
	echo "setup.sh: run as root (su -c '$0 $*')" >&2
	exit 1
fi

pkgs="build-essential meson ninja-build pkg-config python3
	libmnl-dev libip4tc-dev libnftnl-dev iptables nftables libyaml-dev libcriterion-dev
	openvswitch-source openvswitch-switch libssl-dev libcap-ng-dev libunbound-dev
	libpcap-dev tcpdump
	iproute2 ethtool iputils-ping valgrind clang libclang-rt-14-dev
	scdoc man-db groff-base
	libgraphviz-dev python3-yaml"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup.sh: installing$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -f build/build.ninja ]; then
	meson setup build -Dwerror=true >/dev/null
fi
# The first build also builds Open vSwitch's library from the source
# package (about a minute on 2 cores); later builds reuse it.
ninja -C build >/dev/null
echo "setup.sh: built $top/build/ovslab"

if [ $# -gt 0 ]; then
	build/ovslab up "$1"
	build/ovslab show "$1"
fi
