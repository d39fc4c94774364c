#!/bin/bash
# install does what dnf install does where the layer or the repos make it more
# than "add this package": a name the layer has stays as it is even when the
# repos have a newer version (dnf 4 says "already installed"; name-NEWER
# upgrades); name-OLDER downgrades (the summary says "Downgrading");
# a name the repos obsolete brings the obsoleter; excludepkgs takes NEVRA
# globs. Same repos as test_upgrade_vs_dnf.sh; the installed NEVRA sets of
# dnf's installroot and yumda's layer are compared after each step.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vs_dnf_repos.sh"

# step NAME REPOS ARGS...: dnf and yumda run the same command; the sets must match.
step() {
  name=$1 repos=$2; shift 2
  dnf_ "$repos" "$@" >"$T/dnf.log" 2>&1 || fail "$name: dnf $*: $(cat "$T/dnf.log")"
  f=$(printf '%s' "$name" | tr -c 'A-Za-z0-9_-' _)  # a file name
  yumda_ "$repos" "$@" >"$T/$f.out" 2>"$T/$f.err" || fail "$name: yumda $*: $(cat "$T/$f.err")"
  want=$(dnf_set) got=$(yumda_set)
  [ "$want" = "$got" ] || fail "$name: after '$*' from [$repos] dnf has [$want], yumda [$got]"
  pass "$name: '$*' from [$repos]: both have [$got]"
}
fresh() { rm -rf "$T/dnfroot" "$T/layer" "$T/dnfcache"; }

fresh
step v1-app v1 install app
step install-keeps "v1 v2" install app            # already installed: dnf 4 does not upgrade it
step install-newer "v1 v2" install app-2.0        # a version named: app 2.0 (and lib-b 2.0, new-dep)
fresh
step v2-app "v1 v2" install app
run_capture plan yumda_ "v1 v2" --assumeno install app-1.0
grep -q "^Downgrading:" "$T/plan.out" || fail "no 'Downgrading:' in the plan: $(cat "$T/plan.out")"
grep -q "^Downgrade  1 Package" "$T/plan.out" || fail "no 'Downgrade  1 Package' in the plan: $(cat "$T/plan.out")"
step downgrade "v1 v2" install app-1.0            # app back to 1.0
fresh
step obsoleted "v1 v2" install old-name           # new-name obsoletes old-name: dnf installs new-name
fresh
step exclude-nevra "v1 v2" --setopt=excludepkgs='lib-c-2*' install stay   # lib-c 1.5, not 2.0

# upgrade and info take every form install takes; dnf decides what each means
# (a version in the spec pins it: upgrade tool-1.0 keeps 1.0). lib-c is
# installed from v1 (1.0-1.noarch); v2 has 1.5 and 2.0. info: yumda lists the
# layer's lib-c under "Installed Packages" exactly when dnf info --installed
# finds it.
for form in lib-c lib-c-1.0 lib-c-1.0-1 lib-c-0:1.0-1.noarch lib-c.noarch 'lib-?' 'lib-c-1*' \
            /opt/share/lib-c /opt/share/lib-c/ /opt/share/lib-c/file; do
  fresh
  dnf_ v1 install lib-c >/dev/null 2>&1 || fail "dnf install lib-c"
  yumda_ v1 install lib-c >/dev/null 2>&1 || fail "yumda install lib-c"
  set +e; dnf_ v1 info --installed "$form" >/dev/null 2>&1; drc=$?; set -e
  run_capture info yumda_ v1 info "$form"
  if [ "$drc" = 0 ]; then
    grep -q "^Installed Packages" "$T/info.out" && grep -q "^Version *: 1.0" "$T/info.out" ||
      fail "info '$form': dnf finds the installed lib-c, yumda does not: $(cat "$T/info.out" "$T/info.err")"
  elif grep -q "^Installed Packages" "$T/info.out"; then
    fail "info '$form': yumda lists an installed package dnf does not"
  fi
  step "upgrade '$form'" "v1 v2" upgrade "$form"
done
