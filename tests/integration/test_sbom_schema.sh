#!/bin/bash
# `yumda sbom` on a real layer: the SPDX 2.3 document checked against the SPDX
# 2.3 specification's rules (tests/check_spdx23.py: the published SPDX 2.3
# schema is in no registry we reach), the CycloneDX 1.5 document validated
# against the published CycloneDX 1.5 JSON schema (fetched from npm into a
# cache by tests/fetch_sbom_schemas.sh; skipped when that cannot be done),
# plus what neither checks: every package with its purl, checksum and
# dependencies; and broken documents must be rejected by both.
# lib.sh points XDG_CACHE_HOME into the scratch dir: the schema cache is the
# user's, so it is picked before that.
export YUMDA_SCHEMA_CACHE="${YUMDA_SCHEMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/yumda-fixtures/schemas}"
. "$(dirname "$0")/lib.sh"
VALIDATE="$YUMDA_SOURCE_DIR/tests/validate_json_schema.py"
SPDX_CHECK="$YUMDA_SOURCE_DIR/tests/check_spdx23.py"

# The interpreter that has jsonschema: Debian's python3-jsonschema lives in
# /usr/bin/python3, which a python3 earlier on PATH may not see.
PY=""
for c in /usr/bin/python3 python3; do
  if command -v "$c" >/dev/null && "$c" -c 'import jsonschema' 2>/dev/null; then PY=$c; break; fi
done
[ -n "$PY" ] || fail "no python3 with the jsonschema module: install python3-jsonschema (scripts/install-deps)"

# The published CycloneDX schemas (and with them the SPDX license list).
set +e
SCHEMAS=$(bash "$YUMDA_SOURCE_DIR/tests/fetch_sbom_schemas.sh" 2>"$T/fetch.err")
fetch_rc=$?
set -e
case $fetch_rc in
  0) LICENSE_IDS=(--license-ids "$SCHEMAS/spdx.schema.json") ;;
  2) SCHEMAS=""; LICENSE_IDS=() ;;  # unavailable: the CycloneDX part is skipped below
  *) fail "fetching the CycloneDX schemas: $(cat "$T/fetch.err")" ;;
esac

# A layer directory whose name needs encoding in the SPDX namespace URI.
R="$T/demo layer"
run_capture inst y --repofrompath demo,file://"$DEMO_REPO" install -y --root "$R" greet
[ "$(rc_of inst)" = 0 ] || { cat "$T/inst.err"; fail "install greet exited $(rc_of inst)"; }

run_capture spdx y sbom --format spdx --root "$R" -o "$T/spdx.json"
[ "$(rc_of spdx)" = 0 ] || { cat "$T/spdx.err"; fail "sbom --format spdx exited $(rc_of spdx)"; }
run_capture cdx y sbom --format cyclonedx --root "$R" -o "$T/cdx.json"
[ "$(rc_of cdx)" = 0 ] || { cat "$T/cdx.err"; fail "sbom --format cyclonedx exited $(rc_of cdx)"; }

"$PY" "$SPDX_CHECK" "${LICENSE_IDS[@]}" "$T/spdx.json" || fail "SPDX output breaks the SPDX 2.3 rules"
pass "SPDX 2.3 output follows the specification's rules"

# What the issue asks of each package, which both formats leave optional.
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

# The checks can fail: documents that break the rules are rejected.
"$PY" - "$T/spdx.json" "$T/spdx-bad.json" <<'PY'
import json, sys
spdx = json.load(open(sys.argv[1]))
p = spdx["packages"][0]
p["SPDXID"] = "SPDXRef-greet_1.0"                       # '_' is not in an SPDXID
p["checksums"] = [{"algorithm": "SHA-256", "checksumValue": "ab" * 32},  # not SPDX's name
                  {"algorithm": "SHA1", "checksumValue": "AB" * 20}]     # upper-case hex
