#!/bin/bash
# Hostile packages through the real binary, from a repo made by createrepo_c.
# The payloads are hand-made cpio streams spliced into rpmbuild packages with
# every digest fixed (craft_rpm.py), so yumda's digest check passes and the
# extractor itself must refuse them. Each case: refused (one clear error, layer
# unchanged) or handled (installed safely); nothing appears beside the layer
# (box/ holds only layer/ and an empty sentinel/).
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 0; }

# Base packages, one per case, all carrying /opt/NAME/ok: one rpmbuild run.
NAMES="evil-dotdot evil-symlink-out evil-symlink-up evil-abs-symlink-dir evil-device evil-fifo evil-newline evil-badutf8 evil-escape evil-absolute evil-smuggled evil-oversized realdotdot"
{
  printf 'Name: hostile-base\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\nBuildArch: noarch\n%%description\nx\n'
  for n in $NAMES; do printf '%%package -n %s\nSummary: %s\n%%description -n %s\nx\n' "$n" "$n" "$n"; done
  printf '%%install\nfor n in %s; do mkdir -p %%{buildroot}/opt/$n; echo ok > %%{buildroot}/opt/$n/ok; done\n' "$NAMES"
  printf '%%files\n'
  for n in $NAMES; do printf '%%files -n %s\n/opt/%s\n' "$n" "$n"; done
} >"$T/hostile.spec"
rpmbuild -bb --quiet --define "_topdir $T/top" --define "_binary_payload w9.gzdio" \
  --define "_build_id_links none" "$T/hostile.spec" >"$T/rpmbuild.log" 2>&1 || { cat "$T/rpmbuild.log"; fail "rpmbuild"; }

BOX="$T/box"
mkdir -p "$BOX/sentinel" "$T/repo/packages"
S="$BOX/sentinel"
craft() {  # craft NAME JSON
  printf '%s' "$2" >"$T/$1.json"
  python3 "$HERE/craft_rpm.py" "$T/top/RPMS/noarch/$1-1-1.noarch.rpm" "$T/repo/packages/$1-1-1.noarch.rpm" "$T/$1.json"
}
craft evil-dotdot '[{"name":"./opt/../sentinel/pwned","data":"pwned"}]'
craft evil-symlink-out "[{\"name\":\"./opt/evil\",\"type\":\"symlink\",\"mode\":511,\"data\":\"$S\"},{\"name\":\"./opt/evil/pwned\",\"data\":\"pwned\"}]"
craft evil-symlink-up '[{"name":"./opt/up","type":"symlink","mode":511,"data":"../sentinel"},{"name":"./opt/up/pwned","data":"pwned"}]'
craft evil-abs-symlink-dir "[{\"name\":\"./opt/d\",\"type\":\"symlink\",\"mode\":511,\"data\":\"$S\"},{\"name\":\"./opt/d/sub\",\"type\":\"dir\",\"mode\":493}]"
craft evil-device '[{"name":"./opt/dev/null","type":"chr","mode":438}]'
craft evil-fifo '[{"name":"./opt/fifo","type":"fifo","mode":420}]'
craft evil-newline '[{"name":"./opt/new\nline","data":"x"}]'
craft evil-escape '[{"name":"./opt/esc\u001b[2Jcleared","data":"x"}]'
craft evil-badutf8 '[{"name":"./opt/bad\udcff\udcfeutf8","data":"y"}]'
craft evil-smuggled '[{"name":"./opt/evil-smuggled/ok","data":"ok\n"},{"name":"./opt/evil-smuggled/extra","data":"x"}]'
craft evil-oversized '[{"name":"./opt/evil-oversized/ok","data":"far more than the header says"}]'
# evil-setuid: a real setuid and a real setgid file (rpmbuild, so the header describes them).
printf 'Name: evil-setuid\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\nBuildArch: noarch\n%%description\nx\n%%install\nmkdir -p %%{buildroot}/opt/bin\nprintf "#!/bin/sh\\n" > %%{buildroot}/opt/bin/su-like\nprintf "#!/bin/sh\\n" > %%{buildroot}/opt/bin/sg-like\n%%files\n%%attr(6755,root,root) /opt/bin/su-like\n%%attr(2755,root,root) /opt/bin/sg-like\n' >"$T/evil-setuid.spec"
rpmbuild -bb --quiet --define "_topdir $T/top" --define "_build_id_links none" "$T/evil-setuid.spec" >"$T/rpmbuild.log" 2>&1 || { cat "$T/rpmbuild.log"; fail "rpmbuild evil-setuid"; }
cp "$T/top/RPMS/noarch/evil-setuid-1-1.noarch.rpm" "$T/repo/packages/"
craft evil-absolute '[{"name":"/opt/../../../../../tmp/yumda-hostile-abs","data":"pwned"},{"name":"/etc/passwd-yumda","data":"pwned"}]'
# conf-a/conf-b: plain rpmbuild packages owning /opt/share/same, different content.
for p in a b; do
  printf 'Name: conf-%s\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\nBuildArch: noarch\n%%description\nx\n%%install\nmkdir -p %%{buildroot}/opt/share\necho content %s > %%{buildroot}/opt/share/same\n%%files\n/opt/share/same\n' "$p" "$p" >"$T/conf-$p.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_build_id_links none" "$T/conf-$p.spec" >"$T/rpmbuild.log" 2>&1 || { cat "$T/rpmbuild.log"; fail "rpmbuild conf-$p"; }
  cp "$T/top/RPMS/noarch/conf-$p-1-1.noarch.rpm" "$T/repo/packages/"
