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
  yumda_ "$repos" "$@" >"$T/$name.out" 2>"$T/$name.err" || fail "$name: yumda $*: $(cat "$T/$name.err")"
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
