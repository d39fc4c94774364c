#!/bin/bash
# Local package files, as dnf takes them: `install ./x.rpm`, 'dir/*.rpm',
# file:///x.rpm and `upgrade ./x-2.rpm` resolve the file together with the
# repos (its dependencies come from them), verify it (a signature under
# [main] gpgcheck, against the enabled repos' gpgkey= keys; --nogpgcheck
# skips it), never write into the user's directory, and record it as
# @commandline. The installed sets are compared with dnf's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vs_dnf_repos.sh"

# The local files: localapp needs lib-b (v1); its 2.0 also new-dep (v2).
mkrpm files localapp 1.0 "Requires: lib-b"
mkrpm files localapp 2.0 "Requires: lib-b" "Requires: new-dep"
F=$T/files/noarch
files_before=$(snapshot "$T/files")
yumda_at() {  # ROOT REPOS ARGS...: yumda_ into another layer
  local root=$1 repos=$2 r; shift 2
  set -- "$YUMDA" -c "$T/empty.conf" --baseline none -y --root "$root" "$@"
  for r in $repos; do set -- "$@" --repofrompath "$r,file://$T/$r"; done
  "$@"
}

# 1. install ./x.rpm: the file plus its dependencies from the repo, as dnf.
dnf_ v1 install "$F/localapp-1.0-1.noarch.rpm" >"$T/dnf.log" 2>&1 || fail "dnf install: $(cat "$T/dnf.log")"
(cd "$F" && run_capture rel yumda_ v1 install ./localapp-1.0-1.noarch.rpm)
[ "$(rc_of rel)" = 0 ] || fail "install ./localapp-1.0-1.noarch.rpm: $(cat "$T/rel.err")"
[ "$(dnf_set)" = "$(yumda_set)" ] || fail "install ./x.rpm: dnf has [$(dnf_set)], yumda [$(yumda_set)]"
[ "$(cat "$T/layer/share/localapp/file")" = localapp-1.0 ] || fail "localapp's file is not in the layer"
pass "install ./x.rpm: [$(yumda_set)], as dnf"

"$YUMDA" list --installed --root "$T/layer" >"$T/list.out"
grep -Eq '^localapp\.noarch +1\.0-1 +@commandline$' "$T/list.out" || fail "list --installed: $(cat "$T/list.out")"
grep -Eq '^lib-b\.noarch +1\.0-1 +@v1$' "$T/list.out" || fail "list --installed (lib-b): $(cat "$T/list.out")"
"$YUMDA" list --installed --json --root "$T/layer" |
  python3 -c 'import json,sys; r={p["name"]: p["repo"] for p in json.load(sys.stdin)["installed"]}; sys.exit(r.get("localapp") != "@commandline")' ||
  fail "list --installed --json does not say @commandline"
