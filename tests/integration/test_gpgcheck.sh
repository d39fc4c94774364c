#!/bin/bash
# gpgcheck=1 through the binary: a demo repo signed with a key made here
# installs with that key as gpgkey=; with another key, or unsigned, the
# install is refused naming the package, and the layer is left as it was.
. "$(dirname "$0")/lib.sh"
command -v gpg >/dev/null && command -v rpmsign >/dev/null || { echo "skipped: needs gpg and rpmsign"; exit 0; }
mkkey() {  # NAME -> $T/NAME.asc, GNUPGHOME $T/gnupg-NAME
  mkdir -p "$T/gnupg-$1" && chmod 700 "$T/gnupg-$1"
  GNUPGHOME="$T/gnupg-$1" gpg --batch --quiet --passphrase '' --quick-gen-key "$1 <$1@yumda.test>" rsa2048 sign never 2>/dev/null
  GNUPGHOME="$T/gnupg-$1" gpg --batch --armor --export "$1@yumda.test" >"$T/$1.asc"
}
mkkey good
mkkey other
cp -a "$DEMO_REPO" "$T/signed"
GNUPGHOME="$T/gnupg-good" rpmsign --addsign --define "__gpg $(command -v gpg)" --define "_gpg_name good@yumda.test" \
  "$T"/signed/packages/*.rpm >/dev/null 2>&1 || fail "rpmsign failed"
createrepo_c --quiet "$T/signed"

conf() {  # BASEURL KEYFILE -> $T/gpg.conf
  printf '[main]\nreposdir=\ngpgcheck=1\n\n[signed]\nname=signed demo\nbaseurl=file://%s\ngpgkey=file://%s\n' "$1" "$2" >"$T/gpg.conf"
}
conf "$T/signed" "$T/good.asc"
run_capture ok "$YUMDA" -c "$T/gpg.conf" install -y --root "$T/layer" greet
[ "$(rc_of ok)" = 0 ] || fail "signed repo with its key did not install: $(cat "$T/ok.err")"
pass "signed packages install with gpgcheck=1"

before=$(snapshot "$T/layer")
conf "$T/signed" "$T/other.asc"
run_capture wrongkey "$YUMDA" -c "$T/gpg.conf" reinstall -y --root "$T/layer" libgreet
[ "$(rc_of wrongkey)" = 1 ] || fail "wrong key: exit $(rc_of wrongkey)"
grep -q "libgreet.*signed with key .*not among the keys" "$T/wrongkey.err" || fail "wrong key message: $(cat "$T/wrongkey.err")"
[ "$(snapshot "$T/layer")" = "$before" ] || fail "a refused package changed the layer"
pass "another key -> $(cat "$T/wrongkey.err")"

conf "$DEMO_REPO" "$T/good.asc"
run_capture unsigned "$YUMDA" -c "$T/gpg.conf" install -y --root "$T/layer2" greet
[ "$(rc_of unsigned)" = 1 ] && grep -q "is not signed" "$T/unsigned.err" || fail "unsigned: $(cat "$T/unsigned.err")"
[ ! -e "$T/layer2" ] || fail "a refused install left a layer directory"
pass "unsigned -> $(cat "$T/unsigned.err")"

# dnf's --nogpgcheck: the same unsigned repo installs, with gpgcheck=1 in the file.
run_capture nogpg "$YUMDA" -c "$T/gpg.conf" --nogpgcheck install -y --root "$T/layer3" greet
[ "$(rc_of nogpg)" = 0 ] && [ -x "$T/layer3/bin/greet" ] || fail "--nogpgcheck: $(cat "$T/nogpg.err")"
pass "--nogpgcheck installs the unsigned package"

# --repofrompath takes [main]'s gpgcheck, as dnf does (it was always off): an
# unsigned repo added so under gpgcheck=1 is refused before anything is
# written; --nogpgcheck is the way to say it is meant.
printf '[main]\nreposdir=\ngpgcheck=1\n' >"$T/main-only.conf"
run_capture rfp "$YUMDA" -c "$T/main-only.conf" --repofrompath d,file://"$DEMO_REPO" install -y --root "$T/layer4" greet
[ "$(rc_of rfp)" = 1 ] && grep -q "repo d has gpgcheck=1" "$T/rfp.err" || fail "--repofrompath under gpgcheck=1: exit $(rc_of rfp): $(cat "$T/rfp.err")"
[ ! -e "$T/layer4" ] || fail "a refused --repofrompath install left a layer directory"
run_capture rfpno "$YUMDA" -c "$T/main-only.conf" --repofrompath d,file://"$DEMO_REPO" --nogpgcheck install -y --root "$T/layer4" greet
[ "$(rc_of rfpno)" = 0 ] || fail "--repofrompath with --nogpgcheck: $(cat "$T/rfpno.err")"
pass "--repofrompath takes [main]'s gpgcheck (refused unsigned: $(cat "$T/rfp.err")); --nogpgcheck installs"

# Key import, as dnf shows it: the first run on a cache that meets a key
# shows its id, user ID, fingerprint and source; the next run does not.
export XDG_CACHE_HOME="$T/cache-keys"
conf "$T/signed" "$T/good.asc"
fpr=$(GNUPGHOME="$T/gnupg-good" gpg --with-colons --fingerprint good@yumda.test | awk -F: '/^fpr/ {print $10; exit}')
want_fpr=$(echo "$fpr" | sed 's/..../& /g; s/ $//')
run_capture imp "$YUMDA" -c "$T/gpg.conf" install -y --root "$T/layer5" greet
[ "$(rc_of imp)" = 0 ] || fail "signed install: $(cat "$T/imp.err")"
grep -q "^Importing GPG key 0x${fpr: -8}:$" "$T/imp.err" && grep -q '^ Userid     : "good <good@yumda.test>"$' "$T/imp.err" &&
  grep -q "^ Fingerprint: $want_fpr$" "$T/imp.err" && grep -q "^ From       : file://$T/good.asc$" "$T/imp.err" ||
  fail "no dnf-like key import block: $(cat "$T/imp.err")"
run_capture imp2 "$YUMDA" -c "$T/gpg.conf" reinstall -y --root "$T/layer5" greet
[ "$(rc_of imp2)" = 0 ] && ! grep -q "Importing GPG key" "$T/imp2.err" || fail "the key import was shown again: $(cat "$T/imp2.err")"
run_capture impq "$YUMDA" -c "$T/gpg.conf" --setopt=cachedir="$T/cache-q" -q install -y --root "$T/layer6" greet
[ ! -s "$T/impq.err" ] || fail "-q still printed: $(cat "$T/impq.err")"
pass "a key new to the cache is shown as dnf shows an import, once: $(head -2 "$T/imp.err" | tr '\n' ' ')"

# A key fetched over plain http: it is used, with a warning saying so.
mkdir -p "$T/keysrv" && cp "$T/good.asc" "$T/keysrv/"
serve "$T/keysrv"
printf '[main]\nreposdir=\ngpgcheck=1\n\n[signed]\nname=signed demo\nbaseurl=file://%s\ngpgkey=%s/good.asc\n' "$T/signed" "$URL" >"$T/http.conf"
run_capture httpkey "$YUMDA" -c "$T/http.conf" install -y --root "$T/layer7" greet
[ "$(rc_of httpkey)" = 0 ] || fail "install with an http key: $(cat "$T/httpkey.err")"
grep -q "gpgkey http://127.0.0.1:[0-9]*/good.asc of repo signed is fetched over plain http" "$T/httpkey.err" ||
  fail "no warning for a key over http: $(cat "$T/httpkey.err")"
pass "a key over plain http is a warning: $(grep 'plain http' "$T/httpkey.err")"

# The key list is cache input: a fifo planted there neither hangs the run nor
# is written through (it is replaced by the list).
export XDG_CACHE_HOME="$T/cache-fifo"
mkdir -p "$XDG_CACHE_HOME/yumda/keys" && mkfifo "$XDG_CACHE_HOME/yumda/keys/imported"
run_capture fifo timeout 60 "$YUMDA" -c "$T/gpg.conf" install -y --root "$T/layer8" greet
[ "$(rc_of fifo)" = 0 ] || fail "a fifo as the key list: exit $(rc_of fifo): $(cat "$T/fifo.err")"
grep -q "^Importing GPG key" "$T/fifo.err" && [ -f "$XDG_CACHE_HOME/yumda/keys/imported" ] ||
  fail "a fifo as the key list: no import shown or list not written: $(cat "$T/fifo.err")"
pass "a fifo planted as the key list is neither waited on nor kept"
