#!/bin/bash
# A config as users have it: several .repo files in a reposdir, $releasever,
# $basearch and a custom variable from vars/, priorities, excludepkgs,
# enabled=0 and --enablerepo/--disablerepo/--setopt in order. For each command
# line, the packages yumda plans (install --assumeno --json) and the repos it
# lists (repolist --all --json) must be what dnf plans and lists on the same
# files. Tiny noarch packages without libc deps, so dnf can plan them into an
# empty installroot (yumda runs with baseline=none to match).
. "$(dirname "$0")/lib.sh"
command -v dnf >/dev/null || { echo "SKIP: needs dnf to compare with"; exit 0; }
command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null || { echo "SKIP: needs rpmbuild, createrepo_c"; exit 0; }

# pkg OUTDIR NAME VERSION [REQUIRES]: a noarch package with one file under /opt.
pkg() {
  out=$1 name=$2 ver=$3 req=${4:-}
  mkdir -p "$T/specs" "$out"
  spec="$T/specs/$name-$ver.spec"
  cat >"$spec" <<SPEC
Name: $name
Version: $ver
Release: 1
Summary: $name for the config test
License: MIT
BuildArch: noarch
${req:+Requires: $req}
%description
test package
%install
mkdir -p %{buildroot}/opt/$name
echo $ver > %{buildroot}/opt/$name/version
%files
/opt/$name/version
SPEC
  rpmbuild -bb --quiet --define "_topdir $T/rpmbuild" --define "_rpmdir $out" --define "_build_id_links none" \
    "$spec" >"$T/rpmbuild.log" 2>&1 || fail "rpmbuild $name-$ver: $(cat "$T/rpmbuild.log")"
}
SRV="$T/srv"
BASE="$SRV/2/x86_64/base" UPD="$SRV/2/stable/updates" TESTING="$SRV/testing"
pkg "$BASE" greet 1.0 greet-data; pkg "$BASE" greet-data 1.0; pkg "$BASE" tool 1.0 greet-data
pkg "$UPD" greet 2.0 greet-data; pkg "$UPD" greet-data 2.0; pkg "$UPD" tool 2.0 greet-data
pkg "$TESTING" greet 3.0 greet-data; pkg "$TESTING" extra 1.0
MIRRORED="$SRV/mirrored"
pkg "$MIRRORED" tool 3.0 greet-data
for r in "$BASE" "$UPD" "$TESTING" "$MIRRORED"; do createrepo_c --quiet "$r"; done
# yum's mirrorlist format: comments, blank lines, one base URL a line (the first is dead).
printf '# mirrors of the mirrored repo\n\nfile://%s/gone\nfile://%s\n' "$T" "$MIRRORED" >"$SRV/mirrors.txt"

ETC="$T/etc" REPOS="$T/etc/repos.d"
mkdir -p "$REPOS" "$ETC/vars"
echo stable >"$ETC/vars/channel"
cat >"$ETC/yumda.conf" <<CONF
[main]
reposdir=$REPOS
gpgcheck=0
baseline=none
install_weak_deps=0
CONF
cat >"$REPOS/base.repo" <<REPO
[base]
name=Base \$releasever - \$basearch
baseurl=file://$SRV/\$releasever/\$basearch/base
priority=50
REPO
cat >"$REPOS/updates.repo" <<REPO
[updates]
name=Updates \$releasever \$channel
baseurl=file://$SRV/\$releasever/\$channel/updates
priority=10
excludepkgs=tool

[testing]
name=Testing
baseurl=file://$TESTING
enabled=0
priority=1
REPO
cat >"$REPOS/mirrored.repo" <<REPO
[mirrored]
name=Mirrored
mirrorlist=file://$SRV/mirrors.txt
enabled=0
priority=20
REPO
cat >"$REPOS/off.repo" <<REPO
[broken-off]
name=Disabled and unreachable
baseurl=file://$T/nowhere
enabled=0
REPO
cat >"$T/dnf.conf" <<CONF
[main]
gpgcheck=0
install_weak_deps=0
CONF

DNFROOT="$T/dnfroot"
mkdir -p "$DNFROOT"
dnf_() {
  dnf -c "$T/dnf.conf" --installroot="$DNFROOT" --setopt=reposdir="$REPOS" --setopt=varsdir="$ETC/vars" \
    --setopt=cachedir="$T/dnfcache" --setopt=install_weak_deps=0 --releasever=2 --disableplugin='*' \
    --noplugins -y "$@"
}
yumda_() { "$YUMDA" -c "$ETC/yumda.conf" --releasever=2 "$@"; }

# Sorted "NAME-VERSION-RELEASE.ARCH@REPO" lines of a dnf transaction table.
dnf_plan() {
  awk '/^Transaction Summary/ {exit} /^Installing/ {on=1; next} on && NF>=5 && /^ / {print $1"-"$3"."$2"@"$4}' "$1" | sort
}
yumda_plan() {
  python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["install"]: print(p["nevra"]+"@"+p["repo"])' "$1" | sort
}
# Sorted "ID|NAME|enabled/disabled" lines.
dnf_repos() {
  awk 'NR>1 && NF>=3 {id=$1; st=$NF; $1=""; $NF=""; sub(/^ +/,""); sub(/ +$/,""); print id"|"$0"|"st}' "$1" | sort
}
yumda_repos() {
  python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["repos"]: print(r["id"]+"|"+r["name"]+"|"+("enabled" if r["enabled"] else "disabled"))' "$1" | sort
}

