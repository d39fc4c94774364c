#!/bin/bash
# Packages read in place from a file:// repo are checked once (metadata
# checksum, rpm digests) and then trusted by file identity (device, inode,
# size, mtime, ctime) from CACHEDIR/yumda/verified-packages: a changed file,
# even one of the same size with its mtime put back, is checked again and
# refused.
. "$(dirname "$0")/lib.sh"
cp -a "$DEMO_REPO" "$T/repo"
y --repofrompath d,file://"$T/repo" install -y -q --root "$T/l1" greet >/dev/null || fail "first install failed"
list=$(find "$XDG_CACHE_HOME" -name verified-packages)
[ -n "$list" ] && [ "$(grep -c . "$list")" -ge 2 ] || fail "no verified-packages list after the first install"
grep -q "$T/repo/packages/greet-data-" "$list" || fail "the list does not name greet-data: $(cat "$list")"
pass "the first install recorded $(grep -c . "$list") checked packages"

y --repofrompath d,file://"$T/repo" install -y -q --root "$T/l2" greet >/dev/null || fail "second install failed"
cmp -s <(cd "$T/l1" && find . -path ./.yumda -prune -o -type f -print0 | sort -z | xargs -0 sha256sum) \
  <(cd "$T/l2" && find . -path ./.yumda -prune -o -type f -print0 | sort -z | xargs -0 sha256sum) ||
  fail "the install from checked packages differs from the first"
pass "an install from the recorded packages gives the same layer"

# Same size, mtime put back: only the ctime tells, and it must be enough.
f=$(ls "$T"/repo/packages/greet-data-*.rpm)
touch -r "$f" "$T/stamp"
printf 'garbage' | dd of="$f" bs=1 seek=2000 conv=notrunc 2>/dev/null
touch -r "$T/stamp" "$f"
run_capture changed y --repofrompath d,file://"$T/repo" install -y --root "$T/l3" greet
[ "$(rc_of changed)" != 0 ] || fail "a changed package was installed"
grep -Eqi "greet-data.*(checksum|does not match|corrupt)" "$T/changed.err" || fail "wrong error: $(cat "$T/changed.err")"
[ ! -e "$T/l3/bin" ] || fail "the refused install left files in the layer"
pass "a package changed in place after it was recorded is refused -> $(head -n1 "$T/changed.err")"
