#!/bin/bash
# `yumda check`: a complete layer passes; with a library deleted it fails,
# naming the binary and the library; `install` warns about the same.
. "$(dirname "$0")/lib.sh"
R="$T/layer"
y --repofrompath demo,file://"$DEMO_REPO" install -y -q --root "$R" greet
run_capture ok y check --root "$R"
[ "$(rc_of ok)" = 0 ] || { cat "$T/ok.out"; fail "check failed on a complete layer"; }
pass "complete layer passes: $(tail -n1 "$T/ok.out")"

rm "$R/lib/libgreet.so.1.2.0"
run_capture broken y check --root "$R"
[ "$(rc_of broken)" = 1 ] || fail "check exited $(rc_of broken) on a broken layer"
grep -q "/opt/bin/greet needs libgreet.so.1" "$T/broken.out" || fail "check did not name binary and library: $(cat "$T/broken.out")"
grep -q "/opt/lib/libgreet.so.1 is a broken symlink" "$T/broken.out" || fail "check did not report the dangling symlink"
run_capture json y check --root "$R" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["errors"]>=2, d' "$T/json.out" || fail "check --json"
pass "deleted library -> $(grep needs "$T/broken.out")"

# install's own ELF check warns about a binary whose library is missing.
R2="$T/layer2"
run_capture inst y --repofrompath demo,file://"$DEMO_REPO" install -y --root "$R2" --setopt=excludepkgs=libgreet greet
grep -q "nothing provides\|No match\|libgreet" "$T/inst.err" || fail "excluding libgreet did not fail resolution"
pass "resolution refuses a closure without libgreet"
