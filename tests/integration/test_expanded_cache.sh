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
