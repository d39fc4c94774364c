#!/bin/bash
# `cmake --install` lays out a working product: the binary, the default
# configuration and its keys under etc/yumda, the man pages, the bash and zsh
# completions (which know every verb and global option `yumda --help` shows);
# the installed binary runs and reads the installed configuration; `cpack -G
# DEB` (and -G RPM where rpmbuild is) makes a package holding /usr/bin/yumda
# and /etc/yumda/yumda.conf as a conffile.
. "$(dirname "$0")/lib.sh"
: "${YUMDA_BINARY_DIR:?run through ctest}"
CMAKE=${CMAKE:-cmake}
P="$T/p"

"$CMAKE" --install "$YUMDA_BINARY_DIR" --prefix "$P" >"$T/install.log" 2>&1 ||
  { cat "$T/install.log" >&2; fail "cmake --install failed"; }
for f in bin/yumda etc/yumda/yumda.conf etc/yumda/RPM-GPG-KEY-amazon-linux-2023 etc/yumda/RPM-GPG-KEY-lambci \
         etc/yumda/runtimes/al2023/runtime.conf etc/yumda/runtimes/al2023/repos.d/amazonlinux.repo \
         etc/yumda/runtimes/al2/repos.d/lambda2.repo etc/yumda/runtimes/al1/repos.d/lambda1.repo \
         etc/yumda/baseline/al2023.txt etc/yumda/baseline/al2023.files.x86_64.txt etc/yumda/vars/awsregion \
         share/man/man1/yumda.1 share/man/man5/yumda.conf.5 \
         share/bash-completion/completions/yumda share/zsh/vendor-completions/_yumda; do
  [ -f "$P/$f" ] || fail "not installed: $f"
done
[ -x "$P/bin/yumda" ] || fail "bin/yumda is not executable"
# Every file of repo-config/ but its READMEs, byte for byte.
(cd "$YUMDA_SOURCE_DIR/repo-config" && find . -type f ! -name README.md | sort) >"$T/want.list"
(cd "$P/etc/yumda" && find . -type f | sort) >"$T/got.list"
diff -u "$T/want.list" "$T/got.list" || fail "etc/yumda is not repo-config/ (less READMEs)"
while read -r f; do cmp -s "$YUMDA_SOURCE_DIR/repo-config/$f" "$P/etc/yumda/$f" || fail "etc/yumda/$f differs"; done <"$T/want.list"
pass "binary, configuration ($(wc -l <"$T/got.list") files), keys, man pages and completions installed"

"$P/bin/yumda" --version >"$T/version.txt" || fail "installed yumda --version"

# The man pages are valid roff that names what they document.
if command -v man >/dev/null && command -v groff >/dev/null; then
  MANWIDTH=100 man -l --warnings "$P/share/man/man1/yumda.1" >"$T/man1.txt" 2>"$T/man1.err" || fail "man yumda.1"
  MANWIDTH=100 man -l --warnings "$P/share/man/man5/yumda.conf.5" >"$T/man5.txt" 2>"$T/man5.err" || fail "man yumda.conf.5"
  [ ! -s "$T/man1.err" ] && [ ! -s "$T/man5.err" ] || { cat "$T/man1.err" "$T/man5.err" >&2; fail "roff warnings"; }
  # (man output hyphenates; join the words back before searching)
  man_text() { sed -e 's/‐$//' "$1" | tr -s ' \n' ' '; }
  version=$(sed -n 's/^yumda \([^ ]*\) .*/\1/p' "$T/version.txt")
  for w in "EXIT STATUS" "/etc/yumda/yumda.conf" "--version" "--json" "yumda $version"; do
    man_text "$T/man1.txt" | grep -qF -- "$w" || fail "yumda(1) does not mention $w"
  done
  # Every verb yumda --help lists has its entry under VERBS (add a new one to docs/man/yumda.1).
  for v in $("$P/bin/yumda" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z-]*\).*/\1/p'); do
    grep -qE -- "^       $v( |$)" "$T/man1.txt" || fail "yumda(1) does not document the verb $v (docs/man/yumda.1)"
  done
  for w in reposdir baseurl gpgkey runtime "\$releasever"; do
    man_text "$T/man5.txt" | grep -qF -- "$w" || fail "yumda.conf(5) does not mention $w"
  done
  pass "man -l renders yumda(1) and yumda.conf(5) without warnings"
else
  grep -q '^\.TH YUMDA 1' "$P/share/man/man1/yumda.1" || fail "yumda.1 has no .TH"
  grep -q '^\.TH YUMDA.CONF 5' "$P/share/man/man5/yumda.conf.5" || fail "yumda.conf.5 has no .TH"
  echo "note: man/groff absent, man pages checked for their .TH line only"
fi

# The verbs (with aliases) and the global options, as the installed binary prints them.
"$P/bin/yumda" --help >"$T/help.txt"
verbs=$(sed -n '/^Subcommands:/,/^$/p' "$T/help.txt" | sed -n 's/^  \([a-z-]*\)\(, \([a-z-]*\)\)\? .*/\1 \3/p' | xargs)
opts=$(sed -n '/^Options:/,/^$/p' "$T/help.txt" | grep -oE '^  -[^ ]+' | tr ',' ' ' | xargs)
[ "$(wc -w <<<"$verbs")" -ge 18 ] || fail "too few verbs read from --help: $verbs"
[ "$(wc -w <<<"$opts")" -ge 20 ] || fail "too few options read from --help: $opts"

