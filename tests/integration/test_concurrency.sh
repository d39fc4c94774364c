#!/bin/bash
# Two runs on one layer: the second waits for the first (both succeed, the
# layer has both sets) or, with --nowait, fails naming the layer in use.
# Ctrl-C during a download: exit 130, layer unchanged, no .part left.
. "$(dirname "$0")/lib.sh"
[ -n "${TEST_SERVER:-}" ] || { echo "SKIP: needs yumda-test-server (TEST_SERVER)"; exit 0; }
command -v flock >/dev/null || { echo "SKIP: needs flock(1)"; exit 0; }

# A slow server: every request waits 300 ms, so an install holds the lock for seconds.
serve "$DEMO_REPO" --latency-ms 300
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=al2\n\n[slow]\nname=slow\nbaseurl=%s/\n' "$URL" >"$T/slow.conf"
slow() { "$YUMDA" -c "$T/slow.conf" "$@"; }
local_demo() { y --repofrompath demo,file://"$DEMO_REPO" "$@"; }

# wait_locked ROOT PID: until PID holds the layer lock (flock(1) cannot take it).
wait_locked() {
  for _ in $(seq 1 200); do
    kill -0 "$2" 2>/dev/null || fail "the first run ended before it was seen holding the lock"
    if [ -e "$1/.yumda/lock" ] && ! flock -n "$1/.yumda/lock" true; then return 0; fi
    sleep 0.02
  done
  fail "the first run never took the lock on $1"
}

# 1. The second run waits.
R="$T/layer"
slow install -y -q --root "$R" greet-data >"$T/a.out" 2>"$T/a.err" &
A=$!
wait_locked "$R" "$A"
start=$(date +%s%N)
local_demo install -y -q --root "$R" libgreet >"$T/b.out" 2>"$T/b.err" &
B=$!
sleep 0.3
kill -0 "$A" 2>/dev/null && a_running=yes || a_running=no
kill -0 "$B" 2>/dev/null && b_waiting=yes || b_waiting=no
wait "$A" && rc_a=0 || rc_a=$?
wait "$B" && rc_b=0 || rc_b=$?
b_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc_a" = 0 ] || fail "first install failed: $(cat "$T/a.err")"
[ "$rc_b" = 0 ] || fail "second (waiting) install failed: $(cat "$T/b.err")"
[ "$a_running" = no ] || [ "$b_waiting" = yes ] || fail "the second run finished while the first still held the lock"
"$YUMDA" list --installed --root "$R" >"$T/list.out"
grep -q greet-data "$T/list.out" && grep -q libgreet "$T/list.out" || fail "layer lacks one set: $(cat "$T/list.out")"
[ -n "$(find "$R" -path "$R/.yumda" -prune -o -path '*libgreet*' -print | head -n1)" ] || fail "libgreet files missing"
pass "second run waited (${b_ms} ms, still waiting after 300 ms: $b_waiting) and both sets are installed"

# 2. --nowait fails, naming the layer. The run holding the lock must outlast
# the --nowait run's start-up by far (slow under ASan on a busy machine): a
# 1.5 s server and an empty cache keep it at 3 requests (repomd, primary,
# the package), 4.5 s.
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
serve "$DEMO_REPO" --latency-ms 1500
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=al2\n\n[hold]\nname=hold\nbaseurl=%s/\n' "$URL" >"$T/hold.conf"
R2="$T/layer2"
local_demo install -y -q --root "$R2" libgreet >/dev/null
before=$(snapshot "$R2")
XDG_CACHE_HOME="$T/cache-hold" "$YUMDA" -c "$T/hold.conf" install -y -q --root "$R2" greet-data >"$T/c.out" 2>"$T/c.err" &
C=$!
wait_locked "$R2" "$C"
run_capture nowait local_demo install -y --nowait --root "$R2" greet
wait "$C" || fail "the run holding the lock failed: $(cat "$T/c.err")"
[ "$(rc_of nowait)" != 0 ] || fail "--nowait succeeded while the layer was locked"
grep -q "$R2" "$T/nowait.err" && grep -qi "in use" "$T/nowait.err" || fail "--nowait message does not name the layer in use: $(cat "$T/nowait.err")"
[ "$(grep -c . "$T/nowait.err")" -le 2 ] || fail "--nowait: more than one error line: $(cat "$T/nowait.err")"
pass "--nowait -> $(head -n1 "$T/nowait.err")"

# 3. Ctrl-C while downloading from a very slow server.
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
serve "$DEMO_REPO" --latency-ms 500
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=al2\n\n[slower]\nname=slower\nbaseurl=%s/\n' "$URL" >"$T/slower.conf"
R3="$T/layer3"
local_demo install -y -q --root "$R3" libgreet >/dev/null
before=$(snapshot "$R3")
export XDG_CACHE_HOME="$T/cache-int"
# Job control on: a background job of a script would otherwise ignore SIGINT.
set -m
"$YUMDA" -c "$T/slower.conf" install -y --root "$R3" greet >"$T/int.out" 2>"$T/int.err" &
D=$!
set +m
# Wait until a package download has started (a .part exists), else 10 s.
for _ in $(seq 1 200); do
  [ -n "$(find "$XDG_CACHE_HOME" -name '*.part' 2>/dev/null | head -n1)" ] && break
  sleep 0.05
done
had_part=$( [ -n "$(find "$XDG_CACHE_HOME" -name '*.part' 2>/dev/null | head -n1)" ] && echo yes || echo no)
kill -INT "$D"
wait "$D" && rc=0 || rc=$?
[ "$rc" = 130 ] || fail "Ctrl-C: exit $rc, want 130: $(cat "$T/int.err")"
[ "$(snapshot "$R3")" = "$before" ] || fail "Ctrl-C changed the layer"
parts=$(find "$XDG_CACHE_HOME" "$R3" -name '*.part' 2>/dev/null)
[ -z "$parts" ] || fail "Ctrl-C left .part files: $parts"
pass "Ctrl-C during download (a .part existed: $had_part) -> exit 130, layer unchanged, no .part: $(tail -n1 "$T/int.err")"
