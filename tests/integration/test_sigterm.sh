#!/bin/bash
# SIGTERM sent to a real `yumda install` while it is downloading (the test
# server sends half of greet's RPM, then goes silent; libgreet and greet-data
# arrive and are staged meanwhile): yumda must stop promptly with a one-line
# error and a non-zero exit, the layer exactly as before, and neither the
# layer nor the cache may keep a temporary file. A later run then installs.
. "$(dirname "$0")/lib.sh"
[ -n "${TEST_SERVER:-}" ] || skip "needs yumda-test-server (TEST_SERVER)"
: "${DEMO_REPO:?run through ctest}"

R="$T/layer"
# Listing + contents, without .yumda/lock (any run creates it).
snap() {
  (cd "$1" && find . -path ./.yumda/lock -prune -o -printf '%y %m %s %l %p\n' | sort \
    && find . -path ./.yumda/lock -prune -o -type f -exec sha256sum {} + | sort)
}
conf() { printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=al2\ntimeout=600\nretries=0\n\n[web]\nname=web\nbaseurl=%s/\n' "$1" >"$T/web.conf"; }

# "before": greet-data alone, installed from a server without faults.
serve "$DEMO_REPO"
conf "$URL"
"$YUMDA" -c "$T/web.conf" install -y -q --root "$R" greet-data >/dev/null
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
before=$(snap "$R")

serve "$DEMO_REPO" --fault "stall,prefix=/packages/greet-1,ms=0"
conf "$URL"
"$YUMDA" -c "$T/web.conf" install -y --root "$R" greet >"$T/term.out" 2>"$T/term.err" &
pid=$!
# Mid-run: half of greet's RPM is in the cache's .part file, and libgreet's
# files are staged in the layer's journal (to be thrown away).
midrun() {
  find "$XDG_CACHE_HOME" -name 'greet-1*.part*' -size +0 2>/dev/null | grep -q . &&
    find "$R/.yumda/txn/stage" -type f 2>/dev/null | grep -q .
}
for _ in $(seq 1 600); do
  midrun && break
  kill -0 "$pid" 2>/dev/null || { cat "$T/term.err" >&2; fail "yumda ended before the download stalled"; }
  sleep 0.1
done
midrun || fail "never saw greet half downloaded with libgreet staged"
kill -TERM "$pid"
# Generous bound, no timing claim: yumda must end on its own well within it.
for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  kill -9 "$pid"
  fail "yumda still running 20 s after SIGTERM"
fi
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" != 0 ] || fail "yumda exited 0 after SIGTERM"
[ "$rc" = 130 ] || fail "exit $rc after SIGTERM, expected 130 (interrupted): $(cat "$T/term.err")"
errors=$(grep -c '^error' "$T/term.err" || true)
[ "$errors" = 1 ] || { cat "$T/term.err" >&2; fail "expected one error line, got $errors"; }
grep -qi '^error.*interrupted' "$T/term.err" || { cat "$T/term.err" >&2; fail "the error does not say interrupted"; }
pass "SIGTERM mid-download: exit $rc, $(grep '^error' "$T/term.err")"

[ "$(snap "$R")" = "$before" ] || { diff <(echo "$before") <(snap "$R") >&2; fail "the layer changed"; }
[ ! -e "$R/.yumda/txn" ] || fail "the layer kept .yumda/txn"
stray=$(find "$R" "$XDG_CACHE_HOME" \( -name '*.part*' -o -name '*.in-use.*' -o -name '*.tmp*' -o -name '.yumda-extract-*' -o -name '*.new.*' \) | sort)
[ -z "$stray" ] || fail "temporary files left: $stray"
pass "layer as before, no temporary file in the layer or the cache"

kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
serve "$DEMO_REPO"
conf "$URL"
"$YUMDA" -c "$T/web.conf" install -y -q --root "$R" greet >/dev/null || fail "install after the interrupted run failed"
"$YUMDA" -c "$T/web.conf" list --installed --root "$R" | grep -q '^greet\.' || fail "greet not installed by the later run"
pass "a later run installs greet"
