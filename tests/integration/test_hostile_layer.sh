#!/bin/bash
# A hostile layer directory (issue #14): everything yumda reads back from
# ROOT/.yumda is input someone may have planted (a restored CI cache, a layer
# unpacked from elsewhere). A forged journal, a .yumda symlink or a symlinked
# --root must never make yumda touch anything outside the layer.
. "$(dirname "$0")/lib.sh"
[ -n "${DEMO_REPO:-}" ] && [ -d "$DEMO_REPO" ] || skip "needs the demo repo"
Y=(--repofrompath demo,file://"$DEMO_REPO")

mkdir -p "$T/outside"
echo keep >"$T/outside/x"
victim_ok() { [ "$(cat "$T/outside/x" 2>/dev/null)" = keep ]; }

# 1. A forged committed journal whose removals name ../outside/x.
L="$T/box/layer"
mkdir -p "$T/box"
y "${Y[@]}" install -y -q --root "$L" greet >/dev/null
cp -r "$T/outside" "$T/box/outside-real"
mkdir -p "$L/.yumda/txn"
echo '["../outside-real/x"]' >"$L/.yumda/txn/removals.json"
echo commit >"$L/.yumda/txn/COMMIT"
run_capture forged y --root "$L" list --installed
[ -f "$T/box/outside-real/x" ] || fail "a forged journal deleted a file outside the layer: $(cat "$T/forged.err")"
[ "$(rc_of forged)" = 1 ] || fail "forged journal: exit $(rc_of forged), want 1"
grep -q "names '../outside-real/x', which is not a path inside the layer" "$T/forged.err" || fail "forged: $(cat "$T/forged.err")"
[ "$(wc -l <"$T/forged.err")" = 1 ] || fail "forged: not one line: $(cat "$T/forged.err")"
pass "a forged journal naming ../outside/x is refused, the file stays"

# 1b. The journal's removals.json as a symlink to a file elsewhere, and an
# absolute name: refused too.
echo '["/etc/yumda-never"]' >"$L/.yumda/txn/removals.json"
run_capture abs y --root "$L" list --installed
grep -q "names '/etc/yumda-never'" "$T/abs.err" || fail "absolute removal: $(cat "$T/abs.err")"
echo '[]' >"$T/outside/removals.json"
rm "$L/.yumda/txn/removals.json" && ln -s "$T/outside/removals.json" "$L/.yumda/txn/removals.json"
run_capture rlink y --root "$L" list --installed
[ "$(rc_of rlink)" = 1 ] && grep -q "symlink" "$T/rlink.err" || fail "removals.json symlink: $(cat "$T/rlink.err")"
rm -rf "$L/.yumda/txn"
pass "an absolute removal and a symlinked removals.json are refused"

# 2. installed.json as a symlink to a file outside: not read.
mv "$L/.yumda/installed.json" "$T/outside/state.json"
ln -s "$T/outside/state.json" "$L/.yumda/installed.json"
run_capture slink y --root "$L" list --installed
[ "$(rc_of slink)" = 1 ] && grep -q "layer state .* is a symlink or leads out of the layer" "$T/slink.err" || fail "state symlink: $(cat "$T/slink.err")"
rm "$L/.yumda/installed.json" && mv "$T/outside/state.json" "$L/.yumda/installed.json"
pass "a symlinked installed.json is refused"

# 3. ROOT/.yumda as a symlink: list and remove refuse, write nothing there.
M="$T/box/m"
y "${Y[@]}" install -y -q --root "$M" greet >/dev/null
mv "$M/.yumda" "$T/outside/meta"
ln -s "$T/outside/meta" "$M/.yumda"
before=$(snapshot "$T/outside")
for verb in "list --installed" "remove -y greet"; do
  # shellcheck disable=SC2086
  run_capture meta y "${Y[@]}" --root "$M" $verb
  [ "$(rc_of meta)" != 0 ] || fail "$verb went through a .yumda symlink"
  grep -q "\.yumda is a symlink or not a directory" "$T/meta.err" || fail "$verb: $(cat "$T/meta.err")"
  [ "$(snapshot "$T/outside")" = "$before" ] || fail "$verb wrote into the .yumda symlink's target"
done
[ -f "$M/bin/greet" ] || fail "remove went ahead"
pass "list and remove refuse a .yumda symlink and write nothing through it"

# 4. --root itself a symlink: refused before anything is fetched.
mkdir -p "$T/real"
ln -s "$T/real" "$T/rootlink"
serve "$DEMO_REPO"
run_capture rl y --repofrompath web,"$URL" --root "$T/rootlink" install -y greet
[ "$(rc_of rl)" = 1 ] || fail "symlinked --root: exit $(rc_of rl)"
grep -q "is a symlink; yumda follows no link into a layer" "$T/rl.err" || fail "rootlink: $(cat "$T/rl.err")"
[ -z "$(find "$XDG_CACHE_HOME" -name '*.rpm' -o -name 'repomd.xml' 2>/dev/null)" ] || fail "downloaded before refusing the symlinked root"
[ -z "$(ls -A "$T/real")" ] || fail "wrote into the symlinked root's target"
pass "a symlinked --root is refused before downloading anything"
victim_ok || fail "the file outside changed"

# A history forged with terminal escapes in its command and NEVRAs: `history`
# and `history info` show them escaped, never raw.
mkdir -p "$T/esc/.yumda"
printf '{"format_version": 1, "packages": [], "history": [{"id": 1, "time": 0, "command": "x\\u001b]0;pwned\\u0007\\u001b[2J", "packages": [{"action": "Install", "name": "a\\u001b[31m", "version": "1", "release": "1", "arch": "noarch", "reason": "user"}]}]}\n' >"$T/esc/.yumda/installed.json"
for v in "history" "history info 1"; do
  run_capture esc y $v --root "$T/esc"
  [ "$(rc_of esc)" = 0 ] || fail "$v on a forged history: $(cat "$T/esc.err")"
  ! grep -q "$(printf '\033')" "$T/esc.out" || fail "$v sent an escape sequence to the terminal: $(od -c "$T/esc.out" | head -3)"
done
grep -q 'a\\x1b\[31m' "$T/esc.out" || fail "history info does not show the escaped name: $(cat "$T/esc.out")"
pass "a forged history's escapes are shown escaped"
