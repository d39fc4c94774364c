#!/bin/bash
# The metadata cache on a warm run: `install --assumeno` a second time, with
# metadata_expire not reached, asks the server for nothing and loads its
# caches (the dep index, for an install) as they are (no rewrite); once metadata_expire has passed only repomd.xml
# is fetched again while unchanged primary/filelists are reused. Cold and warm
# times are printed, never asserted (machines are noisy). -C with the server
# stopped is covered by test_http_repo.sh.
# YUMDA_BIG_REPO=DIR (e.g. a ../shared/fixtures/make-big-repo output) and
# YUMDA_BIG_SPEC=NAME add the same run on that repo.
. "$(dirname "$0")/lib.sh"

# python's http.server logs every request, so the test sees what was asked for.
serve_logged() {  # DIR LOG
  python3 -u -c 'import http.server,socketserver,sys,functools
h=functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
socketserver.TCPServer.allow_reuse_address=True
s=socketserver.ThreadingTCPServer(("127.0.0.1",0),h); print(s.server_address[1], flush=True); s.serve_forever()' \
    "$1" >"$T/logged.port" 2>"$2" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do [ -s "$T/logged.port" ] && break; sleep 0.05; done
  URL="http://127.0.0.1:$(head -n1 "$T/logged.port" | tr -dc 0-9)"
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; rm -f "$T/logged.port"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# What a load derives from metadata: the solv cache (whole-repo loads) and the
# dep index (installs): a warm run rewrites neither.
solv_stamps() { find "$XDG_CACHE_HOME/yumda" \( -name '*.solv' -o -name deps.idx \) -printf '%p %T@ %s\n' | sort; }
gets() { grep -c '"GET ' "$1" || true; }

# check_warm ID DIR SPEC: cold and warm `install --assumeno SPEC` from DIR over http.
check_warm() {
  id=$1 dir=$2 spec=$3
  log="$T/$id.requests"
  serve_logged "$dir" "$log"
  cat >"$T/$id.conf" <<CONF
[main]
reposdir=
gpgcheck=0
baseline=al2
metadata_expire=1h

[$id]
name=$id over http
baseurl=$URL/
CONF
  t0=$(now_ms)
  run_capture "$id-cold" "$YUMDA" -c "$T/$id.conf" install --assumeno --root "$T/$id-layer" "$spec"
  t1=$(now_ms)
  [ "$(rc_of "$id-cold")" = 1 ] || fail "$id: cold install --assumeno failed: $(cat "$T/$id-cold.err")"
  grep -q 'GET /repodata/repomd.xml' "$log" || fail "$id: the cold run did not fetch repomd.xml"
  grep -q 'GET /repodata/[^ ]*primary' "$log" || fail "$id: the cold run did not fetch primary"
  stamps=$(solv_stamps)
  [ -n "$stamps" ] || fail "$id: the cold run wrote no solv cache or dep index"
  before=$(gets "$log")

  t2=$(now_ms)
  run_capture "$id-warm" "$YUMDA" -c "$T/$id.conf" install --assumeno --root "$T/$id-layer" "$spec"
  t3=$(now_ms)
  [ "$(rc_of "$id-warm")" = 1 ] || fail "$id: warm install --assumeno failed: $(cat "$T/$id-warm.err")"
  diff <(sed -n '/^ *Package/,$p' "$T/$id-cold.out") <(sed -n '/^ *Package/,$p' "$T/$id-warm.out") >/dev/null ||
    fail "$id: warm plan differs from the cold one"
  [ "$(gets "$log")" = "$before" ] || fail "$id: warm run made requests: $(tail -n +"$((before + 1))" "$log")"
  [ "$(solv_stamps)" = "$stamps" ] || fail "$id: warm run rewrote the solv cache or dep index"
  echo "timing ($id, $spec): cold $((t1 - t0)) ms, warm $((t3 - t2)) ms (install --assumeno, wall clock)"
  pass "$id: warm run asked the server for nothing and kept the solv cache and dep index"

  # metadata_expire passed: repomd.xml again, nothing else (its checksums did not change).
  run_capture "$id-expired" "$YUMDA" -c "$T/$id.conf" --setopt metadata_expire=0 install --assumeno \
    --root "$T/$id-layer" "$spec"
  [ "$(rc_of "$id-expired")" = 1 ] || fail "$id: install after expiry failed: $(cat "$T/$id-expired.err")"
  new=$(tail -n +"$((before + 1))" "$log" | grep '"GET ' || true)
  echo "$new" | grep -q 'GET /repodata/repomd.xml' || fail "$id: expired metadata did not refetch repomd.xml"
  [ "$(echo "$new" | grep -c '"GET ')" = 1 ] || fail "$id: expired metadata refetched more than repomd.xml: $new"
  [ "$(solv_stamps)" = "$stamps" ] || fail "$id: an unchanged repomd rebuilt the solv cache or dep index"
  pass "$id: after metadata_expire only repomd.xml is fetched, the rest is reused"
  stop_server
}

check_warm demo "$DEMO_REPO" greet

if [ -n "${YUMDA_BIG_REPO:-}" ]; then
  [ -f "$YUMDA_BIG_REPO/repodata/repomd.xml" ] || fail "YUMDA_BIG_REPO=$YUMDA_BIG_REPO has no repodata/repomd.xml"
  rm -rf "$XDG_CACHE_HOME"
  check_warm big "$YUMDA_BIG_REPO" "${YUMDA_BIG_SPEC:?set YUMDA_BIG_SPEC to a package of the big repo}"
fi
