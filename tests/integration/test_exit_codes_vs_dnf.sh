#!/bin/bash
# Exit codes and messages a CI script relies on, with dnf run beside yumda on
# the same repos: --assumeno declines (1), list with no match (1, in text and
# --json alike), search with no match (0, as dnf), check-update and
# list --upgrades (100 when something can be upgraded, else 0), an unknown
# verb (2, with the nearest verb) and an unknown package (1, with close names).
. "$(dirname "$0")/lib.sh"
command -v dnf >/dev/null || { echo "skipped: dnf is not installed"; exit 0; }
mkrpm() {  # REPO NAME VERSION
  { echo "Name: $2"; echo "Version: $3"; echo "Release: 1"; echo "Summary: the $2 tool"; echo "License: MIT"
    echo "BuildArch: noarch"
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s\necho %s > %%{buildroot}/opt/share/%s/file\n%%files\n/opt/share/%s\n' \
      "$2" "$2" "$3" "$2" "$2"; } >"$T/$2-$3.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/$1" "$T/$2-$3.spec" >/dev/null 2>&1 || fail "rpmbuild $2"
}
mkrpm v1 git 1.0
mkrpm v1 jq 1.0
mkrpm v2 git 2.0
createrepo_c --quiet "$T/v1"
createrepo_c --quiet "$T/v2"

dnf_() {  # REPOS ARGS...
  repos=$1; shift
  set -- --disablerepo='*' "$@"
  for r in $repos; do set -- --repofrompath="$r,file://$T/$r" --enablerepo="$r" --setopt="$r.gpgcheck=0" "$@"; done
  dnf -q --installroot="$T/dnfroot" --releasever=1 --setopt=cachedir="$T/dnfcache" "$@"
}
yumda_() {  # REPOS ARGS...
  repos=$1; shift
  for r in $repos; do set -- --repofrompath "$r,file://$T/$r" "$@"; done
  "$YUMDA" -c "$T/empty.conf" --baseline none --root "$T/layer" "$@"
}
# same NAME WANT-RC REPOS ARGS...: dnf and yumda both exit WANT-RC (yumda's
# output in $T/NAME.{out,err}).
same() {
  name=$1 want=$2 repos=$3; shift 3
  set +e; dnf_ "$repos" "$@" >"$T/dnf.out" 2>"$T/dnf.err"; drc=$?; set -e
  run_capture "$name" yumda_ "$repos" "$@"
  [ "$drc" = "$want" ] || fail "$name: dnf $* exited $drc, not $want (test setup?): $(cat "$T/dnf.err")"
  [ "$(rc_of "$name")" = "$want" ] || fail "$name: yumda $* exited $(rc_of "$name"), dnf $drc: $(cat "$T/$name.err")"
}
one_json() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/$1.out" || fail "$1: stdout is not one JSON document"; }

dnf_ v1 install -y git >/dev/null 2>&1 || fail "dnf install git"
yumda_ v1 install -y -q git || fail "yumda install git"

# --- --assumeno declines: exit 1, nothing changes
before=$(snapshot "$T/layer")
same assumeno 1 v1 --assumeno install jq
grep -q "Operation aborted" "$T/assumeno.out" || fail "assumeno: $(cat "$T/assumeno.out")"
run_capture assumeno_json yumda_ v1 --assumeno --json install jq
[ "$(rc_of assumeno_json)" = 1 ] || fail "install --assumeno --json exited $(rc_of assumeno_json)"
one_json assumeno_json
same assumeno_rm 1 v1 --assumeno remove git
[ "$(snapshot "$T/layer")" = "$before" ] || fail "--assumeno changed the layer"
pass "--assumeno: both exit 1 (install and remove), text and --json"

# --- list / search with no match
same list_none 1 v1 list nosuch
grep -q "No matching Packages to list" "$T/list_none.err" || fail "list nosuch: $(cat "$T/list_none.err")"
run_capture list_none_json yumda_ v1 --json list nosuch
[ "$(rc_of list_none_json)" = 1 ] || fail "list --json nosuch exited $(rc_of list_none_json)"
one_json list_none_json
same list_inst_none 1 v1 list --installed 'nosuch*'
same list_some 0 v1 list 'g*'
same list_avail 0 v1 list available            # dnf's word, as `yum list available` in the image
grep -q "^jq\.noarch" "$T/list_avail.out" || fail "list available: $(cat "$T/list_avail.out")"
same list_avail_none 1 v1 list available 'nosuch*'
same search_none 0 v1 search nosuchword
run_capture search_none_json yumda_ v1 --json search nosuchword
[ "$(rc_of search_none_json)" = 0 ] || fail "search --json nosuchword exited $(rc_of search_none_json)"
one_json search_none_json
pass "no match: list exits 1, search 0, in text and --json, as dnf"

# --- check-update / list --upgrades: 100 when an upgrade is there
same cu_none 0 v1 check-update
same cu_some 100 "v1 v2" check-update
grep -q "^git\.noarch *2.0-1 *v2" "$T/cu_some.out" || fail "check-update did not list git 2.0: $(cat "$T/cu_some.out")"
run_capture cu_json yumda_ "v1 v2" --json check-update
[ "$(rc_of cu_json)" = 100 ] || fail "check-update --json exited $(rc_of cu_json)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [p["nevra"] for p in d["upgrades"]]==["git-2.0-1.noarch"], d' \
  "$T/cu_json.out" || fail "check-update --json: $(cat "$T/cu_json.out")"
run_capture lu_some yumda_ "v1 v2" list --upgrades
[ "$(rc_of lu_some)" = 100 ] || fail "list --upgrades exited $(rc_of lu_some) with git 2.0 there"
grep -q "^git\.noarch *2.0-1 *v2" "$T/lu_some.out" || fail "list --upgrades: $(cat "$T/lu_some.out")"
run_capture lu_none yumda_ v1 list --upgrades
[ "$(rc_of lu_none)" = 0 ] || fail "list --upgrades exited $(rc_of lu_none) with nothing to upgrade"
pass "check-update: 0 / 100 as dnf; list --upgrades 0 / 100"

# --- an unknown verb, an unknown package
run_capture verb yumda_ v1 instal jq
[ "$(rc_of verb)" = 2 ] || fail "unknown verb exited $(rc_of verb)"
grep -q "No such command: instal" "$T/verb.err" && grep -q "Did you mean.*install" "$T/verb.err" ||
  fail "unknown verb: $(cat "$T/verb.err")"
run_capture verb_json yumda_ v1 --json instal jq
[ "$(rc_of verb_json)" = 2 ] || fail "unknown verb --json exited $(rc_of verb_json)"
one_json verb_json
same pkg 1 v1 install -y gti
grep -q "No match for argument: gti" "$T/pkg.err" && grep -q "Maybe you meant: git" "$T/pkg.err" ||
  fail "unknown package: $(cat "$T/pkg.err")"
pass "unknown verb: $(head -n1 "$T/verb.err"); unknown package: $(tr '\n' ' ' <"$T/pkg.err")"
