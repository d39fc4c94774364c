#!/bin/bash
# `yumda --version` names yumda's version, the commit it was built from and
# the versions of libsolv, librpm, libcurl and libarchive it runs with (the
# loaded libraries', checked against dpkg where it is).
. "$(dirname "$0")/lib.sh"

"$YUMDA" --version >"$T/version.txt" 2>"$T/version.err" || fail "--version exit code"
[ ! -s "$T/version.err" ] || fail "--version wrote to stderr: $(cat "$T/version.err")"
head -n1 "$T/version.txt" | grep -qE '^yumda [0-9]+\.[0-9]+\.[0-9]+ \(commit [^ )]+\)$' ||
  fail "--version first line: $(head -n1 "$T/version.txt")"
commit=$(head -n1 "$T/version.txt" | sed 's/.*(commit \(.*\))/\1/')
if git -C "$YUMDA_SOURCE_DIR" rev-parse --show-toplevel >/dev/null 2>&1; then
  want=$(git -C "$YUMDA_SOURCE_DIR" describe --always)
  [ "${commit%-dirty}" = "$want" ] || fail "--version names commit $commit, the source is at $want (rebuild?)"
fi
for lib in libsolv:libsolv1 librpm:librpm9 libcurl:libcurl4 libarchive:libarchive13; do
  name=${lib%%:*} pkg=${lib#*:}
  line=$(grep "^$name " "$T/version.txt") || fail "--version does not name $name"
  [[ $line =~ ^$name\ [0-9]+\.[0-9]+ ]] || fail "--version: '$line' has no version"
  if v=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null); then
    v=${v#*:}; v=${v%%[-+~]*}
    [ "$line" = "$name $v" ] || fail "--version says '$line', dpkg has $pkg $v"
  fi
done
[ "$(wc -l <"$T/version.txt")" = 5 ] || fail "--version: $(wc -l <"$T/version.txt") lines, not 5"
pass "--version: $(tr '\n' ';' <"$T/version.txt")"
