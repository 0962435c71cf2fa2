#!/bin/sh
# `ovslab graph` on the fixtures, as a user runs it: the JSON parses and
# lists every host and bridge, the SVG is well-formed XML naming every host.
#   graph.sh OVSLAB FIXTURES_DIR
set -eu
ovslab=${1:?usage: graph.sh OVSLAB FIXTURES_DIR}
fixtures=${2:?usage: graph.sh OVSLAB FIXTURES_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in int_br multihost-geneve links patch vlan multi machine features multihost-chain; do
	"$ovslab" graph "$fixtures/$f.yaml" --format json -o "$tmp/$f.json"
	"$ovslab" graph "$fixtures/$f.yaml" --format svg -o "$tmp/$f.svg"
	python3 - "$fixtures/$f.yaml" "$tmp/$f.json" "$tmp/$f.svg" <<'PY'
import json, sys, yaml, xml.etree.ElementTree as ET
lab = yaml.safe_load(open(sys.argv[1]))
g = json.load(open(sys.argv[2]))
hosts = {n["name"] for n in g["nodes"] if n["kind"] == "host"}
bridges = {n["name"] for n in g["nodes"] if n["kind"] == "bridge"}
assert hosts == set(lab.get("hosts", {})), (hosts, set(lab.get("hosts", {})))
assert bridges == set(lab.get("bridges", {})), bridges
assert set(g["machines"]) == set(lab.get("machines", {})), g["machines"]
ends = {(e["from"], e["from_interface"]) for e in g["edges"]} | {(e["to"], e["to_interface"]) for e in g["edges"]}
for n in g["nodes"]:
    for i in n.get("interfaces", []):
        assert i["ifname"] and i["state"] in ("declared", "down"), i
        assert (n["id"], i["ifname"]) in ends, "no edge at %s:%s" % (n["name"], i["ifname"])
texts = {t.text for t in ET.parse(sys.argv[3]).iter() if t.text}
missing = hosts - texts
assert not missing, "SVG lacks hosts %s" % missing
PY
	echo "ok $f"
done
# A format it does not know is a usage error.
if "$ovslab" graph "$fixtures/int_br.yaml" --format png 2>"$tmp/err"; then
	echo "--format png accepted"; exit 1
fi
grep -q "not a graph format" "$tmp/err"
