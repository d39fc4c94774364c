#!/bin/bash
# Build options a packager meets (configure only, no compiling):
# - warnings are errors only with -DYUMDA_WERROR=ON (scripts/test, scripts/demo,
#   .ci/run, fuzz/run), never by default: a newer compiler's new warning must
#   not fail a distribution's build;
# - the commit `yumda --version` names is `git describe --always --dirty` in a
#   checkout, "unknown" in a tree without .git, and -DYUMDA_GIT_COMMIT wins.
. "$(dirname "$0")/lib.sh"
CMAKE=${CMAKE:-cmake}

# (the test's own build dirs use Makefiles, whose flags.make it reads)
flags_of() { sed -n 's/^CXX_FLAGS = //p' "$1/CMakeFiles/yumda.dir/flags.make"; }
# configure says "-- yumda 0.1.0, commit C"
commit_of() { sed -n 's/^-- yumda [^ ]*, commit //p' "$T/configure.log"; }

"$CMAKE" -S "$YUMDA_SOURCE_DIR" -B "$T/b" -G "Unix Makefiles" -DYUMDA_TESTS=OFF >"$T/configure.log" 2>&1 ||
  { cat "$T/configure.log" >&2; fail "configure"; }
f=$(flags_of "$T/b")
[[ $f == *-Wall* ]] || fail "no -Wall in the default flags: $f"
[[ $f != *-Werror* ]] || fail "-Werror forced on a default build: $f"
pass "default build: -Wall -Wextra, no -Werror"

"$CMAKE" -S "$YUMDA_SOURCE_DIR" -B "$T/b" -DYUMDA_WERROR=ON >"$T/configure.log" 2>&1 || fail "configure ON"
f=$(flags_of "$T/b")
[[ $f == *-Werror* ]] || fail "-DYUMDA_WERROR=ON without -Werror: $f"
pass "-DYUMDA_WERROR=ON: -Werror"
for s in scripts/test scripts/demo fuzz/run; do
  grep -q -- '-DYUMDA_WERROR=' "$YUMDA_SOURCE_DIR/$s" || fail "$s does not turn YUMDA_WERROR on"
done
grep -qx 'export YUMDA_WERROR=ON' "$YUMDA_SOURCE_DIR/.ci/run" || fail ".ci/run does not insist on YUMDA_WERROR=ON"
pass "scripts/test, scripts/demo, fuzz/run and .ci/run build with -Werror"

# The commit (compiled into version.cpp only).
if git -C "$YUMDA_SOURCE_DIR" rev-parse --show-toplevel >/dev/null 2>&1; then
  want=$(git -C "$YUMDA_SOURCE_DIR" describe --always --dirty)
  [ "$(commit_of "$T/b")" = "$want" ] || fail "commit '$(commit_of "$T/b")', git describe says $want"
  pass "in a checkout: commit $want"
fi
"$CMAKE" -S "$YUMDA_SOURCE_DIR" -B "$T/b" -DYUMDA_GIT_COMMIT=v9.9-test >"$T/configure.log" 2>&1 || fail "configure"
[ "$(commit_of "$T/b")" = v9.9-test ] || fail "-DYUMDA_GIT_COMMIT ignored: $(commit_of "$T/b")"
pass "-DYUMDA_GIT_COMMIT=v9.9-test wins"

# A copy of the sources without .git (a tarball), inside a git repo of its
# own making: describing the outer repo would name the wrong commit.
mkdir -p "$T/outer/src"
git -C "$T/outer" init -q && git -C "$T/outer" -c user.name=t -c user.email=t@t commit -q --allow-empty -m outer
(cd "$YUMDA_SOURCE_DIR" && tar --exclude='./build*' --exclude=./.git --exclude=./layer -cf - .) | tar -C "$T/outer/src" -xf -
"$CMAKE" -S "$T/outer/src" -B "$T/b2" -G "Unix Makefiles" -DYUMDA_TESTS=OFF >"$T/configure.log" 2>&1 ||
  { cat "$T/configure.log" >&2; fail "configure the copy"; }
[ "$(commit_of "$T/b2")" = unknown ] || fail "outside a checkout of its own the commit is '$(commit_of "$T/b2")'"
pass "a source tree without .git: commit unknown"
