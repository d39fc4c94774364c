#!/bin/bash
# Installing through an in-layer directory symlink a package owns (issue #14):
# linkdir ships /opt/lib64 and /opt/lib -> lib64, libb ships /opt/lib/libb.so.1
# (and /opt/lib/libb.so -> libb.so.1). As rpm does, libb's files land in lib64,
# in two runs or one, and list, check and remove work through the symlink.
# A symlink leading out of the layer (outlink: /opt/lib -> /etc, uplink:
# /opt/lib -> ../sentinel), or one nobody owns, is still never followed: one
# line of error, the layer unchanged, nothing written beside it.
. "$(dirname "$0")/lib.sh"
command -v rpmbuild >/dev/null || skip "needs rpmbuild"

pkg() {  # pkg NAME INSTALL-SCRIPT FILES...: a noarch package of its own
  local name=$1 script=$2; shift 2
  {
    printf 'Name: %s\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\nBuildArch: noarch\nAutoReqProv: no\n' "$name"
    printf '%%description\nx\n%%install\nmkdir -p %%{buildroot}/opt\ncd %%{buildroot}/opt\n%s\n%%files\n' "$script"
    printf '%s\n' "$@"
  } >"$T/$name.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_build_id_links none" "$T/$name.spec" \
    >"$T/rpmbuild.log" 2>&1 || { cat "$T/rpmbuild.log"; fail "rpmbuild $name"; }
  cp "$T/top/RPMS/noarch/$name-1-1.noarch.rpm" "$T/repo/packages/"
}
mkdir -p "$T/repo/packages"
pkg linkdir 'mkdir lib64 && ln -s lib64 lib' '%dir /opt/lib64' /opt/lib
pkg libb 'mkdir lib && echo libb > lib/libb.so.1 && ln -s libb.so.1 lib/libb.so' /opt/lib/libb.so.1 /opt/lib/libb.so
pkg libother 'mkdir lib64 && echo other > lib64/libb.so.1' /opt/lib64/libb.so.1
pkg outlink 'ln -s /etc lib' /opt/lib
pkg uplink 'ln -s ../sentinel lib' /opt/lib
createrepo_c --quiet "$T/repo"
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=none\n\n[local]\nname=local\nbaseurl=file://%s\n' "$T/repo" >"$T/o.conf"
yo() { "$YUMDA" -c "$T/o.conf" "$@"; }

BOX="$T/box"
R="$BOX/layer"
mkdir -p "$BOX/sentinel"
tree() { (cd "$1" && find . -path ./.yumda -prune -o -printf '%y %m %s %l %p\n' | sort); }
fresh() { rm -rf "$R"; mkdir -p "$R"; }

# --- two runs: the owner of the symlink first, then the package using it.
fresh
yo install -y -q --root "$R" linkdir >/dev/null
only_linkdir=$(tree "$R")
run_capture b yo install -y --root "$R" libb
[ "$(rc_of b)" = 0 ] || fail "install libb through linkdir's /opt/lib: $(cat "$T/b.err")"
[ -L "$R/lib" ] && [ "$(readlink "$R/lib")" = lib64 ] || fail "/opt/lib is no longer linkdir's symlink"
[ -f "$R/lib64/libb.so.1" ] && [ ! -L "$R/lib64/libb.so.1" ] || fail "libb.so.1 is not a file in lib64"
[ "$(cat "$R/lib64/libb.so.1")" = libb ] || fail "libb.so.1 has the wrong content"
[ "$(readlink "$R/lib64/libb.so")" = libb.so.1 ] || fail "libb.so is not libb's symlink in lib64"
two_runs=$(tree "$R")
pass "two runs: libb's /opt/lib files are in lib64, /opt/lib still the symlink"

yo list --installed --root "$R" >"$T/list.out"
grep -q '^libb\.' "$T/list.out" && grep -q '^linkdir\.' "$T/list.out" || fail "list --installed: $(cat "$T/list.out")"
yo --json list --installed --root "$R" | grep -q '"lib/libb.so.1"\|libb' || fail "list --json"
grep -q '"lib/libb.so.1"' "$R/.yumda/installed.json" || fail "the record does not name the path as libb does"
run_capture check yo check --root "$R"
[ "$(rc_of check)" = 0 ] || fail "check: $(cat "$T/check.out" "$T/check.err")"
pass "list and check through the symlink (recorded as lib/libb.so.1)"

