#!/bin/bash
# The dnf verbs beyond install/remove: --nodocs, info, search, provides,
# repoquery, download, version pins, upgrade (against a second repo with
# bumped versions) and reinstall.
. "$(dirname "$0")/lib.sh"
D=(--repofrompath demo,file://"$DEMO_REPO")

# --- --nodocs and --setopt=tsflags=nodocs
y "${D[@]}" install -y -q --root "$T/docs" greet-data
[ -f "$T/docs/share/doc/greet-data/README" ] || fail "without --nodocs the %doc file should be installed"
y "${D[@]}" install -y -q --root "$T/nodocs" --nodocs greet-data
[ ! -e "$T/nodocs/share/doc/greet-data/README" ] || fail "--nodocs kept the %doc file"
[ -f "$T/nodocs/share/greet/message.txt" ] || fail "--nodocs dropped a normal file"
y "${D[@]}" --setopt=tsflags=nodocs install -y -q --root "$T/nodocs2" greet-data
[ -z "$(find "$T/nodocs" "$T/nodocs2" -path '*/share/doc/*' -o -path '*/share/man/*' -o -path '*/share/info/*')" ] \
  || fail "doc, man or info files left with nodocs"
pass "--nodocs and tsflags=nodocs leave out docs"

# --- info / search / provides / repoquery
y "${D[@]}" info greet >"$T/info.out" || fail "info greet"
grep -q "^Version *: 1.2.0" "$T/info.out" && grep -q "^License *: MIT" "$T/info.out" \
  && grep -q "^Repository *: demo" "$T/info.out" || fail "info output: $(cat "$T/info.out")"
y "${D[@]}" info --json 'greet-1.2*' | python3 -c '
import json,sys; d=json.load(sys.stdin); a=d["available"]
assert [p["name"] for p in a]==["greet"], a
assert a[0]["version"]=="1.2.0" and a[0]["summary"] and a[0]["download_size"]>0 and a[0]["install_size"]>0 and a[0]["url"], a' || fail "info --json with a version glob"
y "${D[@]}" install -y -q --root "$T/inf" greet
y "${D[@]}" info --json --root "$T/inf" greet | python3 -c '
import json,sys; i=json.load(sys.stdin)["installed"]
assert [(p["nevra"], p["repo"]) for p in i]==[("greet-1.2.0-1.demo.x86_64", "@demo")], i
assert i[0]["install_size"]>0 and i[0]["download_size"]>0 and i[0]["summary"], i' \
  || fail "info --json of an installed package lacks its sizes"
run_capture nomatch y "${D[@]}" info nosuchpkg
[ "$(rc_of nomatch)" = 1 ] || fail "info of an unknown package exited $(rc_of nomatch)"
pass "info (text, --json, version glob, unknown)"

[ "$(y "${D[@]}" search messages | tail -n +2)" = "greet-data.noarch : Messages for greet" ] || fail "search messages"
y "${D[@]}" search --json GREET | python3 -c '
import json,sys; n=sorted(p["name"] for p in json.load(sys.stdin)["packages"]); assert n==["greet","greet-data","libgreet"], n' \
  || fail "search is not case-insensitive over names and summaries"
pass "search"

y "${D[@]}" provides /opt/bin/hello | grep -q "^greet-1.2.0-1.demo.x86_64 :" || fail "provides /opt/bin/hello"
y "${D[@]}" provides 'libgreet.so.1()(64bit)' | grep -q "^libgreet-1.2.0" || fail "provides a soname"
y "${D[@]}" provides greet | grep -q "^greet-1.2.0" || fail "provides by bare name"
y "${D[@]}" provides '/opt/share/greet/*' | grep -q "^greet-data-1.0" || fail "provides a path glob"
pass "provides (path, soname, name, path glob)"

y "${D[@]}" repoquery --requires greet | grep -qx "greet-data >= 1.0" || fail "repoquery --requires"
[ "$(y "${D[@]}" repoquery --whatrequires libgreet)" = "greet-0:1.2.0-1.demo.x86_64" ] || fail "repoquery --whatrequires"
y "${D[@]}" repoquery -l greet-data | grep -qx /opt/share/greet/message.txt || fail "repoquery --list"
[ "$(y "${D[@]}" repoquery 'greet >= 1.1')" = "greet-0:1.2.0-1.demo.x86_64" ] || fail "repoquery 'greet >= 1.1'"
[ -z "$(y "${D[@]}" repoquery 'greet >= 1.3')" ] || fail "repoquery 'greet >= 1.3' matched"
[ "$(y "${D[@]}" repoquery | wc -l)" = 3 ] || fail "repoquery without a spec lists every package"
pass "repoquery (--requires, --whatrequires, --list, rel specs)"

# --- download
y "${D[@]}" download -q --destdir "$T/dl" greet
[ "$(ls "$T/dl")" = "greet-1.2.0-1.demo.x86_64.rpm" ] || fail "download greet: $(ls "$T/dl")"
cmp -s "$T/dl/greet-1.2.0-1.demo.x86_64.rpm" "$DEMO_REPO/packages/greet-1.2.0-1.demo.x86_64.rpm" || fail "downloaded bytes differ"
y "${D[@]}" download -q --resolve --destdir "$T/dlr" greet
[ "$(ls "$T/dlr" | wc -l)" = 3 ] || fail "download --resolve: $(ls "$T/dlr")"
pass "download, download --resolve"

# --- install pins
y "${D[@]}" install -y -q --root "$T/pin" 'greet-1.2*' 'greet-data >= 1.0'
y list --installed --root "$T/pin" | grep -q "^greet\.x86_64 *1.2.0-1.demo" || fail "pinned install"
run_capture badpin y "${D[@]}" install -y --root "$T/pin2" 'greet-9*'
[ "$(rc_of badpin)" = 1 ] && grep -q "No match for argument: greet-9\*" "$T/badpin.err" || fail "unknown pin: $(cat "$T/badpin.err")"
pass "version pins (name-version glob, 'name >= version')"

# --- a second repo with every version bumped; greet-data's file renamed
cp -r "$YUMDA_SOURCE_DIR/demo" "$T/demo2"
sed -i 's/1\.2\.0/1.3.0/g' "$T/demo2/specs/greet.spec" "$T/demo2/specs/libgreet.spec"  # libgreet.so.1.2.0 too
sed -i 's/^Version:\( *\)1.0$/Version:\11.1/; s/message.txt/message2.txt/g' "$T/demo2/specs/greet-data.spec"
"$T/demo2/make-demo-repo" "$T/repo2" >/dev/null
D2=(--repofrompath demo2,file://"$T/repo2")

R="$T/layer"
y "${D[@]}" install -y -q --root "$R" greet
before=$(snapshot "$R")
y "${D[@]}" upgrade -y -q --root "$R"
[ "$(snapshot "$R")" = "$before" ] || fail "upgrade with nothing newer changed the layer"
y "${D[@]}" "${D2[@]}" upgrade -y --root "$R" greet-data >"$T/up1.out" || fail "upgrade greet-data"
y list --installed --root "$R" | grep -q "^greet-data\.noarch *1.1-3.demo" || fail "greet-data not upgraded"
y list --installed --root "$R" | grep -q "^greet\.x86_64 *1.2.0" || fail "upgrade greet-data touched greet"
[ -f "$R/share/greet/message2.txt" ] && [ ! -e "$R/share/greet/message.txt" ] || fail "old file kept or new file missing"
# --assumeno's plan says what it would upgrade and take out, as dnf's table does
run_capture up2no y "${D[@]}" "${D2[@]}" upgrade --assumeno --json --root "$R"
[ "$(rc_of up2no)" = 1 ] || fail "upgrade --assumeno exited $(rc_of up2no)"
python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert not d["performed"], d
assert {p["nevra"]: (p["action"], p["replaces"]) for p in d["install"]}=={
  "greet-1.3.0-1.demo.x86_64": ("upgrade", ["greet-1.2.0-1.demo.x86_64"]),
  "libgreet-1.3.0-1.demo.x86_64": ("upgrade", ["libgreet-1.2.0-1.demo.x86_64"])}, d
assert sorted((p["nevra"], p["reason"]) for p in d["remove"])==[
  ("greet-1.2.0-1.demo.x86_64", "replaced"), ("libgreet-1.2.0-1.demo.x86_64", "replaced")], d
assert all(p["install_size"] > 0 for p in d["remove"]), d' "$T/up2no.out" \
  || fail "upgrade --assumeno --json does not show the upgrades and removals: $(cat "$T/up2no.out")"
y "${D[@]}" "${D2[@]}" upgrade -y --json --root "$R" >"$T/up2.json" || fail "upgrade all"
python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert sorted(p["nevra"] for p in d["install"])==["greet-1.3.0-1.demo.x86_64","libgreet-1.3.0-1.demo.x86_64"], d
assert sorted(p["nevra"] for p in d["remove"])==["greet-1.2.0-1.demo.x86_64","libgreet-1.2.0-1.demo.x86_64"], d' "$T/up2.json" \
  || fail "upgrade --json: $(cat "$T/up2.json")"
got=$(y list --installed --root "$R" | awk 'NR>1 {print $1, $2}' | tr '\n' ';')
[ "$got" = "greet.x86_64 1.3.0-1.demo;greet-data.noarch 1.1-3.demo;libgreet.x86_64 1.3.0-1.demo;" ] || fail "after upgrade: $got"
[ "$(ls "$R/lib" | sort | tr '\n' ' ')" = "libgreet.so.1 libgreet.so.1.3.0 " ] || fail "old library left: $(ls "$R/lib")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
u={p["name"]:p["user_installed"] for p in d["packages"]}; assert u=={"greet":True,"greet-data":False,"libgreet":False}, u' \
  "$R/.yumda/installed.json" || fail "upgrade lost the user_installed marks"
pass "upgrade replaces packages and removes the old files"

if command -v dnf >/dev/null; then  # dnf does the same on the same two repos
  DNF="dnf -q -y --installroot=$T/dnfroot --releasever=1 --setopt=cachedir=$T/dnfcache --disablerepo=*
    --repofrompath=a,file://$DEMO_REPO --repofrompath=b,file://$T/repo2 --setopt=*.gpgcheck=0"
  if $DNF --disablerepo=b install greet >/dev/null 2>&1 && $DNF upgrade >/dev/null 2>&1; then
    want=$(rpm --root "$T/dnfroot" -qa --qf '%{NAME}.%{ARCH} %{VERSION}-%{RELEASE}\n' | grep greet | sort | tr '\n' ';')
    [ "$want" = "$got" ] || fail "dnf upgrade gives [$want], yumda [$got]"
    pass "dnf upgrade gives the same packages"
  else
    echo "skipped: dnf could not install into a scratch root"
  fi
fi

# --- reinstall: a deleted file comes back, nothing else changes
rm "$R/bin/greet"
y "${D2[@]}" reinstall -y -q --root "$R" greet
[ -x "$R/bin/greet" ] || fail "reinstall did not bring bin/greet back"
[ "$(y list --installed --root "$R" | wc -l)" = 4 ] || fail "reinstall changed the package set"
run_capture reinst y "${D[@]}" reinstall -y --root "$R" greet
[ "$(rc_of reinst)" = 1 ] && grep -q "greet-1.3.0-1.demo.x86_64 is not available" "$T/reinst.err" \
  || fail "reinstall of a version no repo has: $(cat "$T/reinst.err")"
pass "reinstall"