done
# The real dotdot.cpio (go-rpmutils) as a payload, when ../shared is there.
SHARED=${YUMDA_SHARED_DIR:-$(cd "$HERE/../../.." && pwd)/shared}
DOTDOT="$SHARED/fixtures/real/go-rpmutils/testdata/dotdot.cpio"
if [ -f "$DOTDOT" ]; then
  python3 "$HERE/craft_rpm.py" "$T/top/RPMS/noarch/realdotdot-1-1.noarch.rpm" "$T/repo/packages/realdotdot-1-1.noarch.rpm" --cpio "$DOTDOT"
else
  echo "SKIP (realdotdot): $DOTDOT is absent (../shared not here)"
fi
createrepo_c --quiet "$T/repo"

R="$BOX/layer"
# The layer starts with conf-a, so "unchanged" means something.
y --repofrompath h,file://"$T/repo" install -y -q --root "$R" conf-a >/dev/null
before=$(snapshot "$R")

box_clean() {
  [ "$(ls -A "$BOX" | sort | tr '\n' ' ')" = "layer sentinel " ] || fail "$1: something appeared beside the layer: $(ls -A "$BOX")"
  [ -z "$(ls -A "$S")" ] || fail "$1: the sentinel dir is not empty: $(ls -A "$S")"
  [ ! -e /tmp/yumda-hostile-abs ] && [ ! -e /etc/passwd-yumda ] || fail "$1: an absolute name escaped"
}
hy() { y --repofrompath h,file://"$T/repo" "$@"; }

# refused NAME PATTERN: install must fail naming the package and PATTERN, layer unchanged.
refused() {
  name=$1 pattern=$2
  run_capture "$name" hy install -y --root "$R" "$name"
  [ "$(rc_of "$name")" != 0 ] || fail "$name: was installed: $(find "$R" -path "*$name*")"
  grep -q "$name" "$T/$name.err" || fail "$name: the error does not name the package: $(cat "$T/$name.err")"
  grep -Eqi "$pattern" "$T/$name.err" || fail "$name: stderr lacks /$pattern/: $(cat "$T/$name.err")"
  [ "$(grep -c . "$T/$name.err")" -le 2 ] || fail "$name: more than one error line: $(cat "$T/$name.err")"
  [ "$(snapshot "$R")" = "$before" ] || fail "$name: refused but the layer changed"
  box_clean "$name"
  pass "$name refused -> $(head -n1 "$T/$name.err")"
}
refused evil-dotdot "'\.\.'"
refused evil-symlink-out "symlink"
refused evil-symlink-up "symlink"
refused evil-abs-symlink-dir "symlink"
refused evil-device "device"
refused evil-fifo "fifo"
# Payload entries the signed header does not describe (rpm: "Archive file not in header").
refused evil-smuggled "entry /opt/evil-smuggled/extra of its payload is not in its header's file list"
refused evil-oversized "entry /opt/evil-oversized/ok has 29 bytes of data where its header says 3"

# Names outside /opt (absolute or escaping by ..) are skipped or refused, never written.
run_capture evil-absolute hy install -y --root "$R" evil-absolute
box_clean evil-absolute
if [ "$(rc_of evil-absolute)" = 0 ]; then
  [ -z "$(find "$R" -name 'yumda-hostile-abs' -o -name 'passwd-yumda')" ] || fail "evil-absolute: an outside-/opt entry landed in the layer"
  pass "evil-absolute handled: entries outside /opt skipped ($(tr '\n' ' ' <"$T/evil-absolute.err"))"
  hy remove -y -q --root "$R" evil-absolute >/dev/null 2>&1 || true
else
  [ "$(snapshot "$R")" = "$before" ] || fail "evil-absolute: refused but the layer changed"
  pass "evil-absolute refused -> $(head -n1 "$T/evil-absolute.err")"
fi
[ "$(snapshot "$R")" = "$before" ] || fail "evil-absolute: layer not back to before after remove"

# Odd names (newline, invalid UTF-8): installed inside the layer (and removable)
# or refused with the layer unchanged; never anything outside.
odd_name() {
  name=$1
  run_capture "$name" hy install -y --root "$R" "$name"
  box_clean "$name"
  if [ "$(rc_of "$name")" = 0 ]; then
    hy remove -y -q --root "$R" "$name" >/dev/null 2>&1 || fail "$name: remove failed"
    [ "$(snapshot "$R")" = "$before" ] || fail "$name: remove did not give back the layer"
    pass "$name handled: installed inside the layer, then removed"
  else
    [ "$(snapshot "$R")" = "$before" ] || fail "$name: refused but the layer changed"
    [ "$(grep -c . "$T/$name.err")" -le 2 ] || fail "$name: more than one error line: $(cat "$T/$name.err")"
    grep -q "$name" "$T/$name.err" || fail "$name: the error does not name the package: $(cat "$T/$name.err")"
    pass "$name refused, layer unchanged -> $(head -n1 "$T/$name.err")"
  fi
}
odd_name evil-newline
odd_name evil-badutf8
# An escape sequence in a name reaches the terminal as text, not as a command.
run_capture evil-escape hy install -y --root "$R" evil-escape
[ "$(rc_of evil-escape)" != 0 ] || fail "evil-escape: was installed"
grep -q $'\x1b' "$T/evil-escape.err" && fail "evil-escape: a raw escape sequence reached stderr"
grep -qF 'esc\x1b[2Jcleared' "$T/evil-escape.err" || fail "evil-escape: the name is not shown escaped: $(cat -v "$T/evil-escape.err")"
[ "$(snapshot "$R")" = "$before" ] || fail "evil-escape: refused but the layer changed"
box_clean evil-escape
pass "evil-escape refused, the name shown escaped -> $(head -n1 "$T/evil-escape.err")"

# setuid/setgid: installed with the bits dropped, and a warning.
run_capture evil-setuid hy install -y --root "$R" evil-setuid
[ "$(rc_of evil-setuid)" = 0 ] || fail "evil-setuid: install failed: $(cat "$T/evil-setuid.err")"
box_clean evil-setuid
[ -f "$R/bin/su-like" ] && [ -f "$R/bin/sg-like" ] || fail "evil-setuid: files not installed"
[ -z "$(find "$R" -perm /6000)" ] || fail "evil-setuid: setuid/setgid bits kept: $(find "$R" -perm /6000 -printf '%m %p\n')"
grep -Eqi "setuid|setgid" "$T/evil-setuid.err" "$T/evil-setuid.out" || fail "evil-setuid: no warning about the dropped bits"
pass "evil-setuid installed as $(stat -c %a "$R/bin/su-like")/$(stat -c %a "$R/bin/sg-like"), warned: $(grep -hEi 'setuid|setgid' "$T/evil-setuid.err" "$T/evil-setuid.out" | head -n1)"
hy remove -y -q --root "$R" evil-setuid >/dev/null
[ "$(snapshot "$R")" = "$before" ] || fail "evil-setuid: remove did not give back the layer"

# Two packages owning one path with different content: a conflict naming both,
# whether installed together or one after the other (conf-a is in the layer).
run_capture conflict_installed hy install -y --root "$R" conf-b
[ "$(rc_of conflict_installed)" != 0 ] || fail "conf-b over conf-a was installed"
grep -q conf-a "$T/conflict_installed.err" && grep -q conf-b "$T/conflict_installed.err" \
  || fail "conflict does not name both packages: $(cat "$T/conflict_installed.err")"
[ "$(snapshot "$R")" = "$before" ] || fail "conflict changed the layer"
pass "conflict with an installed package -> $(head -n1 "$T/conflict_installed.err")"
R2="$BOX/layer2-tmp"
run_capture conflict_together hy install -y --root "$R2" conf-a conf-b
[ "$(rc_of conflict_together)" != 0 ] || fail "conf-a + conf-b together were installed"
grep -q conf-a "$T/conflict_together.err" && grep -q conf-b "$T/conflict_together.err" \
  || fail "conflict does not name both packages: $(cat "$T/conflict_together.err")"
[ ! -e "$R2/share/same" ] || fail "a conflicting file landed"
rm -rf "$R2"
box_clean conflict_together
pass "conflict within one transaction -> $(head -n1 "$T/conflict_together.err")"

if [ -f "$T/repo/packages/realdotdot-1-1.noarch.rpm" ]; then
  run_capture realdotdot hy install -y --root "$R" realdotdot
  box_clean realdotdot
  [ -z "$(find "$T" -name 'aaaaaaaaa' 2>/dev/null)" ] || fail "realdotdot: ../../aaaaaaaaa was written"
  if [ "$(rc_of realdotdot)" = 0 ]; then
    pass "real go-rpmutils dotdot.cpio handled: its entries are outside /opt and were skipped"
  else
    [ "$(snapshot "$R")" = "$before" ] || fail "realdotdot: refused but the layer changed"
    pass "real go-rpmutils dotdot.cpio refused -> $(head -n1 "$T/realdotdot.err")"
  fi
fi