# A new copy of the symlink's owner (reinstall: rpm replaces the symlink)
# leaves what others installed through it.
run_capture re yo reinstall -y --root "$R" linkdir
[ "$(rc_of re)" = 0 ] || fail "reinstall linkdir: $(cat "$T/re.err")"
[ "$(tree "$R")" = "$two_runs" ] || fail "reinstall linkdir changed the layer"
pass "reinstall linkdir keeps libb's files"

# Another package's /opt/lib64/libb.so.1 is the same file: a conflict, as rpm says.
run_capture other yo install -y --root "$R" libother
[ "$(rc_of other)" != 0 ] || fail "libother's lib64/libb.so.1 over libb's lib/libb.so.1 was accepted"
grep -q 'conflicts between package libother-1-1.noarch and installed package libb-1-1.noarch' "$T/other.err" ||
  fail "conflict message: $(cat "$T/other.err")"
[ "$(tree "$R")" = "$two_runs" ] || fail "the refused libother changed the layer"
pass "libother's lib64/libb.so.1 conflicts with libb's lib/libb.so.1: $(grep ^error "$T/other.err")"

run_capture rm yo remove -y --root "$R" libb
[ "$(rc_of rm)" = 0 ] || fail "remove libb: $(cat "$T/rm.err")"
[ "$(tree "$R")" = "$only_linkdir" ] || { diff <(echo "$only_linkdir") <(tree "$R") >&2; fail "remove libb did not leave linkdir's layer"; }
pass "remove libb: its files gone from lib64, linkdir's lib and lib64 intact"

# --- one run, in both orders of the request.
for req in "linkdir libb" "libb linkdir"; do
  fresh
  run_capture one yo install -y --root "$R" $req
  [ "$(rc_of one)" = 0 ] || fail "install $req in one run: $(cat "$T/one.err")"
  [ "$(tree "$R")" = "$two_runs" ] || { diff <(echo "$two_runs") <(tree "$R") >&2; fail "one run ($req) gave another layer"; }
done
fresh
run_capture one yo install -y --root "$R" linkdir libb libother
[ "$(rc_of one)" != 0 ] || fail "libb and libother in one run were accepted"
grep -q 'conflicts between' "$T/one.err" || fail "one-run conflict message: $(cat "$T/one.err")"
[ -z "$(ls -A "$R")" ] || fail "the refused run left something in the layer: $(ls -A "$R")"
pass "one run: the same layer as two runs; libb with libother refused as a conflict"

# --- symlinks leading out of the layer, and one nobody owns: never followed.
for owner in outlink uplink; do
  fresh
  yo install -y -q --root "$R" $owner >/dev/null
  before=$(snapshot "$BOX")
  run_capture out yo install -y --root "$R" libb
  [ "$(rc_of out)" != 0 ] || fail "libb installed through $owner's $(readlink "$R/lib")"
  [ "$(grep -c . "$T/out.err")" = 1 ] || fail "expected one line: $(cat "$T/out.err")"
  grep -q "symlink /opt/lib of package $owner-1-1.noarch" "$T/out.err" || fail "the error does not name the symlink: $(cat "$T/out.err")"
  [ "$(snapshot "$BOX")" = "$before" ] || fail "the refused install changed the layer or wrote beside it"
  [ ! -e /etc/libb.so.1 ] || fail "/etc/libb.so.1 written"
  pass "$owner (/opt/lib -> $(readlink "$R/lib")), then libb: $(cat "$T/out.err")"
  fresh
  run_capture out yo install -y --root "$R" $owner libb
  [ "$(rc_of out)" != 0 ] || fail "$owner and libb in one run were accepted"
  [ "$(grep -c . "$T/out.err")" = 1 ] || fail "expected one line: $(cat "$T/out.err")"
  grep -q "symlink /opt/lib of package $owner-1-1.noarch" "$T/out.err" || fail "the error does not name the symlink: $(cat "$T/out.err")"
  [ -z "$(ls -A "$R")" ] && [ -z "$(ls -A "$BOX/sentinel")" ] || fail "the refused run left files"
  [ ! -e /etc/libb.so.1 ] || fail "/etc/libb.so.1 written"
  pass "$owner and libb in one run: $(cat "$T/out.err")"
done

fresh
mkdir "$R/lib64" && ln -s lib64 "$R/lib"
before=$(snapshot "$BOX")
run_capture planted yo install -y --root "$R" libb
[ "$(rc_of planted)" != 0 ] || fail "libb installed through a symlink nobody owns"
[ "$(grep -c . "$T/planted.err")" = 1 ] || fail "expected one line: $(cat "$T/planted.err")"
[ "$(snapshot "$BOX")" = "$before" ] || fail "the refused install changed the layer"
pass "a planted lib -> lib64 nobody owns: $(cat "$T/planted.err")"
