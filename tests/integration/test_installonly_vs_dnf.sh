#!/bin/bash
# Install-only packages (dnf's installonlypkgs, installonly_limit), as dnf:
# a newer version of a package named in the list (or providing
# installonlypkg(kernel)) goes in beside the old ones, and the oldest beyond
# the limit is removed. Hand-made noarch packages, each version's file at its
# own path (as kernels are), installed by dnf into an empty --installroot and
# by yumda into a layer; the installed NEVRA sets are compared.
. "$(dirname "$0")/lib.sh"
command -v dnf >/dev/null || skip "dnf is not installed"
for t in rpmbuild createrepo_c rpm; do command -v $t >/dev/null || skip "$t is not installed"; done

mkrpm() {  # REPO NAME VERSION [TAG-LINE...]: one file, /opt/share/NAME-VERSION/file
  local repo=$1 name=$2 version=$3 spec; shift 3
  spec="$T/$name-$version.spec"
  { echo "Name: $name"; echo "Version: $version"; echo "Release: 1"; echo "Summary: $name"; echo "License: MIT"
    echo "BuildArch: noarch"; for l in "$@"; do echo "$l"; done
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s-%s\necho %s > %%{buildroot}/opt/share/%s-%s/file\n' \
      "$name" "$name" "$version" "$version" "$name" "$version"
    printf '%%files\n/opt/share/%s-%s\n' "$name" "$version"; } >"$spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/$repo" "$spec" >/dev/null 2>&1 || fail "rpmbuild $name-$version"
}
for v in 1.0 2.0 3.0 4.0 5.0; do
  mkrpm r kernel "$v"                                   # by name
  mkrpm r kmod-x "$v" "Provides: installonlypkg(kernel-module)"  # by provide
  mkrpm r tool "$v"                                     # not install-only
  mkrpm r mine "$v"                                     # install-only through installonlypkgs=
done
createrepo_c --quiet "$T/r"

dnf_() {  # the same [main] lines as yumda's, from a file (installonlypkgs= adds to dnf's list there)
  dnf -q -c "$T/dnf.conf" --installroot="$T/dnfroot" --releasever=1 --setopt=cachedir="$T/dnfcache" \
    --disablerepo='*' --repofrompath="r,file://$T/r" --setopt=r.gpgcheck=0 -y "$@"
}
yumda_() { "$YUMDA" -c "$T/conf" --baseline none -y --root "$T/layer" --repofrompath "r,file://$T/r" "$@"; }
dnf_set() { rpm --root "$T/dnfroot" -qa --qf '%{NAME}-%{VERSION}\n' | sort | paste -sd' '; }
yumda_set() {
  "$YUMDA" list --installed --json --root "$T/layer" |
    python3 -c 'import json,sys; [print("%(name)s-%(version)s" % p) for p in json.load(sys.stdin)["installed"]]' | sort | paste -sd' '
}

# SETOPTS ; STEP... : each step (an install or upgrade command line) is run by
# both tools in turn, and the sets must agree after each.
compare() {
  local main=$1; shift
  rm -rf "$T/dnfroot" "$T/dnfcache" "$T/layer"
  printf '[main]\nreposdir=\ngpgcheck=0\n%b' "$main" >"$T/conf"
  printf '[main]\nreposdir=/dev/null\ngpgcheck=0\n%b' "$main" >"$T/dnf.conf"
  for step in "$@"; do
    # shellcheck disable=SC2086
    dnf_ $step >"$T/dnf.log" 2>&1 || fail "dnf $step: $(cat "$T/dnf.log")"
    # shellcheck disable=SC2086
    run_capture y yumda_ $step
    [ "$(rc_of y)" = 0 ] || fail "yumda $step: $(cat "$T/y.err")"
    [ "$(dnf_set)" = "$(yumda_set)" ] || fail "[$main] after '$step': dnf has [$(dnf_set)], yumda [$(yumda_set)]"
  done
  pass "[$(printf '%b' "$main" | paste -sd' ')] $*: [$(yumda_set)], as dnf"
}

compare "" "install kernel-1.0 kmod-x-1.0 tool-1.0 mine-1.0" "install kernel-2.0" "upgrade" \
  "install kernel-4.0 kmod-x-3.0" "upgrade kmod-x tool"
compare "installonly_limit=2\n" "install kernel-1.0 kmod-x-1.0" "upgrade kernel-3.0" "upgrade"
compare "" "install kernel-1.0 tool-1.0" "install kernel tool"
compare "installonly_limit=0\ninstallonlypkgs=mine\n" "install kernel-1.0 mine-1.0 tool-1.0" "upgrade mine-2.0" \
  "upgrade" "install kernel-3.0 mine-4.0"

# Old and new side by side: both files are in the layer.
[ "$(cat "$T/layer/share/kernel-1.0/file" "$T/layer/share/kernel-5.0/file")" = "$(printf '1.0\n5.0')" ] ||
  fail "the kernel versions' files are not side by side in the layer"
# A malformed limit is refused before anything is done.
before=$(snapshot "$T/layer")
printf '[main]\nreposdir=\ngpgcheck=0\ninstallonly_limit=1\n' >"$T/conf"
run_capture bad yumda_ upgrade
[ "$(rc_of bad)" != 0 ] && grep -q "installonly_limit" "$T/bad.err" && [ "$(wc -l <"$T/bad.err")" = 1 ] ||
  fail "installonly_limit=1: $(cat "$T/bad.err")"
[ "$(snapshot "$T/layer")" = "$before" ] || fail "a refused config changed the layer"
pass "installonly_limit=1 -> $(cat "$T/bad.err")"
