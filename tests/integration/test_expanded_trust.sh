#!/bin/bash
# A warm install trusts an expanded-cache file that passed the replay check in
# an earlier run while its stat (device, inode, size, mtime, ctime) is
# unchanged (issue #16: re-hashing 153 MB before every replay made a warm
# install slower than cp -a of the layer). Any later change to a cached file,
# even one that puts back its size and mtime, changes its ctime: it is read
# and checked again, and rebuilt when damaged. The list of trusted files is a
# cache file like any other: garbage there costs a check, never a wrong layer.
. "$(dirname "$0")/lib.sh"
tree_of() { (cd "$1" && find . -path ./.yumda -prune -o -printf '%y %m %s %l %p\n' | sort
             find . -path ./.yumda -prune -o -type f -exec sha256sum {} + | sort); }
X="$XDG_CACHE_HOME/yumda/expanded"
Y() { timeout 120 "$YUMDA" -c "$T/empty.conf" --repofrompath demo,file://"$DEMO_REPO" --setopt=keepcache=1 \
        install -y -v "$@" greet; }
said() {  # NAME TRUSTED READ: what -v said of the check
  grep -q "expanded cache: $2 files trusted unchanged since they were checked, $3 read to check them" "$T/$1.err" ||
    fail "$1: expected $2 trusted, $3 read: $(grep 'expanded cache' "$T/$1.err" || cat "$T/$1.err")"
}
ok() { [ "$(rc_of "$1")" = 0 ] || fail "$1 failed: $(cat "$T/$1.err")"; }
# Flips a byte in the middle of FILE in place (same inode and size), then
# puts its mtime back: only the ctime tells.
edit_keeping_mtime() {
  touch -r "$1" "$T/mtime.ref"
  python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(0, 2); n = f.tell(); f.seek(n // 2); b = f.read(1); f.seek(n // 2)
f.write(bytes([b[0] ^ 0x20]))' "$1"
  touch -r "$T/mtime.ref" "$1"
  [ "$(stat -c %Y.%y "$1")" = "$(stat -c %Y.%y "$T/mtime.ref")" ] || fail "could not put back the mtime of $1"
}

# copy mode: one file per package (3 packages).
run_capture cold Y --root "$T/cold"
ok cold
run_capture warm1 Y --root "$T/warm1"
ok warm1; said warm1 0 3
run_capture warm2 Y --root "$T/warm2"
ok warm2; said warm2 3 0
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/warm2")" ] || fail "a trusted replay gives another layer"
pass "copy mode: a checked expanded-cache file is trusted, unread, while its stat is unchanged"

entry=$(ls "$X"/*.cpio | head -n1)
size=$(stat -c %s "$entry")
cp "$entry" "$T/good.cpio"
edit_keeping_mtime "$entry"
[ "$(stat -c %s "$entry")" = "$size" ] && ! cmp -s "$entry" "$T/good.cpio" || fail "the edit did not keep the size"
cp "$entry" "$T/bad.cpio"
run_capture edited Y --root "$T/edited"
ok edited; said edited 2 1
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/edited")" ] || fail "an in-place edit (size and mtime kept) reached the layer"
! cmp -s "$entry" "$T/bad.cpio" || fail "the edited cache entry was not rebuilt"
pass "copy mode: an in-place edit that keeps size and mtime is caught by the ctime and rebuilt"

# The list is untrusted: garbage, lines that name files outside the cache
# with their true stat, a link to another file, a fifo. None may make yumda
# write outside the cache or trust a changed file.
list="$X/verified-files"
[ -f "$list" ] || fail "no list of checked files in the cache"
echo keep >"$T/outside"
cp -p "$T/outside" "$T/outside.orig"
id=$(stat -c '%d %i %s' "$T/outside")
{ printf 'garbage\n\t\t\n%s 1 1\treplay:x\t%s\n' "$id" "$T/outside"
  head -c 2000 /dev/urandom; cat "$list"; } >"$T/forged"
cp "$T/forged" "$list"
edit_keeping_mtime "$entry"  # an edit under a list that still names the good identity
run_capture forged Y --root "$T/forged-layer"
ok forged
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/forged-layer")" ] || fail "a forged list let an edited file into the layer"
cmp -s "$T/outside" "$T/outside.orig" || fail "a forged list made yumda write outside the cache"
rm -f "$list" && ln -s "$T/outside" "$list"
run_capture linked Y --root "$T/linked"
ok linked
cmp -s "$T/outside" "$T/outside.orig" || fail "a list that is a symlink made yumda write through it"
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/linked")" ] || fail "a symlinked list changed the layer"
rm -f "$list" && mkfifo "$list"
run_capture fifo Y --root "$T/fifo"
ok fifo
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/fifo")" ] || fail "a fifo for the list changed the layer"
pass "a forged, linked or fifo list of checked files: no wrong file, no write outside the cache, no hang"

# hardlink mode: the layer's files are the cache's, and a hard link changes
# a file's ctime, so the stat is taken after the layer's commit point.
H() { Y --setopt=link_mode=hardlink "$@"; }
run_capture hcold H --root "$T/hcold"
ok hcold
run_capture hwarm1 H --root "$T/hwarm1"
ok hwarm1
n=$(grep -o 'expanded cache: 0 files trusted unchanged since they were checked, [0-9]* read' "$T/hwarm1.err" | grep -o '[0-9]* read' | cut -d' ' -f1)
[ -n "$n" ] && [ "$n" -gt 0 ] || fail "hardlink warm install read nothing to check: $(cat "$T/hwarm1.err")"
run_capture hwarm2 H --root "$T/hwarm2"
ok hwarm2; said hwarm2 "$n" 0
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/hwarm2")" ] || fail "a trusted hardlink replay gives another layer"
pass "hardlink mode: the $n checked files stay trusted across replays that link them"

blob=$(find "$X" -path '*.files/*' -type f ! -name payload.cpio -size +4 | head -n1)
[ -n "$blob" ] || fail "no hardlink-mode file in the cache"
cp "$blob" "$T/good.blob"
edit_keeping_mtime "$blob"
run_capture hedited H --root "$T/hedited"
ok hedited
grep -q "expanded cache: .* [1-9][0-9]* read to check them" "$T/hedited.err" || fail "the edited file was not read: $(cat "$T/hedited.err")"
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/hedited")" ] || fail "an in-place edit of a hardlink-mode file reached the layer"
pass "hardlink mode: an in-place edit that keeps size and mtime is caught and rebuilt"
