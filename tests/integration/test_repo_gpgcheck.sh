#!/bin/bash
# repo_gpgcheck=1 through the binary: the demo repo's repomd.xml signed with a
# key made here (gpg --detach-sign --armor, as repos publish repomd.xml.asc)
# loads with that key as gpgkey=, over file:// and http://, and from the cache
# with -C. Another key, a repomd.xml changed after signing, a missing or
# garbage .asc are refused in one line naming the repo, the layer and the
# metadata cache stay as they were; no gpgkey= is a config error.
. "$(dirname "$0")/lib.sh"
command -v gpg >/dev/null || { echo "skipped: needs gpg"; exit 0; }
mkkey() {  # NAME -> $T/NAME.asc, GNUPGHOME $T/gnupg-NAME
  mkdir -p "$T/gnupg-$1" && chmod 700 "$T/gnupg-$1"
  GNUPGHOME="$T/gnupg-$1" gpg --batch --quiet --passphrase '' --quick-gen-key "$1 <$1@yumda.test>" rsa2048 sign never 2>/dev/null
  GNUPGHOME="$T/gnupg-$1" gpg --batch --armor --export "$1@yumda.test" >"$T/$1.asc"
}
keyid() { GNUPGHOME="$T/gnupg-$1" gpg --batch --with-colons --list-keys "$1@yumda.test" 2>/dev/null | awk -F: '/^pub/{print tolower($5)}'; }
sign() {  # KEYNAME REPO: writes REPO/repodata/repomd.xml.asc
  GNUPGHOME="$T/gnupg-$1" gpg --batch --yes --digest-algo SHA256 --detach-sign --armor \
    -o "$2/repodata/repomd.xml.asc" "$2/repodata/repomd.xml"
}
mkkey good
mkkey other
GOOD=$(keyid good)
OTHER=$(keyid other)
cp -a "$DEMO_REPO" "$T/repo"
sign good "$T/repo"
cp "$T/repo/repodata/repomd.xml" "$T/repomd.signed"

