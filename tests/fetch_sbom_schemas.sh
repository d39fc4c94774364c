#!/bin/bash
# Prints the directory holding the published CycloneDX 1.5 JSON schemas
# (bom-1.5.schema.json and the spdx and jsf schemas it $refs), fetching them
# once into a cache. They come from the npm package @cyclonedx/cdxgen, which
# ships them unmodified under data/: only its tarball is fetched (npm pack:
# no install, no scripts), and only those three files are kept.
#
# Cache: $YUMDA_SCHEMA_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/yumda-fixtures/schemas.
# Exit status: 0 the directory is printed; 2 they cannot be fetched (no npm,
# registry unreachable): callers skip; 1 anything else (a wrong download, an
# unwritable cache).
set -euo pipefail
PKG=@cyclonedx/cdxgen@12.8.4
CACHE=${YUMDA_SCHEMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/yumda-fixtures/schemas}
DIR=$CACHE/cdxgen-12.8.4
# sha256 of the files in that tarball (npm checks the tarball against the
# registry's integrity hash; these catch a damaged or stale cache).
declare -A SHA256=(
  [bom-1.5.schema.json]=94d321144bd20c4928858cf4cbc7dd2d6de2188c890aab66e04f9a25f907543e
  [spdx.schema.json]=b4daa44a5aec1e44e92769af0192a2fea8e664a680df85443cc2266c1f70d348
  [jsf-0.82.schema.json]=679d39def1f9b4fddbaf5b2466862718a0299ea8190ac19cd9173a8e20a37527
)
me=fetch_sbom_schemas.sh

# intact DIR: all three files there with the pinned digests.
intact() {
  for f in "${!SHA256[@]}"; do
    [ -f "$1/$f" ] && [ "$(sha256sum <"$1/$f" | cut -d' ' -f1)" = "${SHA256[$f]}" ] || return 1
  done
}

if intact "$DIR"; then echo "$DIR"; exit 0; fi

command -v npm >/dev/null || {
  echo "$me: npm is not installed (apt-get install npm), so the CycloneDX 1.5 schemas ($PKG) cannot be fetched" >&2
  exit 2
}
mkdir -p "$CACHE" || { echo "$me: cannot create the cache $CACHE (set YUMDA_SCHEMA_CACHE)" >&2; exit 1; }
tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# One retry and a time limit: an unreachable registry means skip, not a hang.
if ! (cd "$tmp" && timeout 300 npm pack --ignore-scripts --loglevel=error --fetch-retries=1 "$PKG") \
    >"$tmp/npm.out" 2>"$tmp/npm.err"; then
  echo "$me: npm pack $PKG failed (registry unreachable?): $(grep -v '^npm error *$' "$tmp/npm.err" | head -n 4 | sed 's/^npm error //' | tr '\n' ' ')" >&2
  exit 2
fi
tgz=$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n 1)
[ -n "$tgz" ] || { echo "$me: npm pack $PKG wrote no tarball in $tmp" >&2; exit 1; }
mkdir "$tmp/out"
for f in "${!SHA256[@]}"; do
  tar -xzOf "$tgz" "package/data/$f" >"$tmp/out/$f" ||
    { echo "$me: $PKG has no data/$f" >&2; exit 1; }
done
intact "$tmp/out" || { echo "$me: the schemas in $PKG differ from the pinned sha256 digests in $0" >&2; exit 1; }
# Into place in one rename; a concurrent run that got there first is as good.
if [ -e "$DIR" ] && ! intact "$DIR"; then rm -rf "$DIR"; fi
mv -T "$tmp/out" "$DIR" 2>/dev/null || intact "$DIR" || { echo "$me: cannot write $DIR" >&2; exit 1; }
echo "$DIR"
