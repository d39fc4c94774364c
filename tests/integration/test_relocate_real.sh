#!/bin/bash
# Uses ../shared (skips clearly without it): real Debian tools converted by
# make-opt-repo --layout stock (files at Debian's own /usr paths, binaries with
# Debian's compiled-in paths), relocated into layers that run in a root holding
# only the baseline's packages, with the layer at /opt, as on Lambda:
#  - git clones over HTTP from 127.0.0.1 (git-remote-http found through the
#    compiled-in exec path /usr/lib/git-core, templates through PREFIX);
#  - file names a file's type from its magic database (/usr/lib/file/magic.mgc
#    through /usr/share/misc/magic);
#  - GraphicsMagick reads its type.mgk config from its compiled-in config dir;
#  - arm64 (under qemu-user-static when binfmt_misc can run it): jq and file.
# Each tool fails with its files merely moved (unrelocate.py) and works relocated.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${YUMDA_SHARED:-$YUMDA_SOURCE_DIR/../shared}
[ -x "$SHARED/fixtures/make-opt-repo" ] || skip "../shared/fixtures is absent"
command -v apt-get >/dev/null || skip "make-opt-repo needs apt"
can_chroot || skip "needs root and mount namespaces to run layers"

# Built once per machine and reused (the generator is reproducible).
CACHE=${YUMDA_FIXTURE_CACHE:-$HOME/.cache/yumda-fixtures/repos}
fixture() {  # fixture NAME MAKE-OPT-REPO-ARGS...: $CACHE/NAME/{repo,base.txt}
  local name=$1; shift
  if [ ! -f "$CACHE/$name/repo/repodata/repomd.xml" ]; then
    mkdir -p "$CACHE/$name"
    [ -n "$(ls /var/lib/apt/lists/*Packages 2>/dev/null)" ] || apt-get update -qq
    "$SHARED/fixtures/make-opt-repo" --layout stock --out "$CACHE/$name/repo" --base-list "$CACHE/$name/base.txt" "$@" \
      >"$CACHE/$name/build.log" 2>&1 || { tail -20 "$CACHE/$name/build.log"; fail "make-opt-repo $name failed"; }
  fi
}
fixture stock-tools --packages git file graphicsmagick
FX=$CACHE/stock-tools
R="$T/layer"
run_capture inst y --baseline "$FX/base.txt" --repofrompath tools,file://"$FX/repo" install -y --root "$R" git file graphicsmagick
[ "$(rc_of inst)" = 0 ] || { cat "$T/inst.err"; fail "install git file graphicsmagick failed"; }
[ -x "$R/bin/git" ] && [ -x "$R/lib/git-core/git-remote-http" ] && [ -f "$R/lib/file/magic.mgc" ] || fail "files not placed"
run_capture chk y --baseline "$FX/base.txt" check --root "$R"
[ "$(rc_of chk)" = 0 ] || { grep error "$T/chk.out"; fail "check found errors in the relocated layer"; }
grep -q "unrelocated-path\\|hard-codes /usr/lib/git-core" "$T/chk.out" && fail "check finds git's exec path left"
pass "git, file, graphicsmagick installed relocated; check passes"

y zip -q --root "$R" -o "$T/layer.zip"
mkdir "$T/unz" && (cd "$T/unz" && unzip -q "$T/layer.zip")
cp -a "$T/unz" "$T/moved"
cp "$R/.yumda" -r "$T/moved/.yumda"
python3 "$HERE/unrelocate.py" "$T/moved" "$FX/repo/packages" >/dev/null
make_runtime_root "$T/rootfs" $(sed 's/#.*//' "$FX/base.txt")

# git over HTTP: a bare repo served by a dumb HTTP server on 127.0.0.1.
git init -q "$T/src" && echo "hello from git" >"$T/src/a.txt"
git -C "$T/src" add a.txt && git -C "$T/src" -c user.email=t@t -c user.name=t commit -qm init
git clone -q --bare "$T/src" "$T/www/repo.git" && git -C "$T/www/repo.git" update-server-info
serve "$T/www"
set +e
moved_out=$(in_lambda "$T/rootfs" "$T/moved" /opt/bin/git clone -q "$URL/repo.git" /tmp/moved 2>&1)
moved_rc=$?
set -e
[ "$moved_rc" != 0 ] || fail "git cloned with files merely moved"
in_lambda "$T/rootfs" "$T/unz" /opt/bin/git clone -q "$URL/repo.git" /tmp/clone 2>"$T/git.err" || { cat "$T/git.err"; fail "git clone from the layer failed"; }
[ "$(cat "$T/rootfs/tmp/clone/a.txt")" = "hello from git" ] || fail "the clone has not the file"
[ -f "$T/rootfs/tmp/clone/.git/hooks/pre-commit.sample" ] || fail "git found no templates: $(cat "$T/git.err")"
pass "git clones over HTTP from the layer (merely moved: $(echo "$moved_out" | tail -n1))"

