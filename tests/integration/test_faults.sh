#!/bin/bash
# Network faults through the real binary: yumda-test-server serves a copy of
# the demo repo and injects one fault per case. Every case must end either in
# success (greet installed, layer complete) or in one clear error line with the
# layer exactly as it was; never a *.part file in the cache or the layer.
# The server's request count (printed when it stops) shows which cases retried.
. "$(dirname "$0")/lib.sh"
[ -n "${TEST_SERVER:-}" ] || { echo "SKIP: needs yumda-test-server (TEST_SERVER)"; exit 0; }

cp -a "$DEMO_REPO" "$T/repo"
# A layer that already holds libgreet: every case installs greet + greet-data over http.
BASE="$T/base-layer"
y --repofrompath demo,file://"$DEMO_REPO" install -y -q --root "$BASE" libgreet >/dev/null
base_snap=$(snapshot "$BASE")

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$T"
}

# start_server NAME FAULT_ARGS...: sets $URL and $PID to the new server.
start_server() {
  local sname=$1; shift
  "$TEST_SERVER" --root "$T/repo" --port 0 "$@" >"$T/$sname.port" 2>"$T/$sname.log" &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 100); do [ -s "$T/$sname.port" ] && break; sleep 0.05; done
  URL="http://127.0.0.1:$(head -n1 "$T/$sname.port" | tr -dc 0-9)"
}
# stop_server NAME PID: stops it; $SERVED is how many requests it served.
stop_server() {
  kill "$2" 2>/dev/null || true
  wait "$2" 2>/dev/null || true
  SERVED=$(sed -n 's/.*served \([0-9]*\) requests.*/\1/p' "$T/$1.log")
}

# run_case NAME WANT BASEURLS SETOPTS...: installs greet into a copy of the base
# layer with its own cache. WANT is ok (must succeed), fail (must fail cleanly)
# or either. Leaves the result in $T/NAME.{out,err,rc}.
run_case() {
  name=$1 want=$2 baseurls=$3; shift 3
  R="$T/layer-$name"
  cp -a "$BASE" "$R"
  printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=al2\n\n[http]\nname=faulty http\nbaseurl=%s\n' "$baseurls" >"$T/$name.conf"
  # Cases that must succeed run with -v: the fetcher reports each retry and failover.
  verbose=(); [ "$want" != ok ] || verbose=(-v)
  XDG_CACHE_HOME="$T/cache-$name" run_capture "$name" "$YUMDA" -c "$T/$name.conf" "${verbose[@]}" "$@" install -y --root "$R" greet
  rc=$(rc_of "$name")
  parts=$(find "$T/cache-$name" "$R" -name '*.part' 2>/dev/null)
  [ -z "$parts" ] || fail "$name: .part files left: $parts"
  if [ "$rc" = 0 ]; then
    [ "$want" != fail ] || fail "$name: succeeded, expected a clean failure"
    [ -x "$R/bin/greet" ] || fail "$name: exit 0 but bin/greet is not in the layer"
    "$YUMDA" list --installed --root "$R" >"$T/$name.list" 2>&1 || fail "$name: list --installed failed"
    grep -q 'greet-data' "$T/$name.list" || fail "$name: greet-data is not recorded: $(cat "$T/$name.list")"
    OUTCOME="installed; retries: $(grep -c '; retry ' "$T/$name.err" || true), failovers: $(grep -c 'trying the next mirror' "$T/$name.err" || true)"
    [ "$name" = clean ] || [ "$want" != ok ] || grep -m1 -E '; retry |next mirror' "$T/$name.err" | sed 's/^/    /' 
  else
    [ "$want" != ok ] || { cat "$T/$name.err" >&2; fail "$name: failed (exit $rc), expected success"; }
    [ "$(grep -c . "$T/$name.err")" -le 2 ] || fail "$name: more than one error line: $(cat "$T/$name.err")"
    grep -q . "$T/$name.err" || fail "$name: failed without a message"
    [ "$(snapshot "$R")" = "$base_snap" ] || fail "$name: failed and changed the layer"
    OUTCOME="refused, layer unchanged: $(head -n1 "$T/$name.err")"
  fi
}

