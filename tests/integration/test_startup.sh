#!/bin/bash
# Startup: yumda loads only the shared libraries a run needs (issue #16). A
# warm resolve or install from a file:// repo never loads libcurl and the ~25
# libraries it brings (OpenSSL, GnuTLS, Kerberos, LDAP...); a warm resolve
# loads none of librpm, librpmio, libsolvext, libsqlite3 and theirs (liblua,
# libgcrypt, libpopt...) either; libarchive's unused formats (libxml2, ICU),
# spdlog, fmt and toml++ are not loaded at all. A download over HTTP loads
# libcurl on first use, an install librpm, and both work. What is loaded is
# read from the dynamic loader's own log (LD_DEBUG=files); nothing is timed.
. "$(dirname "$0")/lib.sh"

command -v readelf >/dev/null || skip "readelf not found (binutils)"
needed=$(readelf -d "$YUMDA" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for lib in libcurl libspdlog libfmt libtomlplusplus libxml2 librpm librpmio libsolvext libsqlite3; do
  ! grep -q "^$lib\." <<<"$needed" || fail "yumda is linked against $lib (NEEDED: $(tr '\n' ' ' <<<"$needed"))"
done
pass "yumda links none of libcurl, spdlog, fmt, toml++, libxml2, librpm, librpmio, libsolvext, libsqlite3: $(wc -l <<<"$needed") NEEDED"

# loaded NAME CMD...: the shared objects the loader opened while CMD ran.
loaded() {
  local name=$1; shift
  set +e
  LD_DEBUG=files LD_DEBUG_OUTPUT="$T/$name.ld" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
  echo $? >"$T/$name.rc"
  set -e
  cat "$T/$name.ld".* | sed -n 's/.*file=\([^ ]*\) \[0\];.*/\1/p' | sed 's|.*/||' |
    sort -u >"$T/$name.libs"
}

conf="$T/file.conf"
cat >"$conf" <<CONF
[main]
reposdir=
gpgcheck=0
keepcache=1

[demo]
name=Demo
baseurl=file://$DEMO_REPO/
CONF
run_capture prime "$YUMDA" -c "$conf" install --assumeno --root "$T/layer" greet
loaded resolve "$YUMDA" -c "$conf" install --assumeno --root "$T/layer" greet
[ "$(rc_of resolve)" = 1 ] && grep -q greet "$T/resolve.out" || { cat "$T/resolve.err"; fail "warm resolve of greet"; }
! grep -Eq '^(libcurl|libssl|libgnutls|libldap|libxml2|libicuuc|libspdlog)' "$T/resolve.libs" ||
  fail "a warm file:// resolve loaded $(grep -E '^(libcurl|libssl|libgnutls|libldap|libxml2|libicuuc|libspdlog)' "$T/resolve.libs" | tr '\n' ' ')"
pass "warm file:// resolve loads $(wc -l <"$T/resolve.libs") shared objects, libcurl not among them"
rpmish='^(librpm|librpmio|libsolvext|libsqlite3|liblua5\.[0-9]|libgcrypt|libgpg-error|libpopt|libcap|libexpat)\.'
! grep -Eq "$rpmish" "$T/resolve.libs" ||
  fail "a warm resolve loaded $(grep -E "$rpmish" "$T/resolve.libs" | tr '\n' ' ')"
pass "warm resolve: none of librpm, librpmio, libsolvext, libsqlite3 (nor liblua, libgcrypt, libpopt...) loaded"

# librpm that cannot be loaded (an empty file named librpm.so.9 found first):
# a warm resolve does not notice; an install fails with one line naming
# librpm and the package to install, and the layer is left as it was.
mkdir -p "$T/norpm" && : >"$T/norpm/librpm.so.9"
LD_LIBRARY_PATH="$T/norpm" run_capture norpm-resolve "$YUMDA" -c "$conf" install --assumeno --root "$T/rpm-layer" greet
[ "$(rc_of norpm-resolve)" = 1 ] && grep -q greet "$T/norpm-resolve.out" ||
  fail "a warm resolve needed librpm: $(cat "$T/norpm-resolve.err")"
run_capture lib "$YUMDA" -c "$conf" install -y --root "$T/rpm-layer" libgreet
[ "$(rc_of lib)" = 0 ] || { cat "$T/lib.err"; fail "install of libgreet"; }
before=$(snapshot "$T/rpm-layer")
LD_LIBRARY_PATH="$T/norpm" run_capture norpm "$YUMDA" -c "$conf" install -y --root "$T/rpm-layer" greet
[ "$(rc_of norpm)" != 0 ] || fail "install without a loadable librpm exited 0"
grep -q 'cannot load librpm\.so\.9.*install librpm9' "$T/norpm.err" || fail "no clear error without librpm: $(cat "$T/norpm.err")"
[ "$(wc -l <"$T/norpm.err")" = 1 ] || fail "more than one line without librpm: $(cat "$T/norpm.err")"
[ "$(snapshot "$T/rpm-layer")" = "$before" ] || fail "the layer changed when librpm could not be loaded"
pass "without a loadable librpm: the warm resolve works; install: $(cat "$T/norpm.err")"

loaded install "$YUMDA" -c "$conf" install -y --root "$T/layer" greet
[ "$(rc_of install)" = 0 ] && [ -x "$T/layer/bin/greet" ] || { cat "$T/install.err"; fail "file:// install of greet"; }
! grep -q '^libcurl' "$T/install.libs" || fail "a file:// install loaded libcurl"
grep -q '^librpm\.so\.9' "$T/install.libs" || fail "an install did not load librpm: $(tr '\n' ' ' <"$T/install.libs")"
pass "file:// install: greet installed, librpm loaded on first use, libcurl not loaded"

serve "$DEMO_REPO"
sed "s|baseurl=.*|baseurl=$URL/|" "$conf" >"$T/http.conf"
loaded http "$YUMDA" -c "$T/http.conf" install -y --root "$T/http-layer" greet
[ "$(rc_of http)" = 0 ] && [ -x "$T/http-layer/bin/greet" ] || { cat "$T/http.err"; fail "install over http"; }
grep -q '^libcurl.so.4' "$T/http.libs" || fail "an install over http did not load libcurl: $(tr '\n' ' ' <"$T/http.libs")"
pass "install over http: libcurl loaded on first use, greet installed"

# libcurl that cannot be loaded (here: an empty file named libcurl.so.4 found
# first on LD_LIBRARY_PATH): a download fails with one line naming libcurl and
# the package to install, and the layer is left as it was.
mkdir -p "$T/badlib" && : >"$T/badlib/libcurl.so.4"
before=$(snapshot "$T/http-layer")
rm -rf "$XDG_CACHE_HOME"
LD_LIBRARY_PATH="$T/badlib" run_capture nocurl "$YUMDA" -c "$T/http.conf" install -y --root "$T/http-layer" greet-data
[ "$(rc_of nocurl)" != 0 ] || fail "install over http without a loadable libcurl exited 0"
grep -q 'cannot load libcurl.*install libcurl4' "$T/nocurl.err" || fail "no clear error without libcurl: $(cat "$T/nocurl.err")"
[ "$(snapshot "$T/http-layer")" = "$before" ] || fail "the layer changed when libcurl could not be loaded"
pass "without a loadable libcurl: $(grep -m1 'libcurl' "$T/nocurl.err")"
