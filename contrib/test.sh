#!/bin/sh
# Runs ovslab's tests: sets the machine up if needed (contrib/setup.sh), then
# the Criterion suites through meson, then again under valgrind (the unit
# suites, and the ovslab binary as the end-to-end tests drive it), then the
# quick soak and the fuzzers.  Network tests run in namespaces of their own
# and leave the machine as it was.
# Run as root, or as a user with sudo (it goes through sudo itself).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$top/contrib/$(basename "$0")" "$@"
	fi
	echo "test.sh: run as root (su -c '$0 $*')" >&2
	exit 1
fi
contrib/setup.sh

status=0
passed=0
failed=0
# Adds up Criterion's own synthesis lines from one meson run's log.
tally() {
	set -- $(awk '/Synthesis: Tested:/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "Passing:") p += $(i + 1)
			if ($i == "Failing:") f += $(i + 1)
		}
	} END { print p + 0, f + 0 }' "build/meson-logs/$1.txt")
	passed=$((passed + $1))
	failed=$((failed + $2))
}

meson test -C build --print-errorlogs --num-processes 2 --logbase all || status=1
tally all

vg="valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
echo "test.sh: unit suites under valgrind"
meson test -C build --print-errorlogs --suite unit --wrapper "$vg" --logbase vg-unit || status=1
tally vg-unit-valgrind  # meson names a wrapped run after its wrapper
echo "test.sh: end-to-end tests (lab, edit, features, flows, settings, checks) with ovslab under valgrind"
OVSLAB_BIN="$vg $top/build/ovslab" meson test -C build --print-errorlogs --logbase vg-lab lab edit features flows settings checks || status=1
tally vg-lab

# The lifecycle soaked: up/down cycles, kill -9 in up and in down, labs side
# by side, a killed switch, each counted for what it leaves (contrib/soak.sh,
# in a sandbox of its own; docs/reliability.md has the long run's figures).
echo "test.sh: soak (contrib/soak.sh --quick)"
contrib/soak.sh --quick || status=1

# The lab-file reader under libFuzzer for a short while (contrib/fuzz.sh
# SECONDS runs it longer; docs/reliability.md has the long runs' figures).
echo "test.sh: fuzzing the lab-file reader for ${OVSLAB_FUZZ_SECONDS:-60} s"
contrib/fuzz.sh "${OVSLAB_FUZZ_SECONDS:-60}" || status=1

echo "criterion: $passed passed, $failed failed"
exit $status
