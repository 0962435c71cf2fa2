#!/bin/sh
# Fuzzes the lab-file reader and the flow readers: builds the libFuzzer targets of tests/fuzz with
# clang, AddressSanitizer and UBSan in build-fuzz/, then runs each for SECONDS
# (default 60) from a corpus seeded with fixtures/.  Exit 1 on a finding (the
# crashing input is left in build-fuzz/ as crash-*, leak-*, oom-* or timeout-*).
#   contrib/fuzz.sh [SECONDS]
set -eu
secs=${1:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-fuzz >/dev/null
# seed BYTE PATTERN: the fixtures' lines matching PATTERN, as list items.
seed() {
	grep -h -- "$2" fixtures/*.yaml | sed 's/^ *- *//; s/^"//; s/"$//' |
		while IFS= read -r line; do
			printf "\\$1%s" "$line" >"$corpus/$1-$(printf %s "$line" | cksum | cut -d' ' -f1)"
		done
}
for t in labfile flows; do
	corpus=build-fuzz/corpus-$t
	mkdir -p "$corpus"
	if [ "$t" = flows ]; then
		# One seed per flow, group and meter line of the fixtures, behind
		# the byte that tells the target which parser it is for.
		seed 000 'actions='
		seed 001 'group_id='
		seed 002 '- meter='
	else
		cp fixtures/*.yaml "$corpus"/
	fi
	echo "fuzz.sh: fuzz_$t for $secs s"
	# -rss_limit_mb: an input that makes the reader grow past 1 GiB is a finding.
	(cd build-fuzz && UBSAN_OPTIONS=halt_on_error=1 tests/fuzz/fuzz_$t -max_total_time="$secs" \
		-rss_limit_mb=1024 -timeout=10 -max_len=65536 -print_final_stats=1 "corpus-$t" \
		>"fuzz_$t.log" 2>&1) || { tail -n 40 "build-fuzz/fuzz_$t.log"; exit 1; }
	grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/fuzz_$t.log"
done
