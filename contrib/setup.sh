#!/bin/sh
# Sets a Debian 12 machine up for ovslab: the packages it builds and runs
# with, then the build (build/ovslab).  Given a lab file, also brings that lab
# up and shows it.  Run as root from anywhere in the repository.
#   contrib/setup.sh [LABFILE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: run as root (sudo $0 $*)" >&2
	exit 1
fi

pkgs="build-essential meson ninja-build pkg-config python3
	libmnl-dev libip4tc-dev iptables libyaml-dev libcriterion-dev
	openvswitch-source openvswitch-switch libssl-dev libcap-ng-dev libunbound-dev
	iproute2 ethtool iputils-ping valgrind clang libclang-rt-14-dev
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
