#!/bin/sh
# Checks every #include "folder/..." in src/ against the layer map, the
# "| folder | owns | may include |" table in src/README.md: the table is parsed
# rather than copied here so that the doc and the check cannot drift apart.
#   layers.sh SRCDIR
# "may include" names folders and single headers in backticks (`util`,
# `switch/flows.h`), or says "everything"; a file may include its own folder.
set -eu
src=${1:?usage: layers.sh SRCDIR}
cd "$src"

folders=$(for d in */; do printf '%s ' "${d%/}"; done)
# One "./FOLDER/FILE:LINE:#include "X"" line per include that names a path.
includes=$(grep -rnH --include='*.[ch]' -E \
	'^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/[^"]*"' . | sort || true)

printf '%s\n' "$includes" | awk -v folders="$folders" '
function strip(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
BEGIN {
	nf = split(folders, f, " ")
	for (i = 1; i <= nf; i++) is_folder[f[i]] = 1
	bad = 0
}
# The map: rows after the table header, up to the first line not in the table.
FNR == NR {
	if (!intable) {
		if ($0 ~ /^\|[ \t]*folder[ \t]*\|[ \t]*owns[ \t]*\|[ \t]*may include[ \t]*\|/)
			intable = 1
		next
	}
	if ($0 !~ /^\|/) { intable = 0; next }
	split($0, col, "|")
	layer = strip(col[2])
	if (layer ~ /^[-: ]*$/) next   # the |---|---| line
	gsub(/`/, "", layer); sub(/\/$/, "", layer)
	mapped[layer] = 1
	rows++
	may = col[4]
	if (may ~ /everything/) all[layer] = 1
	while (match(may, /`[^`]+`/)) {
		name = substr(may, RSTART + 1, RLENGTH - 2)
		may = substr(may, RSTART + RLENGTH)
		sub(/\/$/, "", name)
		allowed[layer, name] = 1
		if (name ~ /\//) { split(name, p, "/"); headers_of[layer, p[1]] = 1 }
	}
	next
}
$0 == "" { next }
{
	# ./FOLDER/FILE:LINE:#include "X"
	file = $0; sub(/:[0-9]+:.*/, "", file); sub(/^\.\//, "", file)
	inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
	path = inc
	while (path ~ /^\.\.\//) path = substr(path, 4)
	split(file, p, "/"); a = (file ~ /\//) ? p[1] : ""
	split(path, p, "/"); b = p[1]
	if (!(b in is_folder)) next   # not ours: an Open vSwitch or system header
	checked++
	if (a == b) next
	if (a == "") { printf "src/%s: not in a layer folder\n", file; bad++; next }
	if (!(a in mapped)) next   # the folder itself is reported at the end
	if ((a in all) || ((a, b) in allowed) || ((a, path) in allowed)) next
	printf "src/%s: includes \"%s\" (layer %s may not include %s)\n", file, inc, a,
		((a, b) in headers_of) ? path : b
	bad++
}
END {
	if (rows == 0) {
		print "layers.sh: no \"| folder | owns | may include |\" table in src/README.md"
		exit 1
	}
	for (i = 1; i <= nf; i++)
		if (!(f[i] in mapped)) { printf "src/%s/: not in the layer map (src/README.md)\n", f[i]; bad++ }
	for (l in mapped)
		if (!(l in is_folder)) { printf "src/README.md: the layer map names \"%s\", which src/ does not have\n", l; bad++ }
	if (bad) { printf "layers.sh: %d include(s) or folder(s) against the layer map\n", bad; exit 1 }
	printf "layers.sh: %d includes across %d layers follow the layer map\n", checked, rows
}' README.md -