# bash: completing the verb, a global option, a value and a verb's option.
bash -n "$P/share/bash-completion/completions/yumda" || fail "bash completion: syntax"
complete_bash() {  # WORDS... (the last one is being completed) -> the candidates, one line
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _yumda; echo "${COMPREPLY[*]}"' \
    sh "$P/share/bash-completion/completions/yumda" "$@"
}
got=" $(complete_bash yumda '') "
for v in $verbs; do [[ $got == *" $v "* ]] || fail "bash completion lacks verb $v (has:$got)"; done
got=" $(complete_bash yumda -) "
for o in $opts; do [[ $got == *" $o "* ]] || fail "bash completion lacks option $o"; done
[ "$(complete_bash yumda --runtime al2 ins)" = install ] || fail "bash: verb after a global option with a value"
[ "$(complete_bash yumda --arch '')" = "x86_64 aarch64 amd64 arm64" ] || fail "bash: --arch values"
[ "$(complete_bash yumda -q install --nod)" = --nodocs ] || fail "bash: install's own option"
[ "$(complete_bash yumda clean p)" = packages ] || fail "bash: clean's argument"
pass "bash completion: $(wc -w <<<"$verbs") verbs, $(wc -w <<<"$opts") global options, values, verb options"

Z="$P/share/zsh/vendor-completions/_yumda"
head -n1 "$Z" | grep -qx '#compdef yumda' || fail "zsh completion has no #compdef line"
for v in $verbs; do grep -qE "^    '$v:" "$Z" || fail "zsh completion lacks verb $v"; done
for o in $opts; do grep -qE -- "(['{,]|\\*)$o([[,}]|'\\[)" "$Z" || fail "zsh completion lacks option $o"; done
if command -v zsh >/dev/null; then
  zsh -n "$Z" || fail "zsh completion: syntax"
  pass "zsh completion: syntax, every verb and global option"
else
  pass "zsh completion: every verb and global option (zsh absent: syntax not checked)"
fi

# The installed binary runs: its --version (test_version.sh checks what it says) is the build's.
"$YUMDA" --version | cmp -s - "$T/version.txt" || fail "installed --version differs from the build's"
pass "installed yumda --version: $(head -n1 "$T/version.txt")"

# The installed configuration is the one read with -c: al2023's amazonlinux
# repo, and a change to the installed repo file shows.
"$P/bin/yumda" -c "$P/etc/yumda/yumda.conf" repolist --all >"$T/repolist.txt" 2>"$T/repolist.err" ||
  { cat "$T/repolist.err" >&2; fail "repolist with the installed config"; }
grep -qE '^amazonlinux +Amazon Linux 2023 repository +enabled$' "$T/repolist.txt" ||
  { cat "$T/repolist.txt" >&2; fail "repolist --all does not list amazonlinux enabled"; }
sed -i '/^\[amazonlinux\]/,/^\[/ s/^enabled=1/enabled=0/' "$P/etc/yumda/runtimes/al2023/repos.d/amazonlinux.repo"
"$P/bin/yumda" -c "$P/etc/yumda/yumda.conf" repolist --all >"$T/repolist2.txt" 2>&1 || fail "repolist (edited)"
grep -qE '^amazonlinux +Amazon Linux 2023 repository +disabled$' "$T/repolist2.txt" ||
  fail "the installed repo file is not what yumda read"
pass "the installed binary reads the installed config: amazonlinux (al2023) listed"

# Packages. cpack installs from the same build directory into its own staging dir.
CPACK=${CPACK:-$(command -v cpack || true)}
[ -n "$CPACK" ] && [ -x "$CPACK" ] || skip "cpack not found: the .deb/.rpm part is not checked (the install layout passed)"
command -v dpkg-deb >/dev/null || skip "dpkg-deb not found: the .deb is not checked (the install layout passed)"
"$CPACK" -G DEB --config "$YUMDA_BINARY_DIR/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1 ||
  { cat "$T/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$T"/pkg/yumda_*.deb) || fail "no .deb in $T/pkg"
dpkg-deb -c "$deb" | awk '{print $6}' >"$T/deb.list"
for f in ./usr/bin/yumda ./etc/yumda/yumda.conf ./etc/yumda/RPM-GPG-KEY-amazon-linux-2023 \
         ./usr/share/man/man1/yumda.1 ./usr/share/bash-completion/completions/yumda; do
  grep -qx -- "$f" "$T/deb.list" || fail ".deb lacks $f"
done
dpkg-deb -f "$deb" Depends | grep -q 'libsolv1' || fail ".deb Depends lacks libsolv1"
dpkg-deb -f "$deb" Recommends | grep -q 'bubblewrap' || fail ".deb does not recommend bubblewrap (scriptlets)"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/yumda/yumda.conf || fail "/etc/yumda/yumda.conf is not a conffile"
pass "cpack -G DEB: $(basename "$deb") with /usr/bin/yumda and /etc/yumda/yumda.conf (conffile)"

if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
  "$CPACK" -G RPM --config "$YUMDA_BINARY_DIR/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack-rpm.log" 2>&1 ||
    { cat "$T/cpack-rpm.log" >&2; fail "cpack -G RPM"; }
  rpmf=$(ls "$T"/pkg/yumda-*.rpm) || fail "no .rpm in $T/pkg"
  rpm -qpl "$rpmf" | grep -qx /usr/bin/yumda || fail ".rpm lacks /usr/bin/yumda"
  rpm -qpc "$rpmf" | grep -qx /etc/yumda/yumda.conf || fail ".rpm: /etc/yumda/yumda.conf is not %config"
  rpm -qpR "$rpmf" | grep -q '^libsolv.so.1()' || fail ".rpm does not require libsolv.so.1"
  pass "cpack -G RPM: $(basename "$rpmf")"
else
  echo "note: rpmbuild absent, the .rpm is not built"
fi
