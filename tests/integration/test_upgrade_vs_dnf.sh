#!/bin/bash
# upgrade does what dnf upgrade does. Two repos of small noarch packages (all
# under /opt, no libc or other system requirement, so dnf installs them into
# an empty --installroot): v1, and v2 with newer versions, a new dependency, a
# package renamed through Obsoletes:, and packages that have no v2. Both tools
# install the same specs from v1, upgrade (all, or named packages) against
# v1+v2 (or v2 alone), and the installed NEVRA sets are compared.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vs_dnf_repos.sh"

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
