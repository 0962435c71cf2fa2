#!/bin/sh
# Builds libopenvswitch.a, its link flags and the generated IDL headers from
# Debian's openvswitch-source tarball, once per build directory.  Called by meson
# (ovs/meson.build); the OVS tree lives only in the build directory.
#   build.sh TARBALL OUTDIR
set -eu
tarball=$1
out=$2
tree="$out/openvswitch"
jobs=$(nproc 2>/dev/null || echo 2)

rm -rf "$tree"
mkdir -p "$out"
# make leaves temporary files behind; keep them in the build directory.
export TMPDIR="$out"
tar -xzf "$tarball" -C "$out"
cd "$tree"
# Only the library is wanted: no shared objects, no Python extension.
./configure --enable-static --disable-shared --enable-silent-rules \
	>"$out/configure.log" 2>&1 || { tail -n 30 "$out/configure.log" >&2; exit 1; }
# The generated sources must exist before the library's objects are compiled;
# `make lib/libopenvswitch.la` alone does not make them.
printf 'ovslab-print-built-sources:\n\t@echo $(BUILT_SOURCES)\n' >"$out/print.mk"
built=$(make -s -f Makefile -f "$out/print.mk" ovslab-print-built-sources)
make -s -j"$jobs" $built >"$out/make.log" 2>&1 &&
	make -s -j"$jobs" lib/libopenvswitch.la >>"$out/make.log" 2>&1 ||
	{ tail -n 30 "$out/make.log" >&2; exit 1; }
cp lib/.libs/libopenvswitch.a "$out/libopenvswitch.a"
# What the library links with, as its configure found it: the .pc's
# Libs.private (and any Requires.private), for meson's link through
# @libopenvswitch.rsp.  Its Libs name the library itself, which meson links.
pc=lib/libopenvswitch.pc
own=$(pkg-config --libs "$pc")
for w in $(pkg-config --static --libs "$pc"); do
	case " $own " in *" $w "*) ;; *) printf '%s\n' "$w" ;; esac
done >"$out/libopenvswitch.rsp"
# The version is read by check-version.sh.
{
	printf '/* Open vSwitch built from %s */\n' "$tarball"
	sed -n 's/^#define PACKAGE_VERSION \(".*"\)/#define OVSLAB_OVS_VERSION \1/p' config.h
} >"$out/ovs-built.h"
