#!/bin/bash
# Descriptions, which yumda's metadata cache leaves out and reads on demand
# for what it shows: `info`'s Description block has dnf's words (for an
# available package and for the layer's copy of it), `repoquery --qf
# '%{description}'` prints dnf's text byte for byte, and the `--json` package
# objects of info, list, search and repoquery carry it. A description with
# XML escapes, UTF-8 and a blank line between paragraphs; a second run reads
# the descriptions cache, and a changed repo is read afresh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnf_side.sh"

mkwordy() {  # VERSION LAST-WORD
  cat >"$T/wordy-$1.spec" <<SPEC
Name: wordy
Version: $1
Release: 1
Summary: A package with a long description
License: MIT
BuildArch: noarch
%description
Wordy is a package whose description runs over several lines, with
characters XML escapes: <tags> & "quotes", and café in UTF-8.

A second paragraph, after a blank line, long enough that dnf wraps it at the width of a terminal: $2.
%install
mkdir -p %{buildroot}/opt/share/wordy
echo wordy > %{buildroot}/opt/share/wordy/file
%files
/opt/share/wordy
SPEC
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/repo" "$T/wordy-$1.spec" >/dev/null 2>&1 || fail "rpmbuild wordy-$1"
}
mkwordy 1.0 first
mkpkg other 1.0
createrepo_c --quiet "$T/repo"

description_words() {  # the words of the Description block of info's output on stdin
  awk '/^Description *: /{on=1; sub(/^Description *: /, ""); print; next}
       on && /^ +: ?/{sub(/^ +: ?/, ""); print; next} {on=0}' | tr -s ' \n' '\n\n' | sed '/^$/d' | paste -sd' '
}

$DNF info wordy >"$T/dnf.info" 2>"$T/dnf.err" || fail "dnf info: $(cat "$T/dnf.err")"
want=$(description_words <"$T/dnf.info")
case "$want" in *"<tags> &"*"café"*"terminal: first."*) ;; *) fail "dnf's description is not the test's: $want" ;; esac
check_info() {  # WHAT SECTION WORDS: yumda info wordy's SECTION block has WORDS as its description
  $YU info wordy >"$T/y.info" 2>"$T/y.err" || fail "$1: yumda info: $(cat "$T/y.err")"
  got=$(sed -n "/^$2 Packages/,/^$/p" "$T/y.info" | description_words)
  [ "$got" = "$3" ] || fail "$1: yumda's description [$got], dnf's [$3]"
  pass "$1: info's Description is dnf's: $(echo "$3" | cut -c1-40)..."
}
check_info "available" Available "$want"
check_info "available, from the descriptions cache" Available "$want"
[ -f "$(find "$T/cache" -name descriptions.solv | head -n1)" ] || fail "no descriptions cache was written"

# repoquery --qf '%{description}': dnf's text exactly (its blank line included)
$DNF repoquery --qf '%{name}: %{description}' wordy >"$T/dnf.qf" 2>"$T/dnf.err" || fail "dnf repoquery: $(cat "$T/dnf.err")"
$YU repoquery --qf '%{name}: %{description}' wordy >"$T/y.qf" 2>"$T/y.err" || fail "yumda repoquery --qf: $(cat "$T/y.err")"
diff "$T/dnf.qf" "$T/y.qf" >"$T/diff" || fail "repoquery --qf %{description}: dnf (<) and yumda (>) differ: $(cat "$T/diff")"
pass "repoquery --qf '%{description}': $(wc -l <"$T/y.qf") lines, as dnf's"

# --json: the package objects carry it (the text of the package, dnf's words)
json_desc() {  # KEY: the description of wordy in the document on stdin under KEY
  python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(" ".join(p["description"] for p in d[sys.argv[1]] if p["name"] == "wordy").split()))' "$1"
}
for v in "info wordy:available" "list --available wordy:available" "search wordy:packages" "repoquery wordy:packages"; do
  got=$($YU --json ${v%%:*} | json_desc "${v##*:}") || fail "yumda --json ${v%%:*}"
  [ "$got" = "$want" ] || fail "--json ${v%%:*}: description [$got]"
done
pass "--json info, list, search, repoquery: description filled"

# The layer's copy: its record keeps no description; the repo's copy of the same version has it
both install wordy
check_info "installed" Installed "$want"
got=$($YU --json info wordy | json_desc installed)
[ "$got" = "$want" ] || fail "--json info (installed): description [$got]"
pass "--json info (installed): description filled"

# A new repomd: the cache made from the old one is not used
rm -f "$T"/repo/noarch/wordy-*.rpm
mkwordy 2.0 second
createrepo_c --quiet --update "$T/repo"
$YU makecache >/dev/null 2>&1 || true
got=$($YU --json info wordy-2.0 | json_desc available)
case "$got" in *"terminal: second.") ;; *) fail "after the repo changed: [$got]" ;; esac
pass "a changed repo's descriptions are read afresh"
