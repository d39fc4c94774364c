#!/bin/bash
# docker/entrypoint, the image's entrypoint, without building the image: a
# yumda verb goes to yumda even where the image has a command of that name
# (coreutils' install, Info-ZIP's zip); other commands run as given.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "yumda $*"\n' >"$T/bin/yumda"
printf '#!/bin/sh\necho "system zip $*"\n' >"$T/bin/zip"
chmod +x "$T/bin/yumda" "$T/bin/zip"
ep() { PATH="$T/bin:/usr/bin:/bin" sh "$YUMDA_SOURCE_DIR/docker/entrypoint" "$@"; }
[ "$(ep install -y git)" = "yumda install -y git" ] || fail "install: $(ep install -y git 2>&1)"
[ "$(ep zip -o l.zip)" = "yumda zip -o l.zip" ] || fail "zip: $(ep zip -o l.zip 2>&1)"
[ "$(ep --version)" = "yumda --version" ] || fail "--version: $(ep --version 2>&1)"
[ "$(ep)" = "yumda --help" ] || fail "no arguments: $(ep 2>&1)"
[ "$(ep sh -c 'echo from-sh')" = "from-sh" ] || fail "sh: $(ep sh -c 'echo from-sh' 2>&1)"
[ "$(ep nosuchverb x)" = "yumda nosuchverb x" ] || fail "unknown word: $(ep nosuchverb x 2>&1)"
pass "yumda verbs (install, zip) go to yumda; sh runs as given"

# Every verb `yumda --help` lists is in the entrypoint's list (a new verb must
# be added there): each is made a command of the image here too, as install is.
verbs=$("$YUMDA" --help | sed -n '/^Subcommands:/,$p' | tail -n +2 | grep -oE '^  [a-z-]+(, [a-z-]+)*' | tr -d ',')
[ "$(echo $verbs | wc -w)" -gt 15 ] || fail "could not read the verbs of yumda --help: $verbs"
for verb in $verbs; do
  [ -e "$T/bin/$verb" ] || { printf '#!/bin/sh\necho "system $0"\n' >"$T/bin/$verb"; chmod +x "$T/bin/$verb"; }
  [ "$(ep "$verb")" = "yumda $verb" ] || fail "verb '$verb' of yumda --help is not in docker/entrypoint's list"
done
pass "every verb of yumda --help goes to yumda"
