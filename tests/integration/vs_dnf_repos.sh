# Sourced by the tests that run dnf beside yumda on the same two repos
# (test_upgrade_vs_dnf.sh, test_install_vs_dnf.sh): small noarch packages all
# under /opt, no libc or other system requirement, so dnf installs them into
# an empty --installroot. v1, and v2 with newer versions, a new dependency, a
# package renamed through Obsoletes:, and packages that have no v2. Defines
# mkrpm, dnf_ / yumda_ REPOS ARGS... and dnf_set / yumda_set (the installed NEVRAs).
command -v dnf >/dev/null || { echo "skipped: dnf is not installed"; exit 0; }
for t in rpmbuild createrepo_c rpm; do command -v $t >/dev/null || { echo "skipped: $t is not installed"; exit 0; }; done

mkrpm() {  # REPO NAME VERSION [TAG-LINE...], e.g. "Requires: lib-b >= 2.0"
  repo=$1 name=$2 version=$3; shift 3
  spec="$T/$name-$version.spec"
  { echo "Name: $name"; echo "Version: $version"; echo "Release: 1"; echo "Summary: $name"; echo "License: MIT"
    echo "BuildArch: noarch"; for l in "$@"; do echo "$l"; done
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s\necho %s-%s > %%{buildroot}/opt/share/%s/file\n' \
      "$name" "$name" "$name" "$version" "$name"
    printf '%%files\n/opt/share/%s\n' "$name"; } >"$spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/$repo" "$spec" >/dev/null 2>&1 || fail "rpmbuild $name-$version"
}
mkrpm v1 app 1.0 "Requires: lib-b" "Requires: tool-e"
mkrpm v1 lib-b 1.0 "Requires: lib-c"
mkrpm v1 lib-c 1.0
mkrpm v1 tool-e 1.0
mkrpm v1 old-name 1.0
mkrpm v1 stay 1.0 "Requires: lib-c"                 # no v2
mkrpm v1 plugin 1.0 "Requires: app = 1.0-1"         # no v2: holds app back
mkrpm v2 app 2.0 "Requires: lib-b >= 2.0" "Requires: tool-e" "Requires: new-dep"
mkrpm v2 lib-b 2.0 "Requires: lib-c"
mkrpm v2 lib-c 1.5
mkrpm v2 lib-c 2.0
mkrpm v2 new-dep 2.0
mkrpm v2 new-name 2.0 "Obsoletes: old-name < 2.0" "Provides: old-name = 2.0"
createrepo_c --quiet "$T/v1"
createrepo_c --quiet "$T/v2"

# Each run gets only the repos it is to see (dnf keeps --repofrompath repos
# enabled whatever --disablerepo says).
dnf_() {  # REPOS ARGS...
  local repos=$1 r; shift
  set -- dnf -q --installroot="$T/dnfroot" --releasever=1 --setopt=cachedir="$T/dnfcache" \
    --setopt=install_weak_deps=False --setopt=reposdir=/dev/null --disablerepo='*' -y "$@"
  for r in $repos; do set -- "$@" --repofrompath="$r,file://$T/$r" --setopt="$r.gpgcheck=0"; done
  "$@"
}
yumda_() {  # REPOS ARGS...
  local repos=$1 r; shift
  set -- "$YUMDA" -c "$T/empty.conf" --baseline none -y --root "$T/layer" "$@"
  for r in $repos; do set -- "$@" --repofrompath "$r,file://$T/$r"; done
  "$@"
}

# The installed NEVRAs, one line: dnf's rpmdb and the layer's record.
dnf_set() { rpm --root "$T/dnfroot" -qa --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' | sort | paste -sd' '; }
yumda_set() {
  "$YUMDA" list --installed --json --root "$T/layer" |
    python3 -c 'import json,sys; [print("%(name)s-%(version)s-%(release)s.%(arch)s" % p) for p in json.load(sys.stdin)["installed"]]' |
    sort | paste -sd' '
}

