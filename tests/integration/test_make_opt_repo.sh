#!/bin/bash
# Uses ../shared (skips clearly without it): a repo of real Debian tools
# relocated to /opt by make-opt-repo, served on 127.0.0.1, installed into a
# fresh layer, zipped, and run from /opt in a root holding only the baseline.
. "$(dirname "$0")/lib.sh"
SHARED=${YUMDA_SHARED:-$YUMDA_SOURCE_DIR/../shared}
[ -x "$SHARED/fixtures/make-opt-repo" ] || { echo "skipped: ../shared/fixtures is absent"; exit 0; }
command -v apt-get >/dev/null || { echo "skipped: make-opt-repo needs apt"; exit 0; }

# Built once per machine and reused (the generator is reproducible).
FX=${YUMDA_FIXTURE_CACHE:-$HOME/.cache/yumda-fixtures/repos}/tools
if [ ! -f "$FX/repo/repodata/repomd.xml" ]; then
  mkdir -p "$FX"
  [ -n "$(ls /var/lib/apt/lists/*Packages 2>/dev/null)" ] || apt-get update -qq
  "$SHARED/fixtures/make-opt-repo" --packages jq tree bc --out "$FX/repo" --base-list "$FX/base.txt" >"$FX/build.log" 2>&1 \
    || { tail -20 "$FX/build.log"; fail "make-opt-repo failed"; }
fi
serve "$FX/repo"
R="$T/layer"
run_capture inst y --baseline "$FX/base.txt" --repofrompath tools,"$URL" install -y --root "$R" jq tree bc
[ "$(rc_of inst)" = 0 ] || { cat "$T/inst.err"; fail "install jq tree bc failed"; }
for b in jq tree bc; do [ -x "$R/bin/$b" ] || fail "bin/$b missing"; done
for base in $(cat "$FX/base.txt"); do
  grep -q "^ $base " "$T/inst.out" && fail "baseline package $base was installed"
done
pass "install jq tree bc over http, baseline left out"

y zip -q --root "$R" -o "$T/layer.zip"
mkdir "$T/unz" && (cd "$T/unz" && unzip -q "$T/layer.zip")
can_chroot || { echo "skipped the run part: needs root"; exit 0; }
make_runtime_root "$T/rootfs" $(sed 's/#.*//' "$FX/base.txt")
echo '{"a":{"b":[1,2,3]}}' >"$T/rootfs/tmp/in.json"
[ "$(in_lambda "$T/rootfs" "$T/unz" /opt/bin/jq -c .a.b /tmp/in.json)" = "[1,2,3]" ] || fail "jq did not run from the layer"
in_lambda "$T/rootfs" "$T/unz" /opt/bin/tree -L 1 /opt | grep -q "bin" || fail "tree did not run from the layer"
[ "$(echo '2^10' | in_lambda "$T/rootfs" "$T/unz" /opt/bin/bc)" = 1024 ] || fail "bc did not run from the layer"
pass "jq, tree and bc run from /opt in a baseline-only root"
