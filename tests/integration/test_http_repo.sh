#!/bin/bash
# The http:// path: metadata and packages over HTTP from a server on 127.0.0.1,
# then -C (cache only) with the server stopped.
. "$(dirname "$0")/lib.sh"
serve "$DEMO_REPO"
R="$T/layer"
cat >"$T/http.conf" <<CONF
[main]
reposdir=
gpgcheck=0
keepcache=1

[demo-http]
name=Demo over HTTP
baseurl=$URL/
CONF
run_capture inst "$YUMDA" -c "$T/http.conf" install -y --root "$R" greet
[ "$(rc_of inst)" = 0 ] || { cat "$T/inst.err"; fail "install over http failed"; }
[ -x "$R/bin/greet" ] || fail "bin/greet not installed over http"
pass "install over http"

run_capture mc "$YUMDA" -c "$T/http.conf" makecache
grep -q "demo-http: 3 packages" "$T/mc.out" || fail "makecache: $(cat "$T/mc.out" "$T/mc.err")"
pass "makecache"

kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
R2="$T/layer2"
run_capture cached "$YUMDA" -c "$T/http.conf" -C install -y --root "$R2" greet
[ "$(rc_of cached)" = 0 ] || { cat "$T/cached.err"; fail "-C install with the server stopped failed"; }
[ -x "$R2/bin/greet" ] || fail "-C install did not install"
pass "-C install from cache with the server stopped"

"$YUMDA" -c "$T/http.conf" clean metadata >/dev/null
run_capture nocache "$YUMDA" -c "$T/http.conf" -C install -y --root "$T/layer3" greet
[ "$(rc_of nocache)" != 0 ] && grep -qi "makecache\|cache" "$T/nocache.err" || fail "-C without cache did not fail clearly"
[ ! -e "$T/layer3/bin" ] || fail "-C failure wrote into the layer"
pass "-C without a cache -> $(cat "$T/nocache.err")"

run_capture clean "$YUMDA" -c "$T/http.conf" clean all
[ ! -e "$XDG_CACHE_HOME/yumda/repos" ] || fail "clean all left the metadata cache"
pass "clean all"