conf() {  # BASEURL KEYFILE... -> $T/rg.conf (no KEYFILE: no gpgkey= line)
  base=$1; shift
  { printf '[main]\nreposdir=\ngpgcheck=0\n\n[signed]\nname=signed demo\nbaseurl=%s\nrepo_gpgcheck=1\n' "$base"
    [ $# = 0 ] || printf 'gpgkey=%s\n' "$(printf 'file://%s ' "$@")"; } >"$T/rg.conf"
}
one_line() { [ "$(wc -l <"$T/$1.err")" = 1 ] || fail "$1: expected one line on stderr: $(cat "$T/$1.err")"; }
# refused NAME PATTERN CMD...: CMD exits 1 with one stderr line naming the repo and matching PATTERN
refused() {
  name=$1 pattern=$2; shift 2
  run_capture "$name" "$@"
  [ "$(rc_of "$name")" = 1 ] || fail "$name: exit $(rc_of "$name"): $(cat "$T/$name.err")"
  one_line "$name"
  grep -q "repo signed" "$T/$name.err" || fail "$name: the repo is not named: $(cat "$T/$name.err")"
  grep -q -- "$pattern" "$T/$name.err" || fail "$name: expected '$pattern': $(cat "$T/$name.err")"
}

# --- file:// repo
conf "file://$T/repo" "$T/good.asc"
run_capture ok "$YUMDA" -c "$T/rg.conf" install -y --root "$T/layer" greet
[ "$(rc_of ok)" = 0 ] || fail "signed repomd with its key did not install: $(cat "$T/ok.err")"
[ -x "$T/layer/bin/greet" ] || fail "greet not installed"
# The key that verified repomd.xml is shown as dnf shows an import (gpgcheck=0
# here: no package check shows it), once per cache.
grep -q "^Importing GPG key 0x$(echo "${GOOD: -8}" | tr a-f A-F):$" "$T/ok.err" &&
  grep -q '^ Userid     : "good <good@yumda.test>"$' "$T/ok.err" && grep -q "^ From       : file://$T/good.asc$" "$T/ok.err" ||
  fail "the repo_gpgcheck key was not shown: $(cat "$T/ok.err")"
run_capture ok2 "$YUMDA" -c "$T/rg.conf" list --available
[ "$(rc_of ok2)" = 0 ] && ! grep -q "Importing GPG key" "$T/ok2.err" || fail "the key was shown again: $(cat "$T/ok2.err")"
pass "file://: signed repomd.xml installs with repo_gpgcheck=1, its key shown once"

before=$(snapshot "$T/layer")
conf "file://$T/repo" "$T/other.asc"
refused wrongkey "signed with key $GOOD, which is not among the keys of file://$T/other.asc" \
  "$YUMDA" -c "$T/rg.conf" reinstall -y --root "$T/layer" libgreet
pass "file://: another key -> $(cat "$T/wrongkey.err")"
conf "file://$T/repo" "$T/other.asc" "$T/good.asc"
run_capture bothkeys "$YUMDA" -c "$T/rg.conf" list --available
[ "$(rc_of bothkeys)" = 0 ] && grep -q greet "$T/bothkeys.out" || fail "two gpgkey= keys: $(cat "$T/bothkeys.err")"
pass "file://: the signing key among two gpgkey= keys"

# Issue #14: the stat stamp of a checked primary must not stand in for the
# check against the signed repomd.xml: a primary changed in place, size and
# mtime put back, is refused on the next run.
conf "file://$T/repo" "$T/good.asc"
run_capture warm "$YUMDA" -c "$T/rg.conf" list --available
[ "$(rc_of warm)" = 0 ] || fail "warm-up: $(cat "$T/warm.err")"
cp -a "$T/repo/repodata" "$T/repodata.keep"
P=$(ls "$T/repo/repodata/"*-primary.xml.gz)
python3 -c 'import os,sys; p=sys.argv[1]; st=os.stat(p); b=bytearray(open(p,"rb").read()); b[len(b)//2]^=0x55
open(p,"wb").write(b); os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))' "$P"
refused stamp "does not match repomd.xml" "$YUMDA" -c "$T/rg.conf" list --available
rm -rf "$T/repo/repodata" && cp -a "$T/repodata.keep" "$T/repo/repodata"
pass "file://: a primary replaced with its size and mtime kept is refused -> $(cat "$T/stamp.err")"
# A signed repomd.xml listing its primary with a sha1 checksum: too weak, refused.
cp -a "$T/repo" "$T/repo-sha1"
sed -i '0,/<checksum type="sha256">/s//<checksum type="sha1">/' "$T/repo-sha1/repodata/repomd.xml"
sign good "$T/repo-sha1"
conf "file://$T/repo-sha1" "$T/good.asc"
refused sha1 "with a sha1 checksum, too weak to trust" "$YUMDA" -c "$T/rg.conf" list --available
pass "file://: a signed repomd.xml with a sha1 record is refused"

conf "file://$T/repo" "$T/good.asc"
sed -i '0,/<revision>\([0-9]\)/s//<revision>X/' "$T/repo/repodata/repomd.xml"
cmp -s "$T/repo/repodata/repomd.xml" "$T/repomd.signed" && fail "tampering did not change repomd.xml"
[ "$(cmp -l "$T/repo/repodata/repomd.xml" "$T/repomd.signed" | wc -l)" = 1 ] || fail "tampering changed more than one byte"
refused tampered "does not match its signature by key $GOOD" "$YUMDA" -c "$T/rg.conf" reinstall -y --root "$T/layer" libgreet
pass "file://: one byte of repomd.xml changed after signing -> $(cat "$T/tampered.err")"
cp "$T/repomd.signed" "$T/repo/repodata/repomd.xml"

mv "$T/repo/repodata/repomd.xml.asc" "$T/repomd.asc.saved"
refused missing "is not signed: $T/repo/repodata/repomd.xml.asc does not exist" \
  "$YUMDA" -c "$T/rg.conf" reinstall -y --root "$T/layer" libgreet
pass "file://: no repomd.xml.asc -> $(cat "$T/missing.err")"
echo "this is not a signature" >"$T/repo/repodata/repomd.xml.asc"
refused garbage "is not an OpenPGP signature" "$YUMDA" -c "$T/rg.conf" reinstall -y --root "$T/layer" libgreet
pass "file://: garbage repomd.xml.asc -> $(cat "$T/garbage.err")"
mv "$T/repomd.asc.saved" "$T/repo/repodata/repomd.xml.asc"
[ "$(snapshot "$T/layer")" = "$before" ] || fail "a refused repo changed the layer"
pass "file://: the layer is unchanged by every refusal"

