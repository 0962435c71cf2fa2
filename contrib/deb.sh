#!/bin/sh
# Builds the Debian package ovslab_VERSION_ARCH.deb from a built tree:
# `meson install --destdir` of the build directory into a staging root (moved
# to /usr when the build was set up with another prefix), the dependencies
# from dpkg-shlibdeps plus the daemons ovslab starts, then dpkg-deb.
#   contrib/deb.sh [--no-build] [BUILD_DIR [OUT_DIR]]   (defaults: build, .)
# --no-build packs the build as it is (meson test: already built, and a
# rebuild would relink the binary under the tests running beside it).
# On Debian 12, `apt install ./ovslab_*.deb` then pulls in what it needs.
set -eu
build_first=1
if [ "${1:-}" = --no-build ]; then
	build_first=0
	shift
fi
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
out=$(mkdir -p "${2:-.}" && cd "${2:-.}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/root

project=$(meson introspect --projectinfo "$build" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
version=$("$top/contrib/version.sh" "$project" "$top")
prefix=$(meson introspect --buildoptions "$build" |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
arch=$(dpkg --print-architecture)

[ $build_first -eq 0 ] || ninja -C "$build" >/dev/null
meson install -C "$build" --destdir "$stage" --no-rebuild --quiet >/dev/null
# A package installs under /usr whatever prefix the build had (/usr/local
# by default): move the tree and the unit's path to the binary.
if [ "$prefix" != /usr ]; then
	mkdir -p "$stage/usr"
	cp -a "$stage$prefix/." "$stage/usr/"
	rm -rf "${stage:?}$prefix"
	rmdir -p --ignore-fail-on-non-empty "$(dirname "$stage$prefix")" 2>/dev/null || true
	sed -i "s|$prefix/bin/ovslab|/usr/bin/ovslab|g" "$stage"/usr/lib/systemd/system/ovslab@.service
fi
"$stage/usr/bin/ovslab" --version | grep -qx "ovslab $version" || {
	echo "deb.sh: the build says $("$stage/usr/bin/ovslab" --version), the package would be $version: rebuild" >&2
	exit 1
}
strip --strip-unneeded "$stage/usr/bin/ovslab"
gzip -9n "$stage"/usr/share/man/man*/*
mkdir -p "$stage/usr/share/doc/ovslab"
gzip -9nc "$top/README.md" >"$stage/usr/share/doc/ovslab/README.md.gz"

# The libraries the binary links, as Debian names them; ovslab also starts
# ovsdb-server and ovs-vswitchd (openvswitch-switch) and its NAT rules need
# iptables' kernel side and tools to look at them.
shlibs=""
if command -v dpkg-shlibdeps >/dev/null; then
	mkdir -p "$work/src/debian"
	printf 'Source: ovslab\n\nPackage: ovslab\nArchitecture: any\n' >"$work/src/debian/control"
	shlibs=$(cd "$work/src" && dpkg-shlibdeps -O -e"$stage/usr/bin/ovslab" 2>/dev/null |
		sed -n 's/^shlibs:Depends=//p')
fi
[ -n "$shlibs" ] || shlibs="libc6, libmnl0, libyaml-0-2, libip4tc2, libnftnl11, libssl3, libcap-ng0, libunbound8"
depends="$shlibs, openvswitch-switch, iptables"

mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: ovslab
Version: $version
Architecture: $arch
Maintainer: ovslab developers <ovslab@localhost>
Section: net
Priority: optional
Depends: $depends
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Homepage: https://github.com/ovslab/ovslab
Description: Open vSwitch network labs from a YAML file
 ovslab builds network labs on one Linux machine from a lab file: Open
 vSwitch bridges, hosts as network namespaces, cables, addresses, routes,
 NAT, OpenFlow flows, link properties and machines joined by tunnels, and
 removes exactly what it made.
CONTROL
deb=$out/ovslab_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
