#!/bin/bash
# The bash completion (contrib/bash-completion/ovslab) driven as bash drives
# it: COMP_WORDS/COMP_CWORD set, _ovslab called, COMPREPLY compared.
#   completion.sh SOURCE_ROOT OVSLAB_BINARY
set -u
top=$(cd "$1" && pwd) bin=$(realpath "$2")
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# bash's own `complete` builtin is there without the bash-completion package.
# shellcheck source=/dev/null
. "$top/contrib/bash-completion/ovslab" || exit 1
complete -p ovslab >/dev/null || { echo "FAIL: ovslab has no completion"; exit 1; }

# Lab records: two labs, and ovslab's own dot-files that are not labs.
export OVSLAB_COMPLETION_RUN_DIR=$tmp/run
mkdir -p "$tmp/run/lab1" "$tmp/run/lab2" "$tmp/run/.switch"
touch "$tmp/run/.lab1.lock" "$tmp/run/lablike"
# The binary reads a lab's names from its saved file: here lab1 is the
# multihost-vxlan fixture (hosts b1 b2 r1 r2, machines hv1 hv2).
ovslab()
{
	local a=("$@")
	[[ ${a[1]-} == lab1 ]] && a[1]=$top/fixtures/multihost-vxlan.yaml
	"$bin" "${a[@]}"
}
mkdir -p "$tmp/files/sub"
touch "$tmp/files/a.yaml" "$tmp/files/b.yml" "$tmp/files/c.txt"

# expect "WORDS..." "OFFERED..." : the last word is the one being completed.
expect()
{
	local line=$1 want=$2 got
	read -ra COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_ovslab ovslab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	want=$(printf '%s\n' $want | sort | tr '\n' ' ')
	if [[ $got == "$want" ]]; then
		echo "ok: '$line' -> $got"
	else
		echo "FAIL: '$line' offered '$got', expected '$want'"
		fail=1
	fi
}

cd "$tmp/files" || exit 1
expect "ovslab " "$("$bin" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u) --help --version"
expect "ovslab do" "doctor down"
expect "ovslab s" "show"
expect "ovslab --v" "--version"
expect "ovslab check lab1 --j" "--json --junit"
expect "ovslab up a.yaml --" "--check --firewall= --machine --timings"
expect "ovslab show l" "lab1 lab2"
expect "ovslab exec " "lab1 lab2"
expect "ovslab up " "a.yaml b.yml sub -"
expect "ovslab show lab1 -" "--json"
expect "ovslab flows lab1 -" "-O --machine"
expect "ovslab down " "lab1 lab2 a.yaml b.yml sub"
expect "ovslab exec lab1 " "b1 b2 r1 r2 hv1 hv2"
expect "ovslab exec lab1 h" "hv1 hv2"
expect "ovslab link lab1 r" "r1 r2"
expect "ovslab link lab1 r1 " "set down up"
expect "ovslab flows lab1 " "blue red"
expect "ovslab flows $top/fixtures/int_br.yaml " "int_br"
expect "ovslab flows lab1 --machine " "hv1 hv2"
expect "ovslab ovs lab1 -- " "vsctl ofctl appctl"
expect "ovslab exec lab1 r1 -- s" ""
expect "ovslab show nolab x" ""
exit $fail
