# Helpers for the integration tests (sourced). Every test runs in its own
# scratch dir with its own cache, so tests never share state.
set -eu
: "${YUMDA:?run through ctest}"
T=$(mktemp -d "${TMPDIR:-/tmp}/yumda-it.XXXXXX")
export XDG_CACHE_HOME="$T/cache"
SERVER_PID=""
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
# skip WHY: ends the test as skipped, not passed (ctest's SKIP_RETURN_CODE, tests/CMakeLists.txt).
skip() { echo "SKIP: $*"; exit 77; }

# yumda with a config that has no repos of its own (only what the test adds).
cat >"$T/empty.conf" <<CONF
[main]
reposdir=
gpgcheck=0
baseline=al2
CONF
y() { "$YUMDA" -c "$T/empty.conf" "$@"; }
# demo_toml FILE: a yumda.toml for greet from the demo repo, zipped to out.zip.
demo_toml() {
  cat >"$1" <<TOML
packages = ["greet"]
output = "out.zip"
[[repo]]
id = "demo"
baseurl = "file://$DEMO_REPO"
TOML
}

# run_capture NAME CMD...: runs CMD, keeps stdout/stderr/exit code in $T/NAME.{out,err,rc}
run_capture() {
  name=$1; shift
  set +e
  "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
  echo $? >"$T/$name.rc"
  set -e
}
rc_of() { cat "$T/$1.rc"; }

# A listing of a tree (type, mode, size, link target, content digest) to tell
# whether anything changed. The layer record .yumda/installed.json counts
# without its "history" (state_digest): an install then a remove gives the
# layer back, though its history has grown by two dated entries.
snapshot() {
  (cd "$1" && find . ! -path ./.yumda/installed.json -printf '%y %m %s %l %p\n' | sort &&
    find . -type f ! -path ./.yumda/installed.json -exec sha256sum {} + | sort && state_digest .)
}
state_digest() {  # DIR: the digest of DIR/.yumda/installed.json less its history
  [ ! -f "$1/.yumda/installed.json" ] || python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d.pop("history", None); print(json.dumps(d, sort_keys=True))' "$1/.yumda/installed.json" |
    sha256sum | sed 's|-$|./.yumda/installed.json less history|'
}

# serve DIR [TEST_SERVER_ARGS...]: serves DIR over HTTP on 127.0.0.1 (the
# arguments, e.g. --latency-ms 300, need yumda-test-server); sets $URL and
# $SERVER_PID, which the exit trap stops. Call again after killing it for another.
serve() {
  local dir=$1; shift
  rm -f "$T/server.port"
  if [ -n "${TEST_SERVER:-}" ]; then
    "$TEST_SERVER" --root "$dir" --port 0 "$@" >"$T/server.port" 2>>"$T/server.log" &
  else
    python3 -c 'import http.server,socketserver,sys,functools,os
h=functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s=socketserver.TCPServer(("127.0.0.1",0),h); print(s.server_address[1], flush=True); s.serve_forever()' "$dir" >"$T/server.port" 2>>"$T/server.log" &
  fi
  SERVER_PID=$!
  for _ in $(seq 1 100); do [ -s "$T/server.port" ] && break; sleep 0.05; done
  URL="http://127.0.0.1:$(head -n1 "$T/server.port" | tr -dc 0-9)"
}

# make_runtime_root DIR DEBIAN_PKG...: a root holding only those packages'
# files (taken from this machine with dpkg -L), standing for the Lambda
# runtime: no /opt content, no shell unless asked for.
make_runtime_root() {
  dir=$1; shift
  mkdir -p "$dir/opt" "$dir/tmp"
  dpkg -L "$@" | sort -u | while read -r f; do
    if { [ -L "$f" ] && [ ! -d "$f" ]; } || { [ -f "$f" ] && [ ! -L "$f" ]; }; then printf '%s\n' "${f#/}"; fi
  done >"$T/runtime.list"
  tar -C / --no-recursion -cf - -T "$T/runtime.list" | tar -C "$dir" -xf -
}

# in_lambda ROOT LAYER CMD...: runs CMD the way Lambda would, with LAYER
# mounted at /opt in ROOT and the host's /dev at /dev (Lambda has /dev/null,
# /dev/urandom...), in a private mount namespace (needs root).
in_lambda() {
  root=$1 layer=$2; shift 2
  chroot=$(command -v chroot)
  mkdir -p "$root/dev"
  env -i PATH=/opt/bin:/usr/bin:/bin LD_LIBRARY_PATH=/opt/lib HOME=/tmp CHROOT="$chroot" \
    "$(command -v unshare)" -m /bin/sh -c \
    'mount --bind "$1" "$2/opt" && mount --rbind /dev "$2/dev" && shift 2 && exec "$CHROOT" "$0" "$@"' \
    "$root" "$layer" "$root" "$@"
}
can_chroot() { [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; }
