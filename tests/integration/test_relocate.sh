#!/bin/bash
# Stock /usr packages (the stock demo: motd finds its data, a plugin and a
# helper through compiled-in /usr paths) relocated into a layer: placed under
# /opt, paths rewritten, recorded; the zipped layer runs in a runtime-only
# root, and the same files merely moved do not. `check` passes, and points at
# a rewrite undone by hand.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
S=(--repofrompath stock,file://"$STOCK_DEMO_REPO")
R="$T/layer"

run_capture inst y "${S[@]}" install -y --root "$R" motd
[ "$(rc_of inst)" = 0 ] || { cat "$T/inst.err"; fail "install motd exited $(rc_of inst)"; }
for f in bin/motd lib/libmotd.so.1 lib/motd/plugins/shout.so libexec/motd/motd-frame share/motd/messages.txt etc/motd.conf; do
  [ -e "$R/$f" ] || fail "$f is not in the layer: $(cd "$R" && find . -not -path './.yumda*')"
done
[ "$(readlink "$R/lib/libmotd.so.1")" = libmotd.so.1.0.0 ] || fail "lib/libmotd.so.1 lost its target"
[ ! -e "$R/usr" ] && [ ! -e "$T/usr" ] || fail "something was written under usr/"
grep -q "motd-2.0-1.demo.x86_64: 3 moved, 1 rewritten" "$T/inst.out" || fail "no relocation summary: $(cat "$T/inst.out")"
grep -q "/usr/share/motd/messages.txt" "$R/bin/motd" && fail "bin/motd still names /usr/share/motd"
grep -q "/opt/lib/motd/plugins/shout.so" "$R/bin/motd" || fail "bin/motd does not name its plugin under /opt"
pass "motd installed: moved under /opt, its compiled-in paths rewritten"

# Extraction scans the moved files as it writes them: the relocation stage
# reads back only the two files it rewrites (bin/motd and motd-data's
# share/motd/messages.txt), none of the 5 others.
run_capture instv y "${S[@]}" -v install -y --root "$T/v" motd
grep -h "^info: Relocated" "$T/instv.out" "$T/instv.err" | grep -q "Relocated 3 packages: read 2 files .* once each in [0-9]* ms; 5 more files .* scanned" \
  || fail "the relocation stage read back more than the files it rewrote: $(grep -h Relocated "$T/instv.out" "$T/instv.err")"
cmp "$T/v/bin/motd" "$R/bin/motd" || fail "bin/motd differs between two installs"
pass "the relocation stage reads back only the files it rewrites"

# The record: where each file came from, and both digests of a rewritten one.
python3 - "$R" <<'PY' || fail "installed.json does not record the relocation"
import hashlib, json, sys
root = sys.argv[1]
pkgs = {p["name"]: p for p in json.load(open(root + "/.yumda/installed.json"))["packages"]}
rel = pkgs["motd"]["relocated"]
assert rel["moved_from"]["bin/motd"] == "/usr/bin/motd", rel["moved_from"]
assert rel["moved_from"]["lib/motd/plugins/shout.so"] == "/usr/lib64/motd/plugins/shout.so"
(r,) = [r for r in rel["rewritten"] if r["path"] == "bin/motd"]
now = hashlib.sha256(open(root + "/bin/motd", "rb").read()).hexdigest()
assert r["sha256"] == now and r["sha256_shipped"] != now and r["paths"] == 3, r
PY
pass "installed.json records moved_from and both digests"

run_capture j y "${S[@]}" install -y --json --root "$T/j" motd
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r={x["package"]: x for x in d["relocated"]}; assert r["motd-2.0-1.demo.x86_64"]["moved"] == 3 and r["motd-2.0-1.demo.x86_64"]["rewritten"] == 1, r' "$T/j.out" \
  || fail "--json has no relocation counts: $(cat "$T/j.out")"
pass "--json says what was relocated"

run_capture chk y check --root "$R"
[ "$(rc_of chk)" = 0 ] && grep -q "0 error(s), 0 warning(s)" "$T/chk.out" || fail "check on the relocated layer: $(cat "$T/chk.out")"
cp -a "$R" "$T/moved"
python3 "$HERE/unrelocate.py" "$T/moved" "$STOCK_DEMO_REPO/packages" >/dev/null
run_capture chk2 y check --root "$T/moved"
grep -q "bin/motd hard-codes /usr/share/motd/messages.txt, but the layer has that at /opt/share/motd/messages.txt" "$T/chk2.out" \
  || fail "check does not point at the path left: $(cat "$T/chk2.out")"
grep -q "motd was changed after yumda relocated it" "$T/chk2.out" && fail "check took the shipped bytes for tampering"
cp -a "$R" "$T/tampered"
printf 'tampered\n' >>"$T/tampered/share/motd/messages.txt"
run_capture chk3 y check --root "$T/tampered"
grep -q "/opt/share/motd/messages.txt was changed after yumda relocated it" "$T/chk3.out" \
  || fail "check does not tell a tampered relocated file: $(cat "$T/chk3.out")"
# installed.json is input: a moved_from path leaving the layer is not read by check.
cp -a "$R" "$T/forged"
echo "/usr/share/motd/messages.txt" >"$T/outside.txt"
python3 - "$T/forged/.yumda/installed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["packages"]:
    if p["name"] == "motd":
        p["relocated"]["moved_from"]["../outside.txt"] = "/usr/x"
json.dump(d, open(sys.argv[1], "w"))
PY
run_capture chk4 y check --root "$T/forged"
grep -q "outside.txt" "$T/chk4.out" && fail "check read a file outside the layer named in installed.json"
pass "check passes, names the path a rewrite undone by hand leaves, and tells a tampered file"

# An /opt-built repo (the demo's libgreet) installs exactly as without relocation.
y --repofrompath demo,file://"$DEMO_REPO" install -y -q --root "$T/opt-auto" libgreet
y --repofrompath demo,file://"$DEMO_REPO" --setopt=relocate=never install -y -q --root "$T/opt-never" libgreet
y zip -q --root "$T/opt-auto" -o "$T/opt-auto.zip"
y zip -q --root "$T/opt-never" -o "$T/opt-never.zip"
cmp -s "$T/opt-auto.zip" "$T/opt-never.zip" || fail "an /opt package's zip differs with relocation on"
grep -q '"relocated"' "$T/opt-auto/.yumda/installed.json" && fail "an /opt package was recorded as relocated"
pass "an /opt package's layer is byte for byte the same"

# Two payload paths of one package landing on one place: an error naming both, layer unchanged.
{
  printf 'Name: clash\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\nBuildArch: noarch\n%%description\nx\n'
  printf '%%install\nmkdir -p %%{buildroot}/usr/lib %%{buildroot}/usr/lib64\n'
  printf 'echo a > %%{buildroot}/usr/lib/clash.txt\necho b > %%{buildroot}/usr/lib64/clash.txt\n'
  printf '%%files\n/usr/lib/clash.txt\n/usr/lib64/clash.txt\n'
} >"$T/clash.spec"
rpmbuild -bb --quiet --define "_topdir $T/top" --define "_build_id_links none" "$T/clash.spec" >"$T/rpmbuild.log" 2>&1 \
  || { cat "$T/rpmbuild.log"; fail "rpmbuild clash"; }
mkdir -p "$T/clashrepo" && cp "$T"/top/RPMS/noarch/*.rpm "$T/clashrepo/" && createrepo_c -q "$T/clashrepo"
before=$(snapshot "$R")
run_capture clash y --repofrompath clash,file://"$T/clashrepo" install -y --root "$R" clash
[ "$(rc_of clash)" = 1 ] || fail "a relocation collision exited $(rc_of clash)"
grep -q "files /usr/lib/clash.txt and /usr/lib64/clash.txt would both be relocated to /opt/lib/clash.txt" "$T/clash.err" \
  || grep -q "files /usr/lib64/clash.txt and /usr/lib/clash.txt would both be relocated to /opt/lib/clash.txt" "$T/clash.err" \
  || fail "the collision error does not name both files: $(cat "$T/clash.err")"
[ "$(snapshot "$R")" = "$before" ] || fail "the failed install changed the layer"
run_capture clash2 y --repofrompath clash,file://"$T/clashrepo" --relocate /usr/lib64=/opt/lib64 install -y --root "$T/c2" clash
[ "$(rc_of clash2)" = 0 ] && [ "$(cat "$T/c2/lib64/clash.txt")" = b ] || fail "--relocate did not settle the collision: $(cat "$T/clash2.err")"
pass "a collision is an error naming both files; --relocate settles it"

# keepcache=1: the expanded payload keeps the payload's own names, so a
# replay is relocated exactly as the RPM was (same layer, same record).
y "${S[@]}" --setopt=keepcache=1 install -y -q --root "$T/kc1" motd
y "${S[@]}" --setopt=keepcache=1 install -y -q --root "$T/kc2" motd
ls "$XDG_CACHE_HOME"/yumda/expanded/*.cpio >/dev/null 2>&1 || fail "no expanded payload was cached"
[ "$(snapshot "$T/kc2")" = "$(snapshot "$T/kc1")" ] && [ "$(snapshot "$T/kc1" | grep -v yumda)" = "$(snapshot "$R" | grep -v yumda)" ] \
  || fail "a replayed install differs from the first"
pass "a keepcache replay relocates the same way"

# Removing relocated packages removes their files from their layer places.
y "${S[@]}" install -y -q --root "$T/rmlayer" motd
run_capture rm y remove -y --root "$T/rmlayer" motd
[ "$(rc_of rm)" = 0 ] || { cat "$T/rm.err"; fail "remove motd failed"; }
[ ! -e "$T/rmlayer/bin/motd" ] && [ ! -e "$T/rmlayer/lib/motd/plugins/shout.so" ] && [ ! -e "$T/rmlayer/libexec/motd/motd-frame" ] \
  || fail "remove left relocated files: $(cd "$T/rmlayer" && find . -not -path './.yumda*' -type f)"
pass "remove takes a relocated package's files out"

can_chroot || { echo "skipped the run part: needs root and mount namespaces"; exit 0; }
y zip -q --root "$R" -o "$T/layer.zip"
mkdir "$T/unz" && (cd "$T/unz" && unzip -q "$T/layer.zip")
make_runtime_root "$T/rootfs" libc6
out=$(in_lambda "$T/rootfs" "$T/unz" /opt/bin/motd lambda)
echo "$out"
echo "$out" | grep -q "| Hello, lambda: THIS LINE CAME FROM /OPT/SHARE/MOTD/MESSAGES.TXT, RELOCATED |" \
  || fail "motd did not do its job from the layer"
pass "the relocated layer, zipped and mounted at /opt, runs motd (data, plugin, helper)"
set +e
moved_out=$(in_lambda "$T/rootfs" "$T/moved" /opt/bin/motd lambda 2>&1)
moved_rc=$?
set -e
[ "$moved_rc" != 0 ] && echo "$moved_out" | grep -q "cannot read /usr/share/motd/messages.txt" \
  || fail "the merely moved layer ran ($moved_rc): $moved_out"
pass "the same files merely moved fail ($moved_out)"