printf '#!/bin/sh\necho hi\n' >"$T/rootfs/tmp/s.sh"
out=$(in_lambda "$T/rootfs" "$T/unz" /opt/bin/file /tmp/s.sh)
[ "$out" = "/tmp/s.sh: POSIX shell script, ASCII text executable" ] || fail "file from the layer said: $out"
set +e
moved_out=$(in_lambda "$T/rootfs" "$T/moved" /opt/bin/file /tmp/s.sh 2>&1)
set -e
[ "$moved_out" != "$out" ] || fail "file worked with files merely moved"
pass "file reads its magic database from the layer (merely moved: $moved_out)"

out=$(in_lambda "$T/rootfs" "$T/unz" /opt/bin/gm convert -list type 2>&1)
echo "$out" | grep -q "^Path: /opt/lib/GraphicsMagick-.*/config/type" || fail "gm found no type config: $out"
in_lambda "$T/rootfs" "$T/unz" /opt/bin/gm convert -size 8x8 xc:red /tmp/r.png && [ -s "$T/rootfs/tmp/r.png" ] || fail "gm convert failed"
set +e
moved_out=$(in_lambda "$T/rootfs" "$T/moved" /opt/bin/gm convert -list type 2>&1)
set -e
echo "$moved_out" | grep -q "Unable to access configuration file" || fail "gm found its config with files merely moved: $moved_out"
pass "GraphicsMagick reads its config from the layer (merely moved: $(echo "$moved_out" | tail -n1))"

# arm64: built on this x86_64 machine, run under qemu-user-static.
[ -r /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || skip "arm64 part: no qemu-aarch64 in binfmt_misc (install qemu-user-static, mount binfmt_misc)"
fixture stock-tools-arm64 --packages jq file --arch arm64
FXA=$CACHE/stock-tools-arm64
RA="$T/layer-arm64"
run_capture insta y --arch aarch64 --baseline "$FXA/base.txt" --repofrompath tools,file://"$FXA/repo" install -y --root "$RA" jq file
[ "$(rc_of insta)" = 0 ] || { cat "$T/insta.err"; fail "arm64 install failed"; }
run_capture chka y --arch aarch64 --baseline "$FXA/base.txt" check --root "$RA"
[ "$(rc_of chka)" = 0 ] || { grep error "$T/chka.out"; fail "check found errors in the arm64 layer"; }
y zip -q --root "$RA" -o "$T/arm64.zip"
mkdir "$T/unza" && (cd "$T/unza" && unzip -q "$T/arm64.zip")
mkdir -p "$T/rootfs-arm64/tmp" "$T/rootfs-arm64/opt"
for p in $(sed 's/#.*//' "$FXA/base.txt"); do
  deb=$(ls "$HOME/.cache/yumda-fixtures/${p}_"*_arm64.deb 2>/dev/null | head -n1)
  [ -n "$deb" ] || deb=$(ls "$HOME/.cache/yumda-fixtures/${p}_"*_all.deb 2>/dev/null | head -n1)
  [ -n "$deb" ] && dpkg-deb -x "$deb" "$T/rootfs-arm64"
done
echo '{"arch":"arm64"}' >"$T/rootfs-arm64/tmp/in.json"
[ "$(in_lambda "$T/rootfs-arm64" "$T/unza" /opt/bin/jq -r .arch /tmp/in.json)" = arm64 ] || fail "arm64 jq did not run"
printf '#!/bin/sh\necho hi\n' >"$T/rootfs-arm64/tmp/s.sh"
out=$(in_lambda "$T/rootfs-arm64" "$T/unza" /opt/bin/file /tmp/s.sh)
[ "$out" = "/tmp/s.sh: POSIX shell script, ASCII text executable" ] || fail "arm64 file said: $out"
pass "arm64 layer (jq, file) runs under qemu in an arm64 runtime-only root"
