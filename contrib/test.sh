#!/bin/sh
# Runs ovslab's tests: sets the machine up if needed (contrib/setup.sh), then
# the Criterion suites through meson.  Network tests run in namespaces of
# their own and leave the machine as it was.  Run as root.
#   contrib/test.sh [meson test arguments...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
contrib/setup.sh

status=0
meson test -C build --print-errorlogs --num-processes 2 "$@" || status=$?

# One closing line over every suite, from Criterion's own synthesis lines.
log=build/meson-logs/testlog.txt
awk '/Synthesis: Tested:/ {
	for (i = 1; i <= NF; i++) {
		if ($i == "Passing:") p += $(i + 1)
		if ($i == "Failing:") f += $(i + 1)
	}
} END { printf "criterion: %d passed, %d failed\n", p, f }' "$log"
exit $status