"$YUMDA" sbom --root "$T/layer" >"$T/sbom.json" 2>"$T/sbom.err" || fail "sbom: $(cat "$T/sbom.err")"
grep -q '"pkg:rpm/commandline/localapp@1.0-1?arch=noarch"' "$T/sbom.json" || fail "sbom purl: $(grep -o 'pkg:rpm/[^"]*localapp[^"]*' "$T/sbom.json")"
pass "list --installed says @commandline (text and --json); the SBOM's purl pkg:rpm/commandline/localapp"

# Installed again from its file: nothing to do, as dnf.
run_capture again yumda_ v1 install "$F/localapp-1.0-1.noarch.rpm"
[ "$(rc_of again)" = 0 ] && grep -q "already installed" "$T/again.out" || fail "install of the same file again: $(cat "$T/again.out" "$T/again.err")"

# 2. upgrade ./x-2.rpm: that version, its new dependency from v2, as dnf.
dnf_ "v1 v2" upgrade "$F/localapp-2.0-1.noarch.rpm" >"$T/dnf.log" 2>&1 || fail "dnf upgrade: $(cat "$T/dnf.log")"
run_capture up yumda_ "v1 v2" upgrade "$F/localapp-2.0-1.noarch.rpm"
[ "$(rc_of up)" = 0 ] || fail "upgrade ./localapp-2.0: $(cat "$T/up.err")"
[ "$(dnf_set)" = "$(yumda_set)" ] || fail "upgrade from a file: dnf has [$(dnf_set)], yumda [$(yumda_set)]"
pass "upgrade localapp-2.0-1.noarch.rpm: [$(yumda_set)], as dnf"

# A file whose package the layer lacks is not an upgrade (dnf: not installed).
mkrpm files other 1.0
run_capture notinst yumda_ v1 upgrade "$F/other-1.0-1.noarch.rpm"
[ "$(rc_of notinst)" = 1 ] && grep -q "No match for argument: $F/other-1.0-1.noarch.rpm" "$T/notinst.err" ||
  fail "upgrade of a package not in the layer: $(cat "$T/notinst.err")"
files_before=$(snapshot "$T/files")

# 3. A quoted glob and a file:// URL.
run_capture glob yumda_at "$T/layer-glob" v1 install "$F/localapp-1*.rpm"
[ "$(rc_of glob)" = 0 ] && "$YUMDA" list --installed --root "$T/layer-glob" | grep -q '^localapp.noarch  *1.0-1  *@commandline' ||
  fail "install 'dir/localapp-1*.rpm': $(cat "$T/glob.err")"
run_capture url yumda_at "$T/layer-url" v1 install "file://$F/localapp-1.0-1.noarch.rpm"
[ "$(rc_of url)" = 0 ] && "$YUMDA" list --installed --root "$T/layer-url" | grep -q '^localapp.noarch  *1.0-1  *@commandline' ||
  fail "install file:///...rpm: $(cat "$T/url.err")"
pass "a quoted glob and a file:// URL install the file"

# 4. A missing file, or a glob matching none: one line naming it, layer untouched.
layer_before=$(snapshot "$T/layer")
for arg in "$T/nope.rpm" "$F/nope-*.rpm" "file://$T/nope.rpm"; do
  run_capture missing yumda_ v1 install lib-c "$arg"
  [ "$(rc_of missing)" = 1 ] || fail "missing $arg: exit $(rc_of missing)"
  [ "$(wc -l <"$T/missing.err")" = 1 ] && grep -qF "$arg" "$T/missing.err" || fail "missing $arg: $(cat "$T/missing.err")"
  [ "$(snapshot "$T/layer")" = "$layer_before" ] || fail "missing $arg changed the layer"
done
run_capture missing2 yumda_at "$T/layer-none" v1 install "$T/nope.rpm"
[ ! -e "$T/layer-none" ] || fail "a failed install of a missing file left a layer directory"
pass "a missing file -> $(cat "$T/missing.err")"

# 5. Signatures: [main] gpgcheck=1 checks a local file against the enabled
# repos' gpgkey= keys (the repo itself is gpgcheck=0 here).
if command -v gpg >/dev/null && command -v rpmsign >/dev/null; then
  mkdir -p "$T/gnupg" && chmod 700 "$T/gnupg"
  GNUPGHOME="$T/gnupg" gpg --batch --quiet --passphrase '' --quick-gen-key "good <good@yumda.test>" rsa2048 sign never 2>/dev/null
  GNUPGHOME="$T/gnupg" gpg --batch --armor --export good@yumda.test >"$T/good.asc"
  mkdir -p "$T/signed" && cp "$F/localapp-1.0-1.noarch.rpm" "$T/signed/"
  GNUPGHOME="$T/gnupg" rpmsign --addsign --define "__gpg $(command -v gpg)" --define "_gpg_name good@yumda.test" \
    "$T/signed/localapp-1.0-1.noarch.rpm" >/dev/null 2>&1 || fail "rpmsign failed"
  printf '[main]\nreposdir=\ngpgcheck=1\nbaseline=none\n\n[v1]\nname=v1\nbaseurl=file://%s\ngpgcheck=0\ngpgkey=file://%s\n' \
    "$T/v1" "$T/good.asc" >"$T/gpg.conf"
  run_capture unsigned "$YUMDA" -c "$T/gpg.conf" -y --root "$T/layer-sig" install "$F/localapp-1.0-1.noarch.rpm"
  [ "$(rc_of unsigned)" = 1 ] || fail "unsigned local package with gpgcheck=1: exit $(rc_of unsigned)"
  grep -qF "$F/localapp-1.0-1.noarch.rpm" "$T/unsigned.err" && grep -q "is not signed.*--nogpgcheck" "$T/unsigned.err" ||
    fail "unsigned message: $(cat "$T/unsigned.err")"
  [ ! -e "$T/layer-sig" ] || fail "a refused local package left a layer directory"
  pass "unsigned -> $(cat "$T/unsigned.err")"
  run_capture nogpg "$YUMDA" -c "$T/gpg.conf" --nogpgcheck -y --root "$T/layer-sig" install "$F/localapp-1.0-1.noarch.rpm"
  [ "$(rc_of nogpg)" = 0 ] || fail "--nogpgcheck: $(cat "$T/nogpg.err")"
  run_capture signed "$YUMDA" -c "$T/gpg.conf" -y --root "$T/layer-signed" install "$T/signed/localapp-1.0-1.noarch.rpm"
  [ "$(rc_of signed)" = 0 ] || fail "signed local package: $(cat "$T/signed.err")"
  printf '[main]\nreposdir=\ngpgcheck=1\nbaseline=none\n\n[v1]\nname=v1\nbaseurl=file://%s\ngpgcheck=0\n' "$T/v1" >"$T/nokey.conf"
  run_capture nokey "$YUMDA" -c "$T/nokey.conf" -y --root "$T/layer-nokey" install "$T/signed/localapp-1.0-1.noarch.rpm"
  [ "$(rc_of nokey)" = 1 ] && grep -q "signed/localapp-1.0-1.noarch.rpm.*--nogpgcheck" "$T/nokey.err" ||
    fail "no key to check against: $(cat "$T/nokey.err")"
  pass "a signed file installs; unsigned or keyless needs --nogpgcheck"
else
  echo "signature checks not run: needs gpg and rpmsign"
fi

[ "$(snapshot "$T/files")" = "$files_before" ] || fail "yumda wrote into the directory of the local files"
pass "the local files' directory is as it was"
