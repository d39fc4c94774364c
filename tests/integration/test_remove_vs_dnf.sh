#!/bin/bash
# remove takes out what dnf takes out: the named package, what needs it, and
# dependencies nothing needs any more; packages asked for by name are kept.
# Both tools install the same packages from the same repo, remove the same
# spec, and the remaining package sets are compared. Dependencies are
# libsolv's: versions count, rich (a or b) requirements count, and
# clean_requirements_on_remove / protected_packages mean what they mean to dnf.
. "$(dirname "$0")/lib.sh"
command -v dnf >/dev/null || { echo "skipped: dnf is not installed"; exit 0; }
mkrpm() {  # NAME REQUIRES... (PROV="cap = 1" for a Provides:)
  name=$1; shift
  { echo "Name: $name"; echo "Version: 1.0"; [ -z "${PROV:-}" ] || echo "Provides: $PROV"; echo "Release: 1"; echo "Summary: $name"; echo "License: MIT"
    echo "BuildArch: noarch"; for r in "$@"; do echo "Requires: $r"; done
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s\necho %s > %%{buildroot}/opt/share/%s/file\n%%files\n/opt/share/%s\n' \
      "$name" "$name" "$name" "$name" "$name"; } >"$T/$name.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/repo" "$T/$name.spec" >/dev/null 2>&1 || fail "rpmbuild $name"
}
mkrpm app lib-b tool-e
mkrpm lib-b lib-c
mkrpm lib-c
mkrpm tool-e
mkrpm other
mkrpm plugin app
mkrpm viewer fontcfg
mkrpm fontcfg '(font-x or font-none)'
mkrpm font-x
PROV="api = 1" mkrpm old-api
PROV="api = 2" mkrpm new-api
mkrpm app2 'api >= 2'
createrepo_c --quiet "$T/repo"

DNF="dnf -q --installroot=$T/dnfroot --releasever=1 --setopt=cachedir=$T/dnfcache --setopt=install_weak_deps=False
  --repofrompath=t,file://$T/repo --disablerepo=* --enablerepo=t --setopt=t.gpgcheck=0 -y"
YU="$YUMDA -c $T/empty.conf --baseline none --repofrompath t,file://$T/repo -y -q"

compare() {  # INSTALL-SPECS REMOVE-SPEC [DNF-OPTION YUMDA-OPTION]
  rm -rf "$T/dnfroot" "$T/layer"
  $DNF install $1 >/dev/null 2>&1 || fail "dnf install $1"
  $YU install --root "$T/layer" $1 >/dev/null || fail "yumda install $1"
  $DNF ${3:-} remove $2 >/dev/null 2>&1 || fail "dnf remove $2"
  $YU ${4:-} remove --root "$T/layer" $2 >/dev/null || fail "yumda remove $2"
  want=$(rpm --root "$T/dnfroot" -qa --qf '%{NAME}\n' | sort | tr '\n' ' ')
  got=$("$YUMDA" list --installed --root "$T/layer" | awk 'NR>1 {sub(/\.[^.]*$/, "", $1); print $1}' | sort | tr '\n' ' ')
  [ "$want" = "$got" ] || fail "install '$1', remove '$2': dnf keeps [$want], yumda keeps [$got]"
  pass "install '$1', remove '$2': both keep [$got]"
}
compare "app other" lib-c      # dependents go up the chain; other stays
compare "app other" app        # unused deps lib-b, lib-c, tool-e go
compare "app tool-e" app       # tool-e was asked for: it stays
compare "plugin" lib-b         # plugin -> app -> lib-b: dependents of dependents
compare "viewer other" other    # font-x meets fontcfg's (font-x or font-none): it stays
compare "viewer" font-x          # ...so removing it takes fontcfg and viewer
compare "viewer other" viewer    # and it goes with them when nothing else needs it
compare "app2 old-api" new-api   # old-api's api = 1 does not meet app2's api >= 2
compare "app other" app --setopt=clean_requirements_on_remove=False --setopt=clean_requirements_on_remove=0

# A protected package is never removed: dnf and yumda both refuse, the layer stays.
rm -rf "$T/dnfroot" "$T/layer"
$DNF install app >/dev/null 2>&1 || fail "dnf install app"
$YU install --root "$T/layer" app >/dev/null || fail "yumda install app"
before=$(snapshot "$T/layer")
if $DNF --setopt=protected_packages=lib-b remove lib-c >/dev/null 2>&1; then fail "dnf removed protected lib-b"; fi
run_capture prot $YU --setopt=protected_packages=lib-b remove --root "$T/layer" lib-c
[ "$(rc_of prot)" = 1 ] || fail "remove of protected lib-b's requirement: exit $(rc_of prot), want 1"
grep -q "protected packages: lib-b" "$T/prot.err" || fail "no word of the protected package: $(cat "$T/prot.err")"
[ "$before" = "$(snapshot "$T/layer")" ] || fail "a refused remove changed the layer"
pass "protected_packages: both refuse to remove lib-b (yumda: $(cat "$T/prot.err"))"