n=0
compare() {  # EXPECTED_GREET ARGS...: yumda vs dnf for install greet tool and repolist
  n=$((n + 1))
  want=$1; shift
  run_capture "y$n" yumda_ "$@" --json install --assumeno --root "$T/layer$n" greet tool
  [ "$(rc_of "y$n")" = 1 ] || fail "yumda $* (--assumeno: 1): $(cat "$T/y$n.err")"
  run_capture "d$n" dnf_ "$@" --assumeno install greet tool
  grep -q '^Installing:' "$T/d$n.out" || fail "dnf $* planned nothing: $(cat "$T/d$n.out" "$T/d$n.err")"
  yumda_plan "$T/y$n.out" >"$T/y$n.plan"
  dnf_plan "$T/d$n.out" >"$T/d$n.plan"
  diff "$T/d$n.plan" "$T/y$n.plan" >"$T/diff$n" || fail "plans differ for [$*] (- dnf, + yumda): $(cat "$T/diff$n")"
  grep -qx "greet-$want-1.noarch@.*" "$T/y$n.plan" || fail "[$*]: expected greet $want, both planned $(tr '\n' ' ' <"$T/y$n.plan")"

  run_capture "yr$n" yumda_ "$@" --json repolist --all
  [ "$(rc_of "yr$n")" = 0 ] || fail "yumda $* repolist: $(cat "$T/yr$n.err")"
  run_capture "dr$n" dnf_ "$@" repolist --all
  yumda_repos "$T/yr$n.out" >"$T/yr$n.list"
  dnf_repos "$T/dr$n.out" >"$T/dr$n.list"
  diff "$T/dr$n.list" "$T/yr$n.list" >"$T/rdiff$n" || fail "repolist differs for [$*] (- dnf, + yumda): $(cat "$T/rdiff$n")"
  [ -s "$T/yr$n.list" ] || fail "[$*]: no repos listed"
  pass "[${*:-no options}]: $(tr '\n' ' ' <"$T/y$n.plan")| enabled repos: $(grep '|enabled$' "$T/yr$n.list" | cut -d'|' -f1 | tr '\n' ' ')"
}

compare 2.0                                                   # priorities, excludepkgs, variables
compare 3.0 --enablerepo=testing                              # enabled=0 turned on; lowest priority number wins
compare 1.0 --disablerepo=updates
compare 3.0 --disablerepo='*' --enablerepo=testing --enablerepo=base
compare 1.0 --enablerepo=testing --disablerepo='*' --enablerepo=base   # order matters
compare 1.0 --setopt=updates.priority=99                      # base's 50 now wins over updates' version
compare 2.0 --setopt=updates.excludepkgs= --setopt=base.enabled=0      # tool 2.0 from updates now
compare 2.0 --enablerepo='test*' --setopt=testing.excludepkgs='greet*'
compare 1.0 -x 'greet-2*'                                      # -x: a NEVRA glob, in every repo
compare 1.0 --setopt=includepkgs='greet-1*,greet-data-1*,tool*'  # [main] includepkgs: in every repo
compare 2.0 --enablerepo=mirrored                             # mirrorlist=: tool 3.0 from its second mirror
grep -qx 'tool-3.0-1.noarch@mirrored' "$T/y$n.plan" || fail "the mirrorlist repo did not provide tool 3.0"
# --repofrompath repos stay enabled whatever --disablerepo or --repo say (dnf's
# man page: combine it with --disablerepo='*' to see only that repo).
compare 3.0 --disablerepo='*' --enablerepo=base --repofrompath=t,file://$TESTING --setopt=t.priority=1
grep -qx 'greet-3.0-1.noarch@t' "$T/y$n.plan" || fail "--disablerepo='*' disabled the --repofrompath repo"
compare 3.0 --repo=base --repofrompath=t,file://$TESTING --setopt=t.priority=1
compare 3.0 --repofrompath=t,file://$TESTING --setopt=t.priority=1 --disablerepo=t

# --refresh: with metadata_expire=never the cached repomd.xml is used as is;
# --refresh fetches it again, as dnf's (served over HTTP: file:// is read in place).
LIVE="$T/live"
pkg "$LIVE" fresh 1.0; createrepo_c --quiet "$LIVE"
serve "$LIVE"
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=none\n[live]\nbaseurl=%s\nmetadata_expire=never\n' "$URL" >"$T/live.conf"
live_version() { "$YUMDA" -c "$T/live.conf" "$@" --json list --available fresh |
  python3 -c 'import json,sys; print(" ".join(sorted(p["version"] for p in json.load(sys.stdin)["available"])))'; }
[ "$(live_version)" = 1.0 ] || fail "list fresh: $(live_version)"
rm -f "$LIVE"/*.rpm "$LIVE"/*/*.rpm 2>/dev/null || true
pkg "$LIVE" fresh 2.0; createrepo_c --quiet "$LIVE"
[ "$(live_version)" = 1.0 ] || fail "metadata_expire=never refetched: $(live_version)"
[ "$(live_version --refresh)" = 2.0 ] || fail "--refresh did not fetch the new repomd.xml: $(live_version --refresh)"
pass "--refresh fetches repomd.xml again where metadata_expire=never kept the cached one"
