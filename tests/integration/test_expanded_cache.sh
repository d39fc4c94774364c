#!/bin/bash
# keepcache=1 keeps each package's payload expanded (uncompressed cpio in
# CACHEDIR/expanded); a second install replays it instead of decompressing,
# and gives the same layer, byte for byte, modes and links included.
. "$(dirname "$0")/lib.sh"
tree_of() { (cd "$1" && find . -path ./.yumda -prune -o -printf '%y %m %s %n %l %p\n' | sort
             find . -path ./.yumda -prune -o -type f -exec sha256sum {} + | sort); }
Y() { y --repofrompath demo,file://"$DEMO_REPO" --setopt=keepcache=1 install -y -q "$@"; }
Y --root "$T/cold" greet
n=$(ls "$XDG_CACHE_HOME"/yumda/expanded/*.cpio | wc -l)
[ "$n" = 3 ] || fail "expected 3 expanded packages in the cache, found $n"
Y --root "$T/warm" greet
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/warm")" ] || fail "warm layer differs from cold layer"
pass "warm install from the expanded cache gives the same layer"
Y --root "$T/nodocs" --setopt=tsflags=nodocs greet
[ ! -e "$T/nodocs/share/doc/greet-data/README" ] || fail "nodocs install took docs from the full cache"
[ "$(ls "$XDG_CACHE_HOME"/yumda/expanded/*.nodocs.cpio | wc -l)" = 3 ] || fail "nodocs payloads not cached apart"
pass "nodocs keeps its own cache entries"

# A damaged cache entry (issue #14) is rebuilt from the RPM, never replayed:
# same-size changed file data (before: silently different files in the layer)
# and a truncated entry (before: every later install failed).
damage_data() {  # flips the first data byte of every regular file with data in the newc cpio $1
  python3 - "$1" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); i = 0
while i + 110 <= len(b) and b[i:i+6] == b'070701':
    f = [int(b[i+6+8*k:i+14+8*k], 16) for k in range(13)]
    mode, size, namesize = f[1], f[6], f[11]
    name = bytes(b[i+110:i+110+namesize-1])
    if name == b'TRAILER!!!': break
    d = (i + 110 + namesize + 3) & ~3
    if mode & 0o170000 == 0o100000 and size > 0: b[d] ^= 0x20
    i = (d + size + 3) & ~3
open(p, 'wb').write(bytes(b))
PY
}
for c in "$XDG_CACHE_HOME"/yumda/expanded/*.cpio; do [ "${c%.nodocs.cpio}" = "$c" ] && cp "$c" "$c.good"; done
# rebuilt: no longer the damaged bytes (inode numbers differ, so not byte for
# byte the first copy either), and replaying it gives the cold layer again
rebuilt() {
  for c in "$XDG_CACHE_HOME"/yumda/expanded/*.cpio.good; do
    ! cmp -s "${c%.good}" "${c%.good}.bad" || fail "$1 cache entry ${c%.good} was not rebuilt"
  done
  inodes=$(ls -i "$XDG_CACHE_HOME"/yumda/expanded/*.cpio)
  rm -rf "$T/again" && Y --root "$T/again" greet
  [ "$(tree_of "$T/cold")" = "$(tree_of "$T/again")" ] || fail "the rebuilt cache gives another layer"
  [ "$(ls -i "$XDG_CACHE_HOME"/yumda/expanded/*.cpio)" = "$inodes" ] || fail "a sound cache entry was rebuilt, not replayed"
}
for c in "$XDG_CACHE_HOME"/yumda/expanded/*.cpio.good; do damage_data "${c%.good}"; cp "${c%.good}" "${c%.good}.bad"; done
Y --root "$T/damaged" greet
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/damaged")" ] || fail "a damaged expanded cache changed the layer"
rebuilt damaged
pass "same-size damage in the expanded cache is caught and the entry rebuilt"

for c in "$XDG_CACHE_HOME"/yumda/expanded/*.cpio.good; do head -c 300 "$c" >"${c%.good}"; cp "${c%.good}" "${c%.good}.bad"; done
run_capture truncated Y --root "$T/truncated" greet
[ "$(rc_of truncated)" = 0 ] || fail "a truncated expanded cache failed the install: $(cat "$T/truncated.err")"
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/truncated")" ] || fail "a truncated expanded cache changed the layer"
rebuilt truncated
pass "a truncated expanded cache entry is rebuilt, the install succeeds"

# A fifo planted in the cache (a copy-mode entry, a hardlink-mode file) is
# damage like any other: rebuilt, never opened for a blocking read (the run
# hung on it before).
TY() { timeout 120 "$YUMDA" -c "$T/empty.conf" --repofrompath demo,file://"$DEMO_REPO" --setopt=keepcache=1 install -y -q "$@"; }
for c in "$XDG_CACHE_HOME"/yumda/expanded/*.cpio.good; do rm -f "${c%.good}"; mkfifo "${c%.good}"; done
run_capture fifo TY --root "$T/fifo" greet
[ "$(rc_of fifo)" = 0 ] || fail "a fifo in the expanded cache: exit $(rc_of fifo): $(cat "$T/fifo.err")"
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/fifo")" ] || fail "a fifo in the expanded cache changed the layer"
for c in "$XDG_CACHE_HOME"/yumda/expanded/*.cpio.good; do [ -f "${c%.good}" ] || fail "${c%.good} not rebuilt"; done
TY --setopt=link_mode=hardlink --root "$T/hl" greet
blob=$(find "$XDG_CACHE_HOME"/yumda/expanded -path '*.files/*' -type f ! -name payload.cpio -size +0 | head -n1)
[ -n "$blob" ] || fail "no hardlink-mode file in the cache"
rm -f "$blob" && mkfifo "$blob"
run_capture fifohl TY --setopt=link_mode=hardlink --root "$T/fifohl" greet
[ "$(rc_of fifohl)" = 0 ] || fail "a fifo among the hardlink-mode files: exit $(rc_of fifohl): $(cat "$T/fifohl.err")"
# (link counts aside: hardlink-mode files are also the cache's)
no_links() { tree_of "$1" | awk '$1 ~ /^[fdl]$/ && NF >= 5 {$4 = ""} {print}'; }
[ "$(no_links "$T/cold")" = "$(no_links "$T/fifohl")" ] || fail "a fifo among the hardlink-mode files changed the layer"
pass "a fifo planted in the expanded cache (copy and hardlink modes) is rebuilt, no hang"

# `clean packages` (and `clean all`) removes the expanded payloads with the
# packages they came from, as dnf's clean packages leaves nothing of them.
run_capture cleanp y clean packages
[ "$(rc_of cleanp)" = 0 ] || fail "clean packages: $(cat "$T/cleanp.err")"
[ ! -e "$XDG_CACHE_HOME/yumda/expanded" ] || fail "clean packages left $(ls "$XDG_CACHE_HOME/yumda/expanded" | wc -l) expanded entries"
[ ! -e "$XDG_CACHE_HOME/yumda/packages" ] || fail "clean packages left the packages"
Y --root "$T/after-clean" greet
[ "$(tree_of "$T/cold")" = "$(tree_of "$T/after-clean")" ] || fail "the install after clean packages differs"
pass "clean packages removes the expanded cache too"
