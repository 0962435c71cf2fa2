#!/bin/sh
# Builds libopenvswitch.a and the generated IDL headers from Debian's
# openvswitch-source tarball, once per build directory.  Called by meson
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
printf '/* Open vSwitch %s built from %s */\n' \
	"$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' config.h)" "$tarball" >"$out/ovs-built.h"
