#!/bin/bash
# repoquery prints what dnf repoquery prints, line for line, on the same repos
# (vs_dnf_repos.sh's v1 and v2): the default NEVRA lines, every --queryformat
# tag dnf 4 has, --provides, --requires, --requires --resolve, --location, and
# --installed (the layer against dnf's rpmdb after the same install).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vs_dnf_repos.sh"

same() {  # WHAT REPOS ARGS...: dnf's and yumda's stdout must be the same lines
  what=$1 repos=$2; shift 2
  dnf_ "$repos" repoquery "$@" 2>"$T/dnf.err" | grep -v "${DNF_ONLY:-^$}" >"$T/dnf.out" || fail "dnf repoquery $*: $(cat "$T/dnf.err")"
  yumda_ "$repos" repoquery "$@" >"$T/y.out" 2>"$T/y.err" || fail "yumda repoquery $*: $(cat "$T/y.err")"
  [ -s "$T/dnf.out" ] || fail "$what: dnf printed nothing (test repos?)"
  diff "$T/dnf.out" "$T/y.out" >"$T/diff" || fail "$what: dnf (<) and yumda (>) differ: $(cat "$T/diff")"
  pass "$what: $(wc -l <"$T/y.out") lines as dnf's"
}

# Every tag dnf 4's --queryformat and yumda's share (dnf 4 has no %{nevra}).
QF='%{name}|%{epoch}|%{version}|%{release}|%{arch}|%{repoid}|%{evr}|%{summary}|%{size}|%{installsize}|%{location}|%{sourcerpm}|%{url}|%{license}|%{buildtime}'
same "repoquery (every package)" "v1 v2"
same "repoquery 'lib-*'" "v1 v2" 'lib-*'
same "--queryformat, every tag" "v1 v2" --qf "$QF"
same "--qf with widths, upper case, \\t" "v1" --qf '%-10{name}|%8{VERSION}\t%{Arch}' app
same "--provides" "v2" --provides new-name app
same "--requires" "v1 v2" --requires app
same "--requires --resolve" "v2" --requires --resolve app
same "--requires --resolve --qf" "v2" --requires --resolve --qf '%{name} %{repoid}' app
same "--location" "v1 v2" --location 'lib-*'

# --installed: the layer's packages, as dnf's rpmdb after the same install
dnf_ v1 install app >"$T/dnf.log" 2>&1 || fail "dnf install app: $(cat "$T/dnf.log")"
yumda_ v1 install app >/dev/null || fail "yumda install app"
same "--installed" "" --installed
same "--installed 'lib-*' --qf" "" --installed --qf '%{name} %{evr} %{arch} %{repoid} %{installsize}' 'lib-*'
# rpmlib() requirements are in the RPM header only (dnf reads its rpmdb), not in repo metadata
DNF_ONLY='^rpmlib(' same "--installed --requires (but rpmlib())" "" --installed --requires app
same "--installed --provides" "" --installed --provides lib-b

# %{nevra} (dnf 5's tag): name-[epoch:]version-release.arch
[ "$(yumda_ v1 repoquery --qf '%{nevra}' app)" = "app-1.0-1.noarch" ] || fail "%{nevra}: $(yumda_ v1 repoquery --qf '%{nevra}' app)"
pass "%{nevra}"

# An unknown tag: one line naming it and the tags there are, exit 2 (usage)
run_capture badtag yumda_ v1 repoquery --qf '%{name} %{bogus}' app
[ "$(rc_of badtag)" = 2 ] || fail "unknown tag exited $(rc_of badtag), not 2"
[ "$(wc -l <"$T/badtag.err")" = 1 ] && grep -q '%{bogus}.*known tags: name, epoch' "$T/badtag.err" \
  || fail "unknown tag: $(cat "$T/badtag.err")"
[ ! -s "$T/badtag.out" ] || fail "unknown tag printed: $(cat "$T/badtag.out")"
pass "an unknown tag: $(cat "$T/badtag.err")"
run_capture badresolve yumda_ v1 repoquery --resolve app
[ "$(rc_of badresolve)" = 2 ] && grep -q -- "--resolve goes with --requires" "$T/badresolve.err" \
  || fail "--resolve without --requires: $(cat "$T/badresolve.err")"
pass "--resolve without --requires: a usage error"
