#!/bin/bash
# download --source: the SRPM of each package chosen, as dnf download --source
# (dnf-plugins-core, not on this machine): from any enabled repo, and from the
# ID-source repo of each enabled repo ID even when that one is disabled;
# --resolve takes the sources of the whole closure, each once. A package
# whose source no enabled repo has: one line naming it and the repo to enable.
. "$(dirname "$0")/lib.sh"
command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null || skip "needs rpmbuild, createrepo_c"

pkg() {  # NAME VERSION [REQUIRES]: binary into $T/bin, SRPM into $T/src
  mkdir -p "$T/specs" "$T/bin" "$T/src"
  cat >"$T/specs/$1.spec" <<SPEC
Name: $1
Version: $2
Release: 1
Summary: $1 for the download test
License: MIT
BuildArch: noarch
${3:+Requires: $3}
%description
test package
%install
mkdir -p %{buildroot}/opt/$1
echo $2 > %{buildroot}/opt/$1/version
%files
/opt/$1/version
SPEC
  rpmbuild -ba --quiet --define "_topdir $T/rpmbuild" --define "_rpmdir $T/bin" --define "_srcrpmdir $T/src" \
    --define "_build_id_links none" "$T/specs/$1.spec" >"$T/rpmbuild.log" 2>&1 || fail "rpmbuild $1: $(cat "$T/rpmbuild.log")"
}
pkg tool 2.0 libtool-data
pkg libtool-data 1.0
createrepo_c --quiet "$T/bin"
createrepo_c --quiet "$T/src"
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=none\n[base]\nbaseurl=file://%s\n[base-source]\nbaseurl=file://%s\nenabled=0\n' \
  "$T/bin" "$T/src" >"$T/src.conf"
ys() { "$YUMDA" -c "$T/src.conf" "$@"; }

run_capture one ys download --source --destdir "$T/d1" tool
[ "$(rc_of one)" = 0 ] || fail "download --source tool: $(cat "$T/one.err")"
[ "$(ls "$T/d1")" = "tool-2.0-1.src.rpm" ] || fail "download --source tool wrote: $(ls "$T/d1")"
cmp -s "$T/d1/tool-2.0-1.src.rpm" "$T/src/tool-2.0-1.src.rpm" || fail "the SRPM's bytes differ"
pass "download --source tool: tool-2.0-1.src.rpm from the disabled base-source repo"

run_capture all ys download --source --resolve --destdir "$T/d2" tool
[ "$(rc_of all)" = 0 ] || fail "download --source --resolve: $(cat "$T/all.err")"
[ "$(ls "$T/d2" | tr '\n' ' ')" = "libtool-data-1.0-1.src.rpm tool-2.0-1.src.rpm " ] || fail "--resolve wrote: $(ls "$T/d2")"
pass "download --source --resolve: the closure's sources"

run_capture json ys --json download --source --destdir "$T/d3" tool
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [f.split("/")[-1] for f in d["files"]]==["tool-2.0-1.src.rpm"], d' \
  "$T/json.out" || fail "--json: $(cat "$T/json.out")"

# Without a source repo: one line naming the package and the repo to enable.
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=none\n[base]\nbaseurl=file://%s\n' "$T/bin" >"$T/nosrc.conf"
run_capture none "$YUMDA" -c "$T/nosrc.conf" download --source --destdir "$T/d4" tool
[ "$(rc_of none)" = 1 ] || fail "no source repo: exit $(rc_of none): $(cat "$T/none.err")"
[ "$(wc -l <"$T/none.err")" = 1 ] && grep -qF "No source package tool-2.0-1.src.rpm of tool-2.0-1.noarch in the enabled repos (enable the repo that has it, e.g. --enablerepo=base-source)" "$T/none.err" \
  || fail "no source repo: $(cat "$T/none.err")"
[ ! -e "$T/d4" ] || [ -z "$(ls "$T/d4")" ] || fail "a failed download wrote $(ls "$T/d4")"
pass "no source repo: $(cat "$T/none.err")"

# Without --source, the same config downloads the binary, not the SRPM.
run_capture bin ys download --destdir "$T/d5" tool
[ "$(ls "$T/d5")" = "tool-2.0-1.noarch.rpm" ] || fail "download tool wrote: $(ls "$T/d5") $(cat "$T/bin.err")"
pass "download without --source: the binary"

# A disabled ID-source repo is checked as any enabled repo once --source
# enables it: an undefined variable in its baseurl is the config's one line,
# before anything is fetched; without --source it is never looked at.
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=none\n[base]\nbaseurl=file://%s\n[base-source]\nbaseurl=file://%s/$nosuchvar\nenabled=0\n' \
  "$T/bin" "$T/src" >"$T/badsrc.conf"
run_capture badsrc "$YUMDA" -c "$T/badsrc.conf" download --source --destdir "$T/d6" tool
[ "$(rc_of badsrc)" != 0 ] || fail "a source repo with an undefined variable: exit 0"
[ "$(wc -l <"$T/badsrc.err")" = 1 ] && grep -qF "baseurl 'file://$T/src/\$nosuchvar' uses \$nosuchvar, which is not defined" "$T/badsrc.err" \
  || fail "a source repo with an undefined variable: $(cat "$T/badsrc.err")"
[ ! -e "$T/d6" ] || [ -z "$(ls "$T/d6")" ] || fail "a refused download wrote $(ls "$T/d6")"
pass "download --source checks the source repo's URLs: $(cat "$T/badsrc.err")"
run_capture badbin "$YUMDA" -c "$T/badsrc.conf" download --destdir "$T/d7" tool
[ "$(ls "$T/d7")" = "tool-2.0-1.noarch.rpm" ] || fail "download without --source beside a bad source repo: $(cat "$T/badbin.err")"
pass "without --source, the disabled source repo is not looked at"
