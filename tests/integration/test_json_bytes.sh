#!/bin/bash
# The bytes of what users and files depend on, pinned: installed.json,
# yumda.lock and the --json of the verbs that print package records
# (docs/json.md), from a fixed run over the demo repo, against
# tests/golden/json-bytes/. What varies from machine to machine is replaced
# first: the scratch dir, the demo repo's path, times and dates, and the RPMs' checksums and file sizes (they
# depend on rpmbuild's compressor). YUMDA_GOLDEN_WRITE=1 writes the golden
# files instead (only when a format is meant to change).
. "$(dirname "$0")/lib.sh"
GOLD="$YUMDA_SOURCE_DIR/tests/golden/json-bytes"
D=(--repofrompath demo,file://"$DEMO_REPO")
R="$T/layer"
OUT="$T/bytes"
mkdir -p "$OUT"
# NAME CMD...: keeps CMD's stdout as $OUT/NAME (its exit code is in the golden too).
keep() {
  local name=$1; shift
  run_capture "$name" "$@"
  { cat "$T/$name.out"; echo "exit $(rc_of "$name")"; } >"$OUT/$name"
}
demo_toml "$T/yumda.toml"

keep install-assumeno y "${D[@]}" install --assumeno --json --root "$T/other" greet
keep install y "${D[@]}" install -y --json --root "$R" --lockfile "$T/install.lock" greet
cp "$R/.yumda/installed.json" "$OUT/installed.json"
cp "$T/install.lock" "$OUT/install.lock"
keep info-installed y "${D[@]}" info --json --root "$R" greet
keep info-available y "${D[@]}" info --json --root "$T/other" greet-data
keep list-installed y --json list --installed --root "$R"
keep list-available y "${D[@]}" --json list --available
keep search y "${D[@]}" search --json greet
keep provides y "${D[@]}" provides --json /opt/bin/greet
keep repoquery-installed y repoquery --installed --json --root "$R"
keep mark y mark remove --json --root "$R" greet
keep remove y remove -y --json --root "$R" libgreet
keep history y history --json --root "$R"
keep history-info y history info --json --root "$R" 1
cp "$R/.yumda/installed.json" "$OUT/installed-after-remove.json"
keep lock "$YUMDA" lock --json -f "$T/yumda.toml"
cp "$T/yumda.lock" "$OUT/yumda.lock"

# The machine's own values, replaced (each a whole JSON value).
sed -i -E -e "s|$T|T|g" -e "s|$DEMO_REPO|DEMO|g" \
  -e 's/("date": )"[^"]*"/\1"X"/g' -e 's/("(time|checksum|sha256|download_size|size)": )("[0-9a-f]{64}"|[0-9]+)/\1"X"/g' "$OUT"/*

if [ "${YUMDA_GOLDEN_WRITE:-}" = 1 ]; then
  mkdir -p "$GOLD" && cp "$OUT"/* "$GOLD"/
  pass "golden files written to $GOLD"
  exit 0
fi
for f in "$GOLD"/*; do
  diff -u "$f" "$OUT/$(basename "$f")" >"$T/diff" || fail "$(basename "$f") is not byte for byte as before: $(head -c 3000 "$T/diff")"
done
pass "$(ls "$GOLD" | wc -l) outputs byte for byte as tests/golden/json-bytes/ has them"
