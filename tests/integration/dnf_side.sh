# Sourced (after lib.sh) by the tests that run the same steps through dnf on
# an --installroot and through yumda on a layer, from one repo $T/repo of
# small noarch packages under /opt (test_history_vs_dnf.sh,
# test_autoremove_vs_dnf.sh). Defines mkpkg, $DNF, $YU and `both ARGS...`.
command -v dnf >/dev/null || skip "dnf is not installed"
for t in rpmbuild createrepo_c rpm; do command -v $t >/dev/null || skip "$t is not installed"; done

mkpkg() {  # NAME VERSION [REQUIRES...]: into $T/repo
  local name=$1 ver=$2 r tags=(); shift 2
  for r in "$@"; do tags+=("Requires: $r"); done
  mkpkg_tags "$name" "$ver" ${tags[@]+"${tags[@]}"}
}
mkpkg_tags() {  # NAME VERSION [TAG-LINE...] ("Obsoletes: x < 2"): into $T/repo
  name=$1 ver=$2; shift 2
  { echo "Name: $name"; echo "Version: $ver"; echo "Release: 1"; echo "Summary: $name"; echo "License: MIT"
    echo "BuildArch: noarch"; for l in "$@"; do echo "$l"; done
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s\necho %s > %%{buildroot}/opt/share/%s/file\n%%files\n/opt/share/%s\n' \
      "$name" "$name" "$name-$ver" "$name" "$name"; } >"$T/$name-$ver.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/repo" "$T/$name-$ver.spec" >/dev/null 2>&1 || fail "rpmbuild $name"
}

DNF="dnf -q --installroot=$T/dnfroot --releasever=1 --setopt=cachedir=$T/dnfcache --setopt=install_weak_deps=False
  --repofrompath=t,file://$T/repo --disablerepo=* --enablerepo=t --setopt=t.gpgcheck=0 -y"
YU="$YUMDA -c $T/empty.conf --baseline none --repofrompath t,file://$T/repo --root $T/layer -y -q"

both() {  # ARGS...: the same step through both
  $DNF "$@" >/dev/null 2>&1 || fail "dnf $*"
  $YU "$@" >/dev/null || fail "yumda $*"
}
