#!/bin/bash
# The download cache is input too, and shared (issue #14): a symlink planted
# at a package's .part is never written through, and two installs into
# different layers sharing one cache dir both succeed.
. "$(dirname "$0")/lib.sh"
[ -n "${DEMO_REPO:-}" ] && [ -d "$DEMO_REPO" ] || skip "needs the demo repo"
serve "$DEMO_REPO" ${TEST_SERVER:+--latency-ms 20}
C="$XDG_CACHE_HOME/yumda"
# The demo repo's packages, by name (all of them: every install below takes its closure).
PKGS=$(cd "$DEMO_REPO" && find . -name '*.rpm' ! -name '*.src.rpm' -printf '%f\n' | sed 's/-[^-]*-[^-]*$//' | sort -u | tr '\n' ' ')

# 1. A symlink at CACHEDIR/packages/REPO/NAME.rpm.part pointing at a victim.
y --repofrompath web,"$URL" makecache >/dev/null
echo precious >"$T/victim"
mkdir -p "$C/packages/web"
for f in $(cd "$DEMO_REPO" && find . -name 'greet-*.rpm' ! -name '*.src.rpm' -printf '%f\n'); do
  ln -sf "$T/victim" "$C/packages/web/$f.part"
done
run_capture plant y --repofrompath web,"$URL" install -y --root "$T/l0" greet
[ "$(cat "$T/victim")" = precious ] || fail "a planted .part symlink was written through: the victim now holds $(wc -c <"$T/victim") bytes"
[ "$(rc_of plant)" = 0 ] || fail "install with a planted .part: $(cat "$T/plant.err")"
[ -z "$(find "$C" -name '*.part*')" ] || fail ".part left: $(find "$C" -name '*.part*')"
pass "a symlink planted at a package's .part is replaced, not written through"

# 2. Two installs into different layers sharing the cache, from an empty
# cache each round: both succeed and get the same files.
ROUNDS=${CACHE_ROUNDS:-20}
for i in $(seq 1 "$ROUNDS"); do
  rm -rf "$C" "$T/a" "$T/b"
  # shellcheck disable=SC2086
  ( set +e; y --repofrompath web,"$URL" install -y -q --root "$T/a" $PKGS >"$T/a.out" 2>"$T/a.err"; echo $? >"$T/a.rc" ) &
  pa=$!
  # shellcheck disable=SC2086
  ( set +e; y --repofrompath web,"$URL" install -y -q --root "$T/b" $PKGS >"$T/b.out" 2>"$T/b.err"; echo $? >"$T/b.rc" ) &
  pb=$!
  wait "$pa" "$pb"  # not the server
  [ "$(cat "$T/a.rc")" = 0 ] || fail "round $i: first install failed: $(cat "$T/a.err")"
  [ "$(cat "$T/b.rc")" = 0 ] || fail "round $i: second install failed: $(cat "$T/b.err")"
  [ "$(cd "$T/a" && find . -path ./.yumda -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)" = \
    "$(cd "$T/b" && find . -path ./.yumda -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)" ] || fail "round $i: layers differ"
  [ -z "$(find "$C" -name '*.part*')" ] || fail "round $i: .part left"
  [ -z "$(find "$C" -name "*.in-use.*")" ] || fail "round $i: borrowed name left: $(find "$C" -name "*.in-use.*")"
done
pass "two installs sharing one cache dir: $ROUNDS of $ROUNDS rounds both succeeded"

# 3. A fifo or a symlink planted where the cache keeps a repo's repomd.xml:
# one line naming it and the fix, never a hang, never a read through the link.
y --repofrompath web,"$URL" makecache >/dev/null
md=$(find "$C/repos" -name repomd.xml -path '*/web-*' | head -n1)
[ -n "$md" ] || fail "no cached repomd.xml under $C/repos"
for plant in fifo link; do
  rm -f "$md"
  if [ $plant = fifo ]; then mkfifo "$md"; else ln -s "$DEMO_REPO/repodata/repomd.xml" "$md"; fi
  run_capture "$plant" timeout 60 "$YUMDA" -c "$T/empty.conf" --repofrompath web,"$URL" -C list --available
  [ "$(rc_of "$plant")" = 1 ] || fail "-C list with a $plant at the cached repomd.xml: exit $(rc_of "$plant"): $(cat "$T/$plant.err")"
  grep -qF "cannot read $md: " "$T/$plant.err" && grep -qF '(remove it, or run `yumda clean all`)' "$T/$plant.err" \
    || fail "a $plant at the cached repomd.xml: $(cat "$T/$plant.err")"
  [ "$(wc -l <"$T/$plant.err")" = 1 ] || fail "more than one line: $(cat "$T/$plant.err")"
done
rm -f "$md"
run_capture fresh y --repofrompath web,"$URL" list --available
[ "$(rc_of fresh)" = 0 ] || fail "list after the planted repomd.xml was removed: $(cat "$T/fresh.err")"
pass "a fifo or symlink at the cached repomd.xml: one line naming it, no hang"

# 4. A directory of the cache planted as a symlink to a directory outside it:
# the packages dir of a repo, a repo's metadata dir, the expanded cache. What
# yumda writes there would land outside the cache: one line naming the link
# and the fix, nothing written outside, the layer untouched (the expanded
# cache, which only saves time, is skipped instead).
for plant in ${PLANTS:-packages metadata expanded}; do
  rm -rf "$C" "$T/outside" "$T/l4"
  mkdir -p "$T/outside"
  y --repofrompath web,"$URL" makecache >/dev/null
  case $plant in
    packages) mkdir -p "$C/packages"; ln -s "$T/outside" "$C/packages/web"; at="$C/packages/web" ;;
    metadata) at=$(find "$C/repos" -maxdepth 1 -name 'web-*' | head -n1)
              [ -n "$at" ] || fail "no metadata dir for repo web under $C/repos"
              rm -rf "$at"; ln -s "$T/outside" "$at" ;;
    expanded) ln -s "$T/outside" "$C/expanded"; at="$C/expanded" ;;
  esac
  run_capture "dir-$plant" y --repofrompath web,"$URL" --setopt=keepcache=1 install -y --root "$T/l4" greet
  [ -z "$(ls -A "$T/outside")" ] || fail "a $plant dir planted as a link was written through: $(ls -A "$T/outside")"
  if [ $plant = expanded ]; then  # a cache of a cache: not writing it costs the next run time, nothing else
    [ "$(rc_of "dir-$plant")" = 0 ] && [ -x "$T/l4/bin/greet" ] || fail "install with the expanded dir a link: $(cat "$T/dir-$plant.err")"
    continue
  fi
  [ "$(rc_of "dir-$plant")" = 1 ] || fail "install with the $plant dir a link: exit $(rc_of "dir-$plant"): $(cat "$T/dir-$plant.err")"
  grep -qF "$at is a symbolic link" "$T/dir-$plant.err" && grep -qF 'run `yumda clean all`' "$T/dir-$plant.err" \
    || fail "the $plant dir a link: $(cat "$T/dir-$plant.err")"
  [ "$(wc -l <"$T/dir-$plant.err")" = 1 ] || fail "more than one line: $(cat "$T/dir-$plant.err")"
  [ -z "$(ls -A "$T/l4" 2>/dev/null | grep -v '^\.yumda$')" ] || fail "the layer changed: $(ls -A "$T/l4")"
done
rm -rf "$C"
pass "a cache directory planted as a symlink: refused in one line, nothing written through it"
