#!/bin/bash
# link_mode (issue #16): how a warm install places files from the expanded
# cache. copy (the default) writes new files; reflink clones them where the
# file system can and copies where it cannot; hardlink makes the layer's
# files the cache's own inodes. Every mode gives the same layer (content,
# modes, links) and the same zip, byte for byte.
. "$(dirname "$0")/lib.sh"
# Type, mode, size, target, name, digest: everything but the link count,
# which hardlink mode changes by design.
same_tree() { (cd "$1" && find . -path ./.yumda -prune -o -printf '%y %m %s %l %p\n' | sort
               find . -path ./.yumda -prune -o -type f -exec sha256sum {} + | sort); }
D=(--repofrompath demo,file://"$DEMO_REPO" --setopt=keepcache=1)
S=(--repofrompath stock,file://"$STOCK_DEMO_REPO" --setopt=keepcache=1)
Y() { mode=$1; shift; y --setopt=link_mode="$mode" "$@"; }

# An invalid value: one line naming the key and the values, the layer untouched.
y "${D[@]}" install -y -q --root "$T/kept" greet
before=$(snapshot "$T/kept")
run_capture bad Y sideways "${D[@]}" install -y --root "$T/kept" greet-data
[ "$(rc_of bad)" != 0 ] || fail "link_mode=sideways was accepted"
[ "$(wc -l <"$T/bad.err")" = 1 ] || fail "not one line: $(cat "$T/bad.err")"
grep -q "link_mode" "$T/bad.err" && grep -q "copy, reflink or hardlink" "$T/bad.err" \
  || fail "the error does not name the key and its values: $(cat "$T/bad.err")"
[ "$(snapshot "$T/kept")" = "$before" ] || fail "a refused link_mode changed the layer"
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=al2\nlink_mode=symlink\n' >"$T/bad.conf"
run_capture badconf "$YUMDA" -c "$T/bad.conf" "${D[@]}" install -y --root "$T/kept" greet-data
[ "$(rc_of badconf)" != 0 ] && grep -q "link_mode" "$T/badconf.err" || fail "link_mode=symlink in [main] was accepted"
[ "$(snapshot "$T/kept")" = "$before" ] || fail "a refused link_mode in [main] changed the layer"
pass "an invalid link_mode is refused in one line, the layer untouched"

# Each mode: a cold install (fills the cache), then a warm one from it.
for m in copy reflink hardlink; do
  Y "$m" "${D[@]}" install -y -q --root "$T/$m-cold" greet
  run_capture "$m-warm" Y "$m" -v "${D[@]}" install -y --root "$T/$m" greet
  [ "$(rc_of "$m-warm")" = 0 ] || fail "warm install with link_mode=$m failed: $(cat "$T/$m-warm.err")"
  y zip -q --root "$T/$m" -o "$T/$m.zip"
done
for m in reflink hardlink; do
  [ "$(same_tree "$T/copy")" = "$(same_tree "$T/$m")" ] || fail "link_mode=$m gives another layer than copy:
$(diff <(same_tree "$T/copy") <(same_tree "$T/$m"))"
  [ "$(same_tree "$T/copy")" = "$(same_tree "$T/$m-cold")" ] || fail "a cold link_mode=$m install gives another layer"
  cmp -s "$T/copy.zip" "$T/$m.zip" || fail "link_mode=$m gives another zip than copy"
done
pass "copy, reflink and hardlink give the same layer and the same zip"

# hardlink: every non-empty file of the layer is an inode of the cache.
cache_inodes=$(find "$XDG_CACHE_HOME/yumda/expanded" -type f -printf '%i\n' | sort -u)
n=0
while read -r ino nlink path; do
  [ "$nlink" -ge 2 ] || fail "hardlink layer's $path has one link"
  grep -qx "$ino" <<<"$cache_inodes" || fail "hardlink layer's $path is not a cache inode"
  n=$((n + 1))
done < <(find "$T/hardlink" -path "$T/hardlink/.yumda" -prune -o -type f -size +0 -printf '%i %n %p\n')
[ "$n" -gt 0 ] || fail "no file to check in the hardlink layer"
copy_shared=$(find "$T/copy" -path "$T/copy/.yumda" -prune -o -type f -links +1 -print | wc -l)
[ "$copy_shared" = 0 ] || fail "link_mode=copy shares inodes"
grep -Eq "link_mode=hardlink: $n files hard-linked" "$T/hardlink-warm.err" || fail "-v does not say files were hard-linked: $(cat "$T/hardlink-warm.err")"
pass "hardlink: the layer's $n files are the cache's inodes, copy shares none"

# reflink: where the file system cannot clone (ext4, overlayfs, tmpfs), each
# file is copied and -v says so; where it can, the file is a clone.
said=$(grep -E "link_mode=reflink: ([1-9][0-9]* files cloned|0 files cloned from the expanded cache, [1-9][0-9]* copied \(this file system cannot clone files\))" "$T/reflink-warm.err") \
  || fail "-v does not say what reflink did: $(cat "$T/reflink-warm.err")"
pass "reflink works on this file system ($(stat -f -c %T "$T")) and -v says how: $said"

# Reinstalling from the cache entry the layer's files are linked to: the
# staged and the layer's names are one inode, which rename() leaves alone.
run_capture reinst Y hardlink "${D[@]}" reinstall -y --root "$T/hardlink" greet
[ "$(rc_of reinst)" = 0 ] || fail "a hardlink reinstall failed: $(cat "$T/reinst.err")"
[ ! -e "$T/hardlink/.yumda/txn" ] || fail "a hardlink reinstall left its transaction behind"
[ "$(same_tree "$T/copy")" = "$(same_tree "$T/hardlink")" ] || fail "a hardlink reinstall changed the layer"
pass "a hardlink reinstall over the same cache entry's files completes"

# The hardlink risk: a layer file edited in place edits the cache entry. The
# next install must not take it: the entry is checked against the package's
# file digests, found changed and rebuilt from the RPM.
f=$(cd "$T/hardlink" && find . -path ./.yumda -prune -o -type f -size +0 -print | sort | head -1)
printf 'edited' | dd of="$T/hardlink/$f" bs=1 seek=0 conv=notrunc status=none
Y hardlink "${D[@]}" install -y -q --root "$T/after-edit" greet
[ "$(same_tree "$T/copy")" = "$(same_tree "$T/after-edit")" ] || fail "an edited hardlinked file reached the next layer"
cmp -s "$T/hardlink/$f" "$T/after-edit/$f" && fail "the new layer shares the edited inode"
pass "a layer file edited through a hardlink is caught: the cache entry is rebuilt"

# Relocated (stock /usr) packages: relocation rewrites some files after they
# are placed; in hardlink mode it must write new files, never the cache's.
# (The payloads: verified-files, the list of files that passed their check, changes by design.)
cache_sums() { (cd "$XDG_CACHE_HOME/yumda/expanded" && find . -type f ! -name verified-files -exec sha256sum {} + | sort); }
Y copy "${S[@]}" install -y -q --root "$T/s-copy" motd
Y hardlink "${S[@]}" install -y -q --root "$T/s-hard1" motd
stored=$(cache_sums)
for i in 2 3; do
  run_capture "s-hard$i" Y hardlink -v "${S[@]}" install -y --root "$T/s-hard$i" motd
  grep -Eq "link_mode=hardlink: [1-9][0-9]* files hard-linked" "$T/s-hard$i.err" || fail "install $i did not hard-link: $(cat "$T/s-hard$i.err")"
  [ "$(cache_sums)" = "$stored" ] || fail "relocating hardlink install $i changed the expanded cache:
$(diff <(echo "$stored") <(cache_sums))"
done
for i in 1 2 3; do
  [ "$(same_tree "$T/s-copy")" = "$(same_tree "$T/s-hard$i")" ] || fail "hardlink install $i of a relocated package differs:
$(diff <(same_tree "$T/s-copy") <(same_tree "$T/s-hard$i"))"
done
[ "$(stat -c %h "$T/s-hard3/bin/motd")" = 1 ] || fail "the rewritten bin/motd still shares an inode"
pass "relocation rewrites hardlinked files into new inodes, the cache stays sound"
