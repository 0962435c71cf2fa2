#!/bin/sh
# The Debian package as contrib/deb.sh builds it from the build directory:
# its files (binary, man pages, completion, systemd unit), its Depends, the
# binary unpacked from it giving the package's version, the man pages
# rendering without warnings, and (as root) apt finding every dependency.
#   package.sh SOURCE_ROOT BUILD_DIR
set -u
top=$1 build=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
no() { echo "FAIL: $1"; fail=1; }

deb=$("$top/contrib/deb.sh" --no-build "$build" "$tmp") || { echo "FAIL: contrib/deb.sh"; exit 1; }
[ -f "$deb" ] || { echo "FAIL: no package at '$deb'"; exit 1; }
echo "built $deb"

dpkg-deb -c "$deb" | awk '{ print $6 }' >"$tmp/files"
for f in ./usr/bin/ovslab ./usr/share/man/man1/ovslab.1.gz ./usr/share/man/man5/ovslab.yaml.5.gz \
	./usr/share/bash-completion/completions/ovslab ./usr/lib/systemd/system/ovslab@.service \
	./usr/share/doc/ovslab/examples/int_br.yaml; do
	grep -qx "$f" "$tmp/files" || no "the package lacks $f"
done

version=$(dpkg-deb -f "$deb" Version)
depends=$(dpkg-deb -f "$deb" Depends)
for d in openvswitch-switch iptables libmnl0 libyaml-0-2 libip4tc2 libc6; do
	echo "$depends" | grep -q "\(^\|, \)$d\( \|,\|$\)" || no "Depends lacks $d: $depends"
done

dpkg-deb -x "$deb" "$tmp/root"
got=$("$tmp/root/usr/bin/ovslab" --version)
[ "$got" = "ovslab $version" ] || no "--version says '$got', the package is $version"
want=$("$top/contrib/version.sh" "$(meson introspect --projectinfo "$build" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')" "$top")
[ "$version" = "$want" ] || no "the package is $version, the source $want"

grep -q '^ExecStart=/usr/bin/ovslab up ' "$tmp/root/usr/lib/systemd/system/ovslab@.service" ||
	no "the unit does not start /usr/bin/ovslab"
bash -c ". '$tmp/root/usr/share/bash-completion/completions/ovslab' && complete -p ovslab" >/dev/null ||
	no "the completion does not load"

for page in man1/ovslab.1.gz man5/ovslab.yaml.5.gz; do
	zcat "$tmp/root/usr/share/man/$page" >"$tmp/page"
	warn=$(groff -man -Tutf8 -ww -z "$tmp/page" 2>&1)
	[ -z "$warn" ] || no "$page: groff: $warn"
	text=$(MANWIDTH=80 man -l "$tmp/page" 2>/dev/null)
	echo "$text" | grep -q '^NAME' || no "$page does not render (no NAME section)"
done
MANWIDTH=80 man -l "$tmp/root/usr/share/man/man1/ovslab.1.gz" | grep -q '^ *check LAB|FILE' ||
	no "ovslab(1) does not describe check"

# apt resolves every dependency from the machine's archives (as root only:
# apt-get -s still reads the package list it needs root to have updated).
if [ "$(id -u)" -eq 0 ]; then
	(cd "$tmp" && apt-get -s install "./$(basename "$deb")") >"$tmp/apt" 2>&1 ||
		{ cat "$tmp/apt"; no "apt-get -s install cannot install the package"; }
	grep -q '^Inst ovslab ' "$tmp/apt" || { cat "$tmp/apt"; no "apt would not install ovslab"; }
fi
[ $fail -eq 0 ] && echo "package: ovslab $version: files, Depends, --version, man pages, unit, completion all right"
exit $fail
