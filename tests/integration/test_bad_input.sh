#!/bin/bash
# Bad input: one clear line, a non-zero exit, and the layer exactly as it was.
. "$(dirname "$0")/lib.sh"
R="$T/layer"
y --repofrompath demo,file://"$DEMO_REPO" install -y -q --root "$R" libgreet >/dev/null
before=$(snapshot "$R")

# expect_failure NAME PATTERN CMD...: exits non-zero, says PATTERN in one line, layer untouched.
expect_failure() {
  name=$1 pattern=$2; shift 2
  run_capture "$name" "$@"
  [ "$(rc_of "$name")" != 0 ] || fail "$name: exited 0"
  grep -Eqi "$pattern" "$T/$name.err" || fail "$name: stderr lacks /$pattern/: $(cat "$T/$name.err")"
  [ "$(grep -c . "$T/$name.err")" -le 2 ] || fail "$name: more than one error line: $(cat "$T/$name.err")"
  [ "$(snapshot "$R")" = "$before" ] || fail "$name: the layer changed"
  pass "$name -> $(head -n1 "$T/$name.err")"
}

expect_failure unknown_package "no match for argument: no-such-package" \
  y --repofrompath demo,file://"$DEMO_REPO" install -y --root "$R" greet no-such-package

expect_failure unreachable_repo "repo.*gone.*(baseurl|disablerepo)" \
  y --repofrompath gone,http://127.0.0.1:9/nothing install -y --root "$R" greet

mkdir -p "$T/malformed/repodata" && echo "<html>not rpm-md</html>" >"$T/malformed/repodata/repomd.xml"
expect_failure malformed_repo "repomd|malformed|not .*rpm-md|parse" \
  y --repofrompath bad,file://"$T/malformed" install -y --root "$R" greet

# A package whose bytes no longer match the metadata.
cp -a "$DEMO_REPO" "$T/corrupt"
f=$(ls "$T"/corrupt/packages/greet-data-*.rpm)
printf 'garbage' | dd of="$f" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect_failure checksum_mismatch "greet-data.*(checksum|does not match|corrupt)" \
  y --repofrompath c,file://"$T/corrupt" install -y --root "$R" greet

touch "$T/afile"
run_capture root_is_file y --repofrompath demo,file://"$DEMO_REPO" install -y --root "$T/afile" greet
[ "$(rc_of root_is_file)" != 0 ] && grep -q "afile" "$T/root_is_file.err" || fail "a file as --root was not refused"
pass "root is a file -> $(cat "$T/root_is_file.err")"

printf '[main]\nreposdir=\nthis line is nonsense\n' >"$T/bad.conf"
run_capture bad_config "$YUMDA" -c "$T/bad.conf" install -y --root "$R" greet
[ "$(rc_of bad_config)" = 2 ] || fail "bad config line: exit $(rc_of bad_config), want 2"
grep -q "bad.conf:3" "$T/bad_config.err" || fail "bad config line not named with file:line: $(cat "$T/bad_config.err")"
[ "$(snapshot "$R")" = "$before" ] || fail "bad config changed the layer"
pass "bad config line -> $(cat "$T/bad_config.err")"

expect_failure no_tty "add -y" y --repofrompath demo,file://"$DEMO_REPO" install --root "$R" greet

run_capture assumeno y --repofrompath demo,file://"$DEMO_REPO" install --assumeno --root "$R" greet
[ "$(rc_of assumeno)" = 1 ] && grep -q "Operation aborted" "$T/assumeno.out" || fail "--assumeno did not stop cleanly (exit 1, as dnf)"
[ "$(snapshot "$R")" = "$before" ] || fail "--assumeno changed the layer"
pass "--assumeno shows and stops"
