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

# A baseline without a file list (al1): a library the layer's own packages
# provide and that is gone is still an error; one the packages require and
# the runtime met at install time (libc.so.6) counts as present.
rm -f "$R/lib/libgreet.so.1"  # the symlink too: only the missing library is left
run_capture al1 y check --root "$R" --baseline al1
[ "$(rc_of al1)" = 1 ] || { cat "$T/al1.out"; fail "check --baseline al1 exited $(rc_of al1) with libgreet gone"; }
grep -q "^error: /opt/bin/greet needs libgreet.so.1" "$T/al1.out" || fail "al1: libgreet not an error: $(cat "$T/al1.out")"
! grep -q "libc.so.6" "$T/al1.out" || fail "al1: libc.so.6, which the runtime met at install, reported: $(cat "$T/al1.out")"
pass "baseline without a file list: $(grep needs "$T/al1.out")"

# Lambda's limits are binary: 250 MiB = 262,144,000 bytes unzipped. A layer of
# 255,000,000 bytes is one AWS accepts; one byte over 250 MiB is not.
R3="$T/big"
mkdir -p "$R3"
truncate -s 255000000 "$R3/data"  # sparse: no disk used
run_capture big y check --root "$R3"
[ "$(rc_of big)" = 0 ] || fail "check failed a 255,000,000-byte layer that AWS accepts: $(cat "$T/big.out")"
truncate -s 262144001 "$R3/data"
run_capture toobig y check --root "$R3"
[ "$(rc_of toobig)" = 1 ] || fail "check passed a layer over 262,144,000 bytes"
grep -q "250 MiB" "$T/toobig.out" || fail "no 250 MiB in: $(cat "$T/toobig.out")"
# -q leaves only errors: zip's over-the-limit warning goes too.
run_capture zipq y -q zip --root "$R3" -o "$T/big.zip"
[ ! -s "$T/zipq.err" ] || fail "zip -q printed: $(cat "$T/zipq.err")"
run_capture zipw y zip --root "$R3" -o "$T/big.zip"
grep -q "250 MiB" "$T/zipw.err" || fail "zip without -q did not warn: $(cat "$T/zipw.err")"
pass "size limits in MiB; -q silences zip's warning"
