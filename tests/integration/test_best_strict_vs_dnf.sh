#!/bin/bash
# dnf's best and strict, with dnf run beside yumda on the same repo: foo-2.0
# needs something no repo has, foo-1.0 installs. best=0 (dnf's default) takes
# foo-1.0; best=1 / --best refuses (exit 1, the best candidate named); strict=0
# / --skip-broken installs the rest and says what it skipped (no match, broken
# dependencies); strict=1 (the default) fails on either, the layer unchanged.
. "$(dirname "$0")/lib.sh"
command -v dnf >/dev/null && command -v rpmbuild >/dev/null || { echo "skipped: needs dnf and rpmbuild"; exit 0; }
mkrpm() {  # NAME VERSION [REQUIRES]
  { echo "Name: $1"; echo "Version: $2"; echo "Release: 1"; echo "Summary: the $1 tool"; echo "License: MIT"
    echo "BuildArch: noarch"; [ -z "${3:-}" ] || echo "Requires: $3"
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s\necho %s > %%{buildroot}/opt/share/%s/file\n%%files\n/opt/share/%s\n' \
      "$1" "$1" "$2" "$1" "$1"; } >"$T/$1-$2.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/repo" "$T/$1-$2.spec" >/dev/null 2>&1 || fail "rpmbuild $1"
}
mkrpm foo 1.0
mkrpm foo 2.0 not-in-any-repo
mkrpm bar 1.0
createrepo_c --quiet "$T/repo"
printf '[main]\nbest=False\nstrict=True\ninstall_weak_deps=False\n' >"$T/dnf.conf"  # dnf's own defaults, whatever /etc says

# NAME ARGS...: the packages dnf and yumda would install (sorted NEVRAs, or
# "rc=N" when the run fails), each into a fresh root; yumda's output kept.
dnf_plan() {
  rm -rf "$T/dnfroot"
  set +e
  dnf -q -c "$T/dnf.conf" --installroot="$T/dnfroot" --releasever=1 --setopt=cachedir="$T/dnfcache" --disablerepo='*' \
    --repofrompath="t,file://$T/repo" --enablerepo=t --setopt=t.gpgcheck=0 -y "$@" >"$T/dnf.out" 2>"$T/dnf.err"
  rc=$?; set -e
  [ "$rc" = 0 ] || { echo "rc=$rc"; return; }
  rpm --root "$T/dnfroot" -qa --qf '%{name}-%{version}\n' | sort | tr '\n' ' '
}
yumda_plan() {
  name=$1; shift
  rm -rf "$T/layer"
  run_capture "$name" "$YUMDA" -c "$T/empty.conf" --baseline none --repofrompath "t,file://$T/repo" --root "$T/layer" -y "$@"
  [ "$(rc_of "$name")" = 0 ] || { echo "rc=$(rc_of "$name")"; return; }
  "$YUMDA" -c "$T/empty.conf" --root "$T/layer" --json list --installed |
    python3 -c 'import json,sys; d=json.load(sys.stdin); d=d["installed"]; print(" ".join(sorted(p["name"]+"-"+p["version"] for p in d))+" ")'
}
same() {  # NAME ARGS...
  name=$1; shift
  want=$(dnf_plan "$@"); got=$(yumda_plan "$name" "$@")
  [ "$want" = "$got" ] || { echo "FAIL: $name ($*): dnf [$want], yumda [$got]: $(cat "$T/$name.err")" >&2; echo mismatch; return; }
  echo "$got"
}

[ "$(same nobest install foo)" = "foo-1.0 " ] || fail "best=0 did not fall back to foo-1.0"
pass "best=0 (dnf's default): install foo takes foo-1.0, as dnf"

[ "$(same best_conf --setopt=best=1 install foo)" = "rc=1" ] || fail "best=1 installed something"
grep -q "foo-2.0" "$T/best_conf.err" || fail "best=1: the best candidate is not named: $(cat "$T/best_conf.err")"
[ "$(same best_flag --best install foo)" = "rc=1" ] || fail "--best installed something"
[ ! -e "$T/layer/.yumda/installed.json" ] || fail "a refused --best install wrote a layer record"
pass "best=1 / --best refuse, as dnf: $(head -c 300 "$T/best_flag.err" | tr '\n' ' ')"

[ "$(same strict_nomatch install bar nosuch)" = "rc=1" ] || fail "strict: an unknown name did not fail"
[ "$(same skip_nomatch --setopt=strict=0 install bar nosuch)" = "bar-1.0 " ] || fail "strict=0: no match"
grep -q "No match for argument: nosuch" "$T/skip_nomatch.err" "$T/skip_nomatch.out" || fail "strict=0: the skipped name is not said"
[ "$(same strict_broken --best install bar foo-2.0)" = "rc=1" ] || fail "strict: broken foo-2.0 did not fail"
[ "$(same skip_broken --skip-broken install bar foo-2.0)" = "bar-1.0 " ] || fail "--skip-broken"
grep -q "foo-2.0" "$T/skip_broken.out" || fail "--skip-broken does not say it skipped foo-2.0: $(cat "$T/skip_broken.out")"
pass "strict=0 / --skip-broken install the rest and say what they skipped, as dnf"

run_capture badbest "$YUMDA" -c "$T/empty.conf" --setopt=best=maybe --repofrompath "t,file://$T/repo" --root "$T/layer" -y install bar
[ "$(rc_of badbest)" != 0 ] && grep -q "best" "$T/badbest.err" || fail "best=maybe: $(cat "$T/badbest.err")"
pass "a bad value for best is refused: $(cat "$T/badbest.err")"
