#!/bin/bash
# %post scriptlets: run after the commit with the layer at /opt (in bubblewrap's
# sandbox), a failing one is a warning, --noscripts skips them, and the host
# outside the layer stays out of reach: the escapes of issue #14 are tried.
. "$(dirname "$0")/lib.sh"
ESCAPE=/var/tmp/yumda-escape.$$
rm -f "$ESCAPE"
mkrpm() {  # NAME POST-SCRIPT (POSTARGS="-p <lua>" for another interpreter)
  { echo "Name: $1"; echo "Version: 1.0"; echo "Release: 1"; echo "Summary: $1"; echo "License: MIT"
    echo "BuildArch: noarch"; echo "AutoReqProv: no"
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s\necho %s > %%{buildroot}/opt/share/%s/file\n' "$1" "$1" "$1" "$1"
    printf '%%post %s\n%s\n%%files\n/opt/share/%s\n' "${POSTARGS:-}" "$2" "$1"; } >"$T/$1.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/repo" "$T/$1.spec" >/dev/null 2>&1 || fail "rpmbuild $1"
}
mkrpm marker 'mkdir -p /opt/share/x && echo "ran $1 $PATH $LD_LIBRARY_PATH $(pwd)" > /opt/share/x/marker && touch /tmp/scratch'
mkrpm failing "echo escaped > $ESCAPE; exit 7"
# Escapes tried as root (issue #14): each writes a host file if it gets out.
HOST=/var/tmp/yumda-host.$$
mkrpm esc-ppid "echo pwned > /proc/\$PPID/root$HOST-ppid; echo pwned > /proc/\$PPID/cwd/yumda-host-cwd.$$"
mkrpm esc-init "echo pwned > /proc/1/root$HOST-init"
mkrpm esc-remount "mount -o remount,bind,rw / 2>/dev/null; mount -o remount,rw / 2>/dev/null; mkdir -p /var/tmp; echo pwned > $HOST-remount"
mkrpm esc-shm "echo pwned > /dev/shm/yumda-host-shm.$$"
mkrpm esc-journal "echo [] > /opt/.yumda/installed.json; [ -d /proc/$$ ] && touch /opt/share/esc-journal/sees-host-pids; true"
POSTARGS="-p <lua>" mkrpm luapost 'print("lua ran")'
createrepo_c --quiet "$T/repo"
Y=(--repofrompath t,file://"$T/repo")

# A Lua scriptlet (<lua>) is not run, and yumda says so: a warning, and a
# skipped entry in --json's "scripts".
run_capture lua y "${Y[@]}" install -y --json --root "$T/l5" luapost
[ "$(rc_of lua)" = 0 ] || fail "install luapost: $(cat "$T/lua.err")"
grep -q "%post scriptlet of luapost-1.0-1.noarch not run: it is Lua" "$T/lua.err" || fail "no Lua warning: $(cat "$T/lua.err")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["scripts"]
assert len(s)==1 and s[0]["package"]=="luapost-1.0-1.noarch" and s[0]["status"]=="skipped" and "Lua" in s[0]["detail"], s' \
  "$T/lua.out" || fail "Lua scriptlet not in --json scripts: $(cat "$T/lua.out")"
! grep -q "lua ran" "$T/lua.out" "$T/lua.err" || fail "the Lua scriptlet ran"
pass "a Lua %post is reported as not run: $(grep Lua "$T/lua.err")"

if ! command -v bwrap >/dev/null || ! bwrap --unshare-user --ro-bind / / true 2>/dev/null; then
  run_capture noperm y "${Y[@]}" install -y --root "$T/l0" marker
  grep -q "skipped 1 scriptlet(s) of marker-1.0-1.noarch" "$T/noperm.err" || fail "scripts not listed as skipped"
  skip "bubblewrap missing or user namespaces disabled here (scripts listed as skipped, checked)"
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
[ ! -e "$ESCAPE" ] || { rm -f "$ESCAPE"; fail "scriptlet wrote outside the layer"; }
pass "failing %post is a warning naming the package and exit status; the host's /var/tmp is out of its reach"

# Each escape in its own install; the host files must not appear.
for e in esc-ppid esc-init esc-remount esc-shm esc-journal; do
  run_capture "$e" y "${Y[@]}" install -y --root "$T/l-$e" "$e"
  [ "$(rc_of "$e")" = 0 ] || fail "install $e: $(cat "$T/$e.err")"
  [ -f "$T/l-$e/share/$e/file" ] || fail "$e not installed"
done
bad=""
for f in "$HOST-ppid" "$HOST-init" "$HOST-remount" "/dev/shm/yumda-host-shm.$$" "$PWD/yumda-host-cwd.$$"; do
  [ ! -e "$f" ] || { bad="$bad $f"; rm -f "$f"; }
done
[ -z "$bad" ] || fail "a scriptlet wrote host files:$bad"
y --root "$T/l-esc-journal" list --installed | grep -q esc-journal || fail "a scriptlet rewrote .yumda/installed.json"
[ ! -e "$T/l-esc-journal/share/esc-journal/sees-host-pids" ] || fail "a scriptlet sees the host's processes"
pass "escapes through /proc/\$PPID/root, /proc/1/root, a remount of /, /dev/shm and .yumda/ all fail"

# No bubblewrap: every script is skipped, saying why, in the warning and --json.
YUMDA_BWRAP=/nonexistent/bwrap run_capture nobw y "${Y[@]}" install -y --json --root "$T/l5" marker
[ "$(rc_of nobw)" = 0 ] || fail "install without bwrap: $(cat "$T/nobw.err")"
grep -q "skipped 1 scriptlet(s) of marker-1.0-1.noarch: bubblewrap (bwrap) is not installed" "$T/nobw.err" || fail "no skip warning: $(cat "$T/nobw.err")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["scripts"]
assert len(s)==1 and s[0]["status"]=="skipped" and "bwrap" in s[0]["detail"], s' "$T/nobw.out" || fail "--json: $(cat "$T/nobw.out")"
[ ! -e "$T/l5/share/x/marker" ] || fail "the script ran without bwrap"
pass "without bwrap every script is listed as skipped"

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
