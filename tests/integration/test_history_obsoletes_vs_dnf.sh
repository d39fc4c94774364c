#!/bin/bash
# history of a transaction in which packages obsolete others, beside dnf's:
# `history info` lists each obsoleted package as "Obsoleted" under the package
# that took it out (after its own Install or Upgrade/Upgraded rows), as dnf 4
# does, and `history list` gives the same actions ("I, O", "O, U") and
# altered counts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnf_side.sh"

# 1: app (needs old-lib), suite 1.0, legacy. 2: suite 2.0 obsoletes old-lib
# (an upgrade that also obsoletes), and renamed obsoletes legacy (an install
# that obsoletes).
mkpkg_tags old-lib 1.0
mkpkg_tags app 1.0 "Requires: old-lib"
mkpkg_tags suite 1.0
mkpkg_tags legacy 1.0
createrepo_c --quiet "$T/repo"
both install app suite legacy
mkpkg_tags suite 2.0 "Obsoletes: old-lib < 2.0" "Provides: old-lib = 2.0"
mkpkg_tags renamed 1.0 "Obsoletes: legacy < 2.0" "Provides: legacy = 2.0"
createrepo_c --quiet --update "$T/repo"
DNF="$DNF --refresh"
both upgrade

# ACTION NEVRA per row, in order (dnf's third column is the repo, yumda's the reason)
rows() { sed -n '/^Packages Altered:/,$p' | awk 'NR>1 && NF>=2 { print $1, $2 }'; }
$DNF history info 2 2>/dev/null | rows >"$T/dnf.rows"
"$YUMDA" history info 2 --root "$T/layer" | rows >"$T/y.rows"
grep -q '^Obsoleted old-lib-1.0-1.noarch$' "$T/dnf.rows" && grep -q '^Obsoleted legacy-1.0-1.noarch$' "$T/dnf.rows" ||
  fail "dnf's rows are not the test's: $(cat "$T/dnf.rows")"
diff "$T/dnf.rows" "$T/y.rows" >"$T/diff" || fail "history info 2: dnf (<) and yumda (>) differ: $(cat "$T/diff")"
pass "history info: $(paste -sd';' "$T/y.rows"), as dnf"

columns() { awk -F'|' 'NR>2 && NF>=5 { gsub(/ /, "", $1); gsub(/^ +| +$/, "", $4); gsub(/ /, "", $5); print $1 "|" $4 "|" $5 }'; }
want=$($DNF history list 2>/dev/null | columns)
got=$("$YUMDA" history --root "$T/layer" | columns)
[ "$want" = "$got" ] || fail "history list: dnf [$(echo $want)], yumda [$(echo $got)]"
pass "history list: both [$(echo $got)]"
