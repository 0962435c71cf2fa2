#!/bin/sh
# Fails the build when the installed ovs-vswitchd is not the Open vSwitch
# version whose sources libopenvswitch and the IDL were built from: the IDL
# must match the schema and protocol of the daemons ovslab starts.  Called by
# meson (ovs/meson.build) when either side changes; writes a stamp header.
#   check-version.sh OVS_BUILT_H OVS_VSWITCHD STAMP
set -eu
built=$(sed -n 's/^#define OVSLAB_OVS_VERSION "\(.*\)"/\1/p' "$1")
# "ovs-vswitchd (Open vSwitch) 3.1.0"
installed=$(LC_ALL=C "$2" --version 2>/dev/null | sed -n '1s/^.*) *//p')
if [ -z "$built" ] || [ "$built" != "$installed" ]; then
	echo "ovslab: Open vSwitch sources are version ${built:-unknown} but $2 is ${installed:-unknown}: install openvswitch-source and openvswitch-switch of one version" >&2
	exit 1
fi
printf '/* %s is Open vSwitch %s, as built */\n' "$2" "$installed" >"$3"
