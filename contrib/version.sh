#!/bin/sh
# ovslab's version as `ovslab --version` and the Debian package give it:
# meson's project version, plus +gitCOUNT.HASH in a git checkout (COUNT
# makes later commits sort later for dpkg).
#   contrib/version.sh PROJECT_VERSION [SOURCE_DIR]
set -eu
dir=${2:-$(dirname "$0")/..}
if count=$(git -C "$dir" rev-list --count HEAD 2>/dev/null) &&
	hash=$(git -C "$dir" rev-parse --short=8 HEAD 2>/dev/null); then
	echo "$1+git$count.$hash"
else
	echo "$1"
fi