p["licenseDeclared"] = "GPLv2+ and MIT"                  # an RPM License tag, not an expression
p["licenseConcluded"] = "MIT WITH"                       # WITH without an exception
p["externalRefs"][0]["referenceCategory"] = "SECURITY"   # a purl is PACKAGE-MANAGER
p["externalRefs"].append({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                          "referenceLocator": "rpm/greet"})
p["licenceComments"] = "typo"                            # not an SPDX field
spdx["packages"][1]["SPDXID"] = spdx["packages"][2]["SPDXID"]  # duplicate id
spdx["creationInfo"]["created"] = "2023-11-14 22:13:20"  # not YYYY-MM-DDThh:mm:ssZ
spdx["creationInfo"]["creators"].append("yumda")         # no Tool:/Person:/Organization:
spdx["documentNamespace"] = "https://example.invalid/spdx#1"
spdx["dataLicense"] = "CC-BY-4.0"
spdx["relationships"].append({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "USES",
                              "relatedSpdxElement": "SPDXRef-nowhere"})
json.dump(spdx, open(sys.argv[2], "w"))
PY
run_capture spdxbad "$PY" "$SPDX_CHECK" "${LICENSE_IDS[@]}" "$T/spdx-bad.json"
[ "$(rc_of spdxbad)" = 1 ] || fail "a broken SPDX document passed the check (exit $(rc_of spdxbad))"
for want in 'SPDXRef-greet_1.0' "'SHA-256'" "'ABAB" "'and'" 'WITH needs' 'category PACKAGE-MANAGER' \
    "'rpm/greet' is not a package URL" 'licenceComments' 'is used twice' 'created' "'yumda'" \
    'documentNamespace' 'dataLicense' "'USES'" "'SPDXRef-nowhere'"; do
  grep -qF -- "$want" "$T/spdxbad.err" || fail "the SPDX check did not report $want: $(cat "$T/spdxbad.err")"
done
pass "SPDX documents that break the rules are rejected ($(grep -c '' "$T/spdxbad.err") lines)"
if [ ${#LICENSE_IDS[@]} -gt 0 ]; then
  sed 's/"licenseDeclared": *"NOASSERTION"/"licenseDeclared": "GPLv2+"/' "$T/spdx.json" >"$T/spdx-lic.json"
  run_capture spdxlic "$PY" "$SPDX_CHECK" "${LICENSE_IDS[@]}" "$T/spdx-lic.json"
  [ "$(rc_of spdxlic)" = 1 ] && grep -q "'GPLv2' is not on the SPDX license list" "$T/spdxlic.err" ||
    fail "an id off the SPDX license list passed: $(cat "$T/spdxlic.err")"
  pass "license ids off the SPDX license list are rejected"
fi

if [ -z "$SCHEMAS" ]; then
  skip "CycloneDX 1.5 schema validation: $(cat "$T/fetch.err") (the SPDX checks above passed)"
fi
"$PY" "$VALIDATE" "$SCHEMAS/bom-1.5.schema.json" "$T/cdx.json" ||
  fail "CycloneDX output violates the CycloneDX 1.5 schema"
pass "CycloneDX 1.5 output is valid against the published schema"
"$PY" - "$T/cdx.json" "$T/cdx-bad.json" <<'PY'
import json, sys
cdx = json.load(open(sys.argv[1]))
cdx["serialNumber"] = "urn:uuid:NOT-A-UUID"
cdx["components"][0]["licenses"] = [{"license": {"id": "GPLv2+"}}]  # not an SPDX license id
cdx["components"][0]["externalReferences"] = [{"type": "website", "url": "http://x y"}]
json.dump(cdx, open(sys.argv[2], "w"))
PY
run_capture cdxbad "$PY" "$VALIDATE" "$SCHEMAS/bom-1.5.schema.json" "$T/cdx-bad.json"
[ "$(rc_of cdxbad)" = 1 ] || fail "a broken CycloneDX document passed validation (exit $(rc_of cdxbad))"
for want in 'serialNumber' 'GPLv2+' 'http://x y'; do
  grep -q "$want" "$T/cdxbad.err" || fail "CycloneDX validation did not report $want: $(cat "$T/cdxbad.err")"
done
pass "CycloneDX documents that break the schema are rejected"
