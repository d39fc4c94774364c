#!/bin/bash
# `yumda sbom` on a real layer, checked against the published SPDX 2.3 and
# CycloneDX 1.5 JSON schemas (tests/schemas/, offline), plus the content the
# schemas cannot see: every package with its purl, checksum and dependencies.
. "$(dirname "$0")/lib.sh"
SCHEMAS="$YUMDA_SOURCE_DIR/tests/schemas"
VALIDATE="$YUMDA_SOURCE_DIR/tests/validate_json_schema.py"

# The interpreter that has jsonschema: Debian's python3-jsonschema lives in
# /usr/bin/python3, which a python3 earlier on PATH may not see.
PY=""
for c in /usr/bin/python3 python3; do
  if command -v "$c" >/dev/null && "$c" -c 'import jsonschema' 2>/dev/null; then PY=$c; break; fi
done
[ -n "$PY" ] || fail "no python3 with the jsonschema module: install python3-jsonschema (scripts/install-deps)"

# A layer directory whose name needs encoding in the SPDX namespace URI.
R="$T/demo layer"
run_capture inst y --repofrompath demo,file://"$DEMO_REPO" install -y --root "$R" greet
[ "$(rc_of inst)" = 0 ] || { cat "$T/inst.err"; fail "install greet exited $(rc_of inst)"; }

run_capture spdx y sbom --format spdx --root "$R" -o "$T/spdx.json"
[ "$(rc_of spdx)" = 0 ] || { cat "$T/spdx.err"; fail "sbom --format spdx exited $(rc_of spdx)"; }
run_capture cdx y sbom --format cyclonedx --root "$R" -o "$T/cdx.json"
[ "$(rc_of cdx)" = 0 ] || { cat "$T/cdx.err"; fail "sbom --format cyclonedx exited $(rc_of cdx)"; }

"$PY" "$VALIDATE" "$SCHEMAS/spdx/spdx-schema.json" "$T/spdx.json" || fail "SPDX output violates the SPDX 2.3 schema"
pass "SPDX 2.3 output is valid"
"$PY" "$VALIDATE" "$SCHEMAS/cyclonedx/bom-1.5.schema.json" "$T/cdx.json" ||
  fail "CycloneDX output violates the CycloneDX 1.5 schema"
pass "CycloneDX 1.5 output is valid"

# What the issue asks of each package, which the schemas leave optional.
"$PY" - "$T/spdx.json" "$T/cdx.json" <<'PY' || fail "SBOM content is incomplete (see above)"
import json, re, sys
spdx, cdx = (json.load(open(f)) for f in sys.argv[1:3])
want = {"greet", "greet-data", "libgreet"}
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)

pk = {p["name"]: p for p in spdx["packages"]}
check(set(pk) == want, f"SPDX packages {sorted(pk)} != {sorted(want)}")
for name, p in pk.items():
    purl = [r["referenceLocator"] for r in p.get("externalRefs", []) if r["referenceType"] == "purl"]
    check(purl and re.match(rf"^pkg:rpm/demo/{re.escape(name)}@[^?]+-[^?]+\?arch=", purl[0]), f"SPDX {name}: purl {purl}")
    check([c["algorithm"] for c in p.get("checksums", [])] == ["SHA256"], f"SPDX {name}: checksums {p.get('checksums')}")
    check(p.get("versionInfo"), f"SPDX {name}: no versionInfo")
    check("RPM License tag: MIT" in p.get("licenseComments", ""), f"SPDX {name}: license {p.get('licenseComments')}")
ids = {p["SPDXID"]: n for n, p in pk.items()}
check(len(ids) == len(pk), "SPDX: SPDXIDs are not unique")
deps = {(ids.get(r["spdxElementId"]), ids.get(r["relatedSpdxElement"]))
        for r in spdx["relationships"] if r["relationshipType"] == "DEPENDS_ON"}
check({("greet", "libgreet"), ("greet", "greet-data")} <= deps, f"SPDX DEPENDS_ON {sorted(deps)}")
described = {ids.get(r["relatedSpdxElement"]) for r in spdx["relationships"] if r["relationshipType"] == "DESCRIBES"}
check(described == want, f"SPDX DESCRIBES {sorted(map(str, described))}")
check(" " not in spdx["documentNamespace"] and "#" not in spdx["documentNamespace"],
      f"SPDX documentNamespace {spdx['documentNamespace']!r} is not a URI")

comps = {c["name"]: c for c in cdx["components"]}
check(set(comps) == want, f"CycloneDX components {sorted(comps)} != {sorted(want)}")
for name, c in comps.items():
    check(c.get("purl") == pk.get(name, {}).get("externalRefs", [{}])[0].get("referenceLocator"),
          f"CycloneDX {name}: purl {c.get('purl')} differs from SPDX")
    check([h["alg"] for h in c.get("hashes", [])] == ["SHA-256"], f"CycloneDX {name}: hashes {c.get('hashes')}")
    check(c.get("licenses") == [{"license": {"name": "MIT"}}], f"CycloneDX {name}: licenses {c.get('licenses')}")
on = {d["ref"]: set(d.get("dependsOn", [])) for d in cdx["dependencies"]}
greet = comps.get("greet", {}).get("bom-ref")
check(on.get(greet) == {comps["libgreet"]["bom-ref"], comps["greet-data"]["bom-ref"]}, f"CycloneDX greet dependsOn {on.get(greet)}")
for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
pass "every package has purl, checksum, license text and its dependencies"

# The validation can fail: documents that break the schemas are rejected.
"$PY" - "$T/spdx.json" "$T/spdx-bad.json" "$T/cdx.json" "$T/cdx-bad.json" <<'PY'
import json, sys
spdx = json.load(open(sys.argv[1]))
spdx["packages"][0]["SPDXID"] = "SPDXRef-greet_1.0"          # '_' is outside the SPDXID pattern
spdx["packages"][0]["checksums"][0]["algorithm"] = "SHA-256"  # not in SPDX's enum
spdx["creationInfo"]["created"] = "2023-11-14 22:13:20"       # not YYYY-MM-DDThh:mm:ssZ
json.dump(spdx, open(sys.argv[2], "w"))
cdx = json.load(open(sys.argv[3]))
cdx["serialNumber"] = "urn:uuid:NOT-A-UUID"
cdx["components"][0]["licenses"] = [{"license": {"id": "GPLv2+"}}]  # not an SPDX license id
cdx["components"][0]["externalReferences"] = [{"type": "website", "url": "http://x y"}]
json.dump(cdx, open(sys.argv[4], "w"))
PY
run_capture spdxbad "$PY" "$VALIDATE" "$SCHEMAS/spdx/spdx-schema.json" "$T/spdx-bad.json"
[ "$(rc_of spdxbad)" = 1 ] || fail "a broken SPDX document passed validation (exit $(rc_of spdxbad))"
for want in 'SPDXID' 'SHA-256' 'created'; do
  grep -q "$want" "$T/spdxbad.err" || fail "SPDX validation did not report $want: $(cat "$T/spdxbad.err")"
done
run_capture cdxbad "$PY" "$VALIDATE" "$SCHEMAS/cyclonedx/bom-1.5.schema.json" "$T/cdx-bad.json"
[ "$(rc_of cdxbad)" = 1 ] || fail "a broken CycloneDX document passed validation (exit $(rc_of cdxbad))"
for want in 'serialNumber' 'GPLv2+' 'http://x y'; do
  grep -q "$want" "$T/cdxbad.err" || fail "CycloneDX validation did not report $want: $(cat "$T/cdxbad.err")"
done
pass "documents that break the schemas are rejected"
