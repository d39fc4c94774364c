#!/bin/bash
# %post scriptlets: run after the commit with the layer at /opt (private mount
# namespace), a failing one is a warning, --noscripts skips them, and the host
# outside the layer stays out of reach.
. "$(dirname "$0")/lib.sh"
ESCAPE=/var/tmp/yumda-escape.$$
rm -f "$ESCAPE"
mkrpm() {  # NAME POST-SCRIPT
  { echo "Name: $1"; echo "Version: 1.0"; echo "Release: 1"; echo "Summary: $1"; echo "License: MIT"
    echo "BuildArch: noarch"; echo "AutoReqProv: no"
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s\necho %s > %%{buildroot}/opt/share/%s/file\n' "$1" "$1" "$1" "$1"
    printf '%%post\n%s\n%%files\n/opt/share/%s\n' "$2" "$1"; } >"$T/$1.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/repo" "$T/$1.spec" >/dev/null 2>&1 || fail "rpmbuild $1"
}
mkrpm marker 'mkdir -p /opt/share/x && echo "ran $1 $PATH $LD_LIBRARY_PATH $(pwd)" > /opt/share/x/marker && touch /tmp/scratch'
mkrpm failing "echo escaped > $ESCAPE; exit 7"
createrepo_c --quiet "$T/repo"
Y=(--repofrompath t,file://"$T/repo")

if ! { [ "$(id -u)" = 0 ] || unshare -Urm true 2>/dev/null; }; then
  run_capture noperm y "${Y[@]}" install -y --root "$T/l0" marker
  grep -q "skipped 1 scriptlet(s) of marker-1.0-1.noarch" "$T/noperm.err" || fail "scripts not listed as skipped"
  echo "skipped: neither root nor user namespaces here"; exit 0
fi

run_capture ok y "${Y[@]}" install -y --root "$T/l1" marker
[ "$(rc_of ok)" = 0 ] || fail "install marker: $(cat "$T/ok.err")"
[ "$(cat "$T/l1/share/x/marker")" = "ran 1 /opt/bin:/usr/bin:/bin /opt/lib /" ] || fail "marker: $(cat "$T/l1/share/x/marker" 2>&1)"
[ ! -e /opt/share/x/marker ] || [ /opt/share/x/marker -ef "$T/l1/share/x/marker" ] || fail "scriptlet wrote the host's /opt"
[ ! -e /tmp/scratch ] || fail "scriptlet's /tmp is the host's"
pass "%post runs with the layer at /opt, PATH and LD_LIBRARY_PATH into it"

run_capture bad y "${Y[@]}" install -y --root "$T/l2" failing
[ "$(rc_of bad)" = 0 ] || fail "a failing scriptlet failed the install"
grep -q "scriptlet of failing-1.0-1.noarch failed, exit status 7" "$T/bad.err" || fail "no warning: $(cat "$T/bad.err")"
[ -f "$T/l2/share/failing/file" ] || fail "package of a failing scriptlet not installed"
[ ! -e "$ESCAPE" ] && grep -q "Read-only file system" "$T/bad.err" || { rm -f "$ESCAPE"; fail "scriptlet wrote outside the layer (/ not read-only)"; }
pass "failing %post is a warning naming the package and exit status; / is read-only to it"

run_capture nos y "${Y[@]}" install -y --json --noscripts --root "$T/l3" marker
[ ! -e "$T/l3/share/x/marker" ] || fail "--noscripts ran the scriptlet"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["scripts"]==[{"package":"marker-1.0-1.noarch","status":"skipped","exit_code":0,"detail":"--noscripts"}], d' "$T/nos.out" \
  || fail "--noscripts not reported: $(cat "$T/nos.out")"
pass "--noscripts skips and lists them"

# Not root: a user namespace does the same job.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups unshare -Urm true 2>/dev/null; then
  mkdir "$T/l4" && chown nobody "$T/l4" && chmod 755 "$T"
  cp -r "$T/cache" "$T/cache4" 2>/dev/null || true; chown -R nobody "$T/cache4" 2>/dev/null || true
  XDG_CACHE_HOME="$T/cache4" setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$YUMDA" -c "$T/empty.conf" "${Y[@]}" install -y -q --root "$T/l4" marker 2>"$T/u.err" || fail "install as nobody: $(cat "$T/u.err")"
  grep -q "^ran 1 " "$T/l4/share/x/marker" || fail "scriptlet did not run in a user namespace: $(cat "$T/u.err")"
  pass "%post runs unprivileged through a user namespace"
fi
