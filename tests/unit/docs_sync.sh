#!/bin/sh
# The man pages, README.md and docs/labfile.md against the source as it is:
# every command main.c dispatches or lists in its usage is in ovslab(1)'s
# source and in README.md; every --option src/cmd/*.c parses is in
# ovslab(1); every top-level, bridge, host and interface key of the
# lab-file reader's key tables is in ovslab.yaml(5)'s source and in
# docs/labfile.md.  Read from the source each time, so a new command or key
# fails here until it is documented.
#   docs_sync.sh SOURCE_ROOT
set -u
top=$1
man1=$top/docs/man/ovslab.1.scd
man5=$top/docs/man/ovslab.yaml.5.scd
fail=0

missing() { echo "FAIL: $1"; fail=1; }
nonempty() { [ -n "$2" ] || missing "found no $1 in the source (has its form changed? fix this test)"; }

# Commands: `strcmp(cmd, "NAME")`, entries of a command table `{ "NAME",`,
# and the first word of each usage line.
commands=$( {
	grep -o 'strcmp(cmd, "[a-z][a-z-]*")' "$top/src/cmd/main.c" | sed 's/.*"\(.*\)")/\1/'
	grep -o '^[[:space:]]*{ *"[a-z][a-z-]*",' "$top/src/cmd/main.c" | sed 's/[^"]*"\([^"]*\)".*/\1/'
	sed -n 's/^[[:space:]]*"  \([a-z][a-z-]*\) .*/\1/p' "$top/src/cmd/main.c"
} | sort -u)
nonempty commands "$commands"
for c in $commands; do
	grep -q "^\*$c\*" "$man1" || missing "command $c is not described in docs/man/ovslab.1.scd"
	grep -q "ovslab $c\b" "$top/README.md" || missing "command $c is not in README.md (as \`ovslab $c\`)"
done

options=$(grep -oh '"--[a-z][a-z-]*' "$top"/src/cmd/*.c | tr -d '"' | sort -u)
nonempty options "$options"
for o in $options; do
	grep -q -e "\*$o\*" "$man1" || missing "option $o is not in docs/man/ovslab.1.scd"
done

# The key tables: `static const struct setting top_settings[] = { { "KEY", fn }, ... };`
keys=$(awk '/static const struct setting (top|bridge|host|iface)_settings\[\] = \{/ { on = 1; next }
	    on && /^};/ { on = 0 }
	    on { while (match($0, /\{ *"[a-z_0-9]+"/)) {
		    k = substr($0, RSTART, RLENGTH); sub(/\{ *"/, "", k); sub(/"$/, "", k)
		    print k; $0 = substr($0, RSTART + RLENGTH) } }' "$top"/src/labfile/*.c | sort -u)
nonempty "lab-file keys" "$keys"
for k in $keys; do
	grep -q -e "\*$k\*" "$man5" || missing "lab-file key $k is not in docs/man/ovslab.yaml.5.scd"
	grep -q -e "\`$k\`" "$top/docs/labfile.md" || missing "lab-file key $k is not in docs/labfile.md"
done

n() { echo "$1" | wc -w; }
echo "docs_sync: $(n "$commands") commands, $(n "$options") options, $(n "$keys") lab-file keys checked"
exit $fail
