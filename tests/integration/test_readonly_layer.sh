#!/bin/bash
# A layer on a read-only mount (a CI artifact, a container's /opt mounted ro):
# the verbs that only read it (list --installed, zip, sbom) work and write
# nothing into it; an unfinished change there is an error that says what to do.
. "$(dirname "$0")/lib.sh"
[ -n "${DEMO_REPO:-}" ] && [ -d "$DEMO_REPO" ] || skip "needs the demo repo"
command -v unshare >/dev/null || skip "needs unshare (util-linux) for a private read-only mount"
unshare -rm true 2>/dev/null || skip "user namespaces are not available for a private read-only mount"

L="$T/layer"
y --repofrompath demo,file://"$DEMO_REPO" install -y -q --root "$L" greet >/dev/null
rm -f "$L/.yumda/lock"  # so a lock written by the reads below would show
before=$(snapshot "$L")
# Runs yumda ARGS... with $L bind-mounted read-only onto itself, in a mount namespace of its own.
ro() { unshare -rm sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' sh "$L" "$YUMDA" -c "$T/empty.conf" "$@"; }

run_capture list ro --root "$L" list --installed
[ "$(rc_of list)" = 0 ] || fail "list --installed on a read-only layer: exit $(rc_of list): $(cat "$T/list.err")"
grep -q '^greet' "$T/list.out" || fail "list --installed did not list greet: $(cat "$T/list.out")"
pass "list --installed reads a layer on a read-only mount"

run_capture zip ro --root "$L" zip -o "$T/layer.zip"
[ "$(rc_of zip)" = 0 ] || fail "zip of a read-only layer: exit $(rc_of zip): $(cat "$T/zip.err")"
unzip -l "$T/layer.zip" | grep -q 'bin/greet' || fail "the zip lacks bin/greet"
pass "zip writes the zip of a layer on a read-only mount"

[ "$(snapshot "$L")" = "$before" ] || fail "the read-only verbs changed the layer"

# An unfinished (uncommitted) change cannot be thrown away on a read-only mount: say so.
mkdir -p "$L/.yumda/txn/stage"
run_capture txn ro --root "$L" list --installed
[ "$(rc_of txn)" = 1 ] || fail "unfinished change on a read-only layer: exit $(rc_of txn), want 1"
grep -q "is on a read-only mount and holds an unfinished change" "$T/txn.err" || fail "txn: $(cat "$T/txn.err")"
[ "$(wc -l <"$T/txn.err")" = 1 ] || fail "txn: not one line: $(cat "$T/txn.err")"
[ -d "$L/.yumda/txn/stage" ] || fail "the unfinished change was touched"
pass "an unfinished change on a read-only layer is named, not guessed at"
