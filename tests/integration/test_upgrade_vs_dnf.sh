#!/bin/bash
# upgrade does what dnf upgrade does. Two repos of small noarch packages (all
# under /opt, no libc or other system requirement, so dnf installs them into
# an empty --installroot): v1, and v2 with newer versions, a new dependency, a
# package renamed through Obsoletes:, and packages that have no v2. Both tools
# install the same specs from v1, upgrade (all, or named packages) against
# v1+v2 (or v2 alone), and the installed NEVRA sets are compared.
. "$(dirname "$0")/lib.sh"
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
  set -- "$YUMDA" -c "$T/empty.conf" --baseline none -y -q --root "$T/layer" "$@"
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

# Who asked for what ("user", or pulled in as a dependency), which decides
# what a later remove takes out. new-name, which replaces old-name through
# Obsoletes:, takes old-name's mark in both.
dnf_reasons() {
  dnf_ "" repoquery --installed --qf '%{name} %{reason}' 2>/dev/null |
    awk '{print $1, ($2 == "user" ? "user" : "dep")}' | sort | paste -sd' '
}
yumda_reasons() {
  "$YUMDA" list --installed --json --root "$T/layer" |
    python3 -c 'import json,sys; [print(p["name"], "user" if p["user_installed"] else "dep") for p in json.load(sys.stdin)["installed"]]' |
    sort | paste -sd' '
}

compare() {  # INSTALL-SPECS UPGRADE-REPOS UPGRADE-SPECS...: installs from v1, upgrades with the repos given
  install=$1 repos=$2; shift 2
  rm -rf "$T/dnfroot" "$T/layer" "$T/dnfcache"
  dnf_ v1 install $install >"$T/dnf.log" 2>&1 || fail "dnf install $install: $(cat "$T/dnf.log")"
  yumda_ v1 install $install >/dev/null || fail "yumda install $install"
  before=$(dnf_set)
  [ "$before" = "$(yumda_set)" ] || fail "install $install: dnf has [$before], yumda [$(yumda_set)]"
  dnf_ "$repos" upgrade "$@" >"$T/dnf.log" 2>&1 || fail "dnf upgrade $*: $(cat "$T/dnf.log")"
  yumda_ "$repos" upgrade "$@" >/dev/null || fail "yumda upgrade $*"
  want=$(dnf_set) got=$(yumda_set)
  [ "$want" != "$before" ] || fail "install '$install', upgrade '$*' from [$repos]: dnf upgraded nothing (test repos?)"
  [ "$want" = "$got" ] || fail "install '$install', upgrade '$*' from [$repos]: dnf has [$want], yumda [$got]"
  want=$(dnf_reasons) got_r=$(yumda_reasons)
  [ -n "$want" ] || fail "dnf repoquery --installed listed no reasons"
  [ "$want" = "$got_r" ] || fail "install '$install', upgrade '$*' from [$repos]: dnf's reasons [$want], yumda's [$got_r]"
  pass "install '$install', upgrade '$*' from [$repos]: both have [$got]"
}

compare "app old-name stay" "v1 v2"                 # everything: new dep, rename, no-v2 packages stay
compare "app old-name stay" "v1 v2" app             # app and what app 2.0 needs newer (lib-b), new-dep
compare "app old-name stay" "v1 v2" old-name        # the obsoleting package replaces it
compare "app old-name stay" "v1 v2" lib-c           # just lib-c
compare "app old-name stay" "v1 v2" lib-c-1.5       # name-version: to that version, not the newest
compare "app old-name stay" "v1 v2" 'lib-*'         # a glob
compare "plugin" "v1 v2"                            # plugin pins app = 1.0: app stays, the rest moves
compare "app old-name stay" "v2"                    # v1 gone: tool-e and stay are in no repo, they stay

# A package the repos have but the layer does not: both refuse, change nothing.
before=$(dnf_set)
dnf_ "v1 v2" upgrade plugin >"$T/dnf.log" 2>&1 && fail "dnf upgrade of a package not installed succeeded"
yumda_ "v1 v2" upgrade plugin 2>"$T/yu.err" && fail "yumda upgrade of a package not installed succeeded"
grep -q "No match for argument: plugin" "$T/yu.err" || fail "yumda upgrade plugin: $(cat "$T/yu.err")"
[ "$(dnf_set)" = "$before" ] && [ "$(yumda_set)" = "$before" ] || fail "a refused upgrade changed something"
pass "upgrade of a package the layer lacks: both refuse"