# one_server_case NAME WANT FAULT... [-- SETOPTS...]: one server with FAULTs.
one_server_case() {
  name=$1 want=$2; shift 2
  faults=() opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do faults+=(--fault "$1"); shift; done
  [ $# -eq 0 ] || { shift; opts=("$@"); }
  start_server "$name" "${faults[@]}"
  start=$(date +%s.%N)
  run_case "$name" "$want" "$URL/" "${opts[@]}"
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  stop_server "$name" "$PID"; n=$SERVED
  pass "$(printf '%-20s %5.1fs requests=%-3s (clean run: %s) %s' "$name" "$secs" "$n" "$CLEAN" "$OUTCOME")"
}

# The clean run: how many requests an install takes with no fault.
CLEAN=?
one_server_case clean ok
CLEAN=$n

one_server_case status_500_then_ok ok "status,status=500,prefix=/packages/,first=3"
one_server_case status_503_metadata ok "status,status=503,prefix=/repodata/,first=2"
one_server_case reset_mid_body ok "reset,prefix=/packages/,first=1"
one_server_case reset_then_no_range ok "reset,prefix=/packages/,first=1" "no-range,prefix=/packages/"
one_server_case stall ok "stall,prefix=/packages/,first=1,ms=8000" -- --setopt=timeout=2
one_server_case truncated_body ok "truncate,prefix=/packages/,first=1"
one_server_case slow_first_byte ok "slow-first-byte,prefix=/packages/,first=1,ms=4000" -- --setopt=timeout=2
# A wrong Content-Length is a size mismatch: no retry on the same URL (fetch.hpp);
# with one mirror it must fail cleanly, with a second mirror it fails over.
one_server_case wrong_length_one_url fail "wrong-length,prefix=/packages/"
one_server_case status_404_one_url fail "status,status=404,prefix=/packages/"
one_server_case every_500_retries_out fail "status,status=500,prefix=/packages/" -- --setopt=retries=2
# The repo's own retries= governs its package downloads too, not only its metadata.
one_server_case every_500_repo_retries fail "status,status=500,prefix=/packages/" -- --setopt=http.retries=1
grep -q "gave up after 1 retry)" "$T/every_500_repo_retries.err" ||
  fail "every_500_repo_retries: the repo's retries=1 was not used: $(cat "$T/every_500_repo_retries.err")"

# Two servers: the first 404s (or sends wrong lengths) for packages, the second is fine.
two_server_case() {
  name=$1 want=$2 fault_a=$3 fault_b=$4; shift 4
  start_server "$name-a" --fault "$fault_a"; url_a=$URL pid_a=$PID
  if [ -n "$fault_b" ]; then start_server "$name-b" --fault "$fault_b"; else start_server "$name-b"; fi
  url_b=$URL pid_b=$PID
  start=$(date +%s.%N)
  run_case "$name" "$want" "$url_a/ $url_b/" "$@"
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  stop_server "$name-a" "$pid_a"; na=$SERVED
  stop_server "$name-b" "$pid_b"; nb=$SERVED
  pass "$(printf '%-20s %5.1fs requests=%s+%s (clean run: %s) %s' "$name" "$secs" "$na" "$nb" "$CLEAN" "$OUTCOME")"
  NB=$nb
}
two_server_case failover_404 ok "status,status=404,prefix=/packages/" ""
[ "$NB" -ge 2 ] || fail "failover_404: the second baseurl served $NB requests, expected the packages"
two_server_case failover_wrong_length ok "wrong-length,prefix=/packages/" ""
[ "$NB" -ge 2 ] || fail "failover_wrong_length: the second baseurl served $NB requests"
two_server_case all_mirrors_fail fail "status,status=500,prefix=/packages/" "status,status=502,prefix=/packages/" \
  --setopt=retries=1
two_server_case all_mirrors_404 fail "status,status=404,prefix=/packages/" "status,status=404,prefix=/packages/"
# Metadata: the first baseurl has no repo at all (bad path prefix).
start_server meta-failover; PIDM=$PID
run_case metadata_failover ok "$URL/no-such-prefix/ $URL/"
stop_server meta-failover "$PIDM"; n=$SERVED
pass "$(printf '%-20s        requests=%-3s (clean run: %s) %s' metadata_failover "$n" "$CLEAN" "$OUTCOME")"