conf "file://$T/repo"
run_capture nokey "$YUMDA" -c "$T/rg.conf" list --available
[ "$(rc_of nokey)" != 0 ] || fail "repo_gpgcheck=1 without gpgkey= was accepted"
one_line nokey
grep -q "repo 'signed' has repo_gpgcheck=1 but no gpgkey=.*set repo_gpgcheck=0" "$T/nokey.err" || fail "no gpgkey: $(cat "$T/nokey.err")"
pass "no gpgkey= -> exit $(rc_of nokey): $(cat "$T/nokey.err")"

# --- http:// repo and the metadata cache
serve "$T/repo"
CACHE="$XDG_CACHE_HOME/yumda/repos"
conf "$URL/" "$T/good.asc"
printf 'metadata_expire=0\n' >>"$T/rg.conf"  # every online run fetches repomd.xml again
refused_http() {  # NAME PATTERN: an online install is refused, the layer and the verified cache stay
  cache_before=$(snapshot "$CACHE")
  refused "$1" "$2" "$YUMDA" -c "$T/rg.conf" install -y --root "$T/hlayer" greet
  [ "$(snapshot "$CACHE")" = "$cache_before" ] || fail "$1: the refusal changed the metadata cache"
  [ ! -e "$T/hlayer" ] || fail "$1: a refused install left a layer directory"
}

# A refusal on an empty cache leaves nothing that -C would take.
sign other "$T/repo"
refused http_first "signed with key $OTHER, which is not among the keys" "$YUMDA" -c "$T/rg.conf" install -y --root "$T/hlayer" greet
[ -z "$(find "$CACHE" -name 'repomd.xml*' -print)" ] || fail "a refused first fetch left repomd files: $(find "$CACHE" -name 'repomd.xml*')"
run_capture http_first_c "$YUMDA" -c "$T/rg.conf" -C list --available
[ "$(rc_of http_first_c)" != 0 ] && grep -q "makecache" "$T/http_first_c.err" || fail "-C after a refusal: $(cat "$T/http_first_c.err")"
pass "http: first fetch signed by another key -> refused, and -C finds no cache ($(cat "$T/http_first_c.err"))"

sign good "$T/repo"
run_capture mc "$YUMDA" -c "$T/rg.conf" makecache
[ "$(rc_of mc)" = 0 ] && grep -q "signed: 3 packages" "$T/mc.out" || fail "makecache: $(cat "$T/mc.out" "$T/mc.err")"
ls "$CACHE"/signed-*/repomd.xml.asc >/dev/null || fail "makecache kept no repomd.xml.asc"
pass "http: makecache verifies and caches repomd.xml with its signature"

sed -i '0,/<revision>\([0-9]\)/s//<revision>X/' "$T/repo/repodata/repomd.xml"
refused_http http_tampered "does not match its signature by key $GOOD"
pass "http: repomd.xml changed on the server -> $(cat "$T/http_tampered.err")"
cp "$T/repomd.signed" "$T/repo/repodata/repomd.xml"
sign other "$T/repo"
refused_http http_wrongkey "signed with key $OTHER, which is not among the keys"
pass "http: signed by another key -> $(cat "$T/http_wrongkey.err")"
rm "$T/repo/repodata/repomd.xml.asc"
refused_http http_missing "HTTP 404"
pass "http: no repomd.xml.asc -> $(cat "$T/http_missing.err")"
echo "<html>not found</html>" >"$T/repo/repodata/repomd.xml.asc"
refused_http http_garbage "is not an OpenPGP signature"
pass "http: garbage repomd.xml.asc -> $(cat "$T/http_garbage.err")"

kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
run_capture offline "$YUMDA" -c "$T/rg.conf" -C list --available
[ "$(rc_of offline)" = 0 ] && grep -q greet "$T/offline.out" || fail "-C from the verified cache: $(cat "$T/offline.err")"
pass "http: -C loads the verified cache offline (the refusals left it intact)"

conf "$URL/" "$T/other.asc"
refused offline_wrongkey "signed with key $GOOD.*which -C cannot refresh" "$YUMDA" -c "$T/rg.conf" -C list --available
pass "http: -C with a gpgkey= the cache was not signed by -> $(cat "$T/offline_wrongkey.err")"
