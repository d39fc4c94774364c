#!/bin/bash
# Build options a packager meets (configure only, no compiling): warnings
# are errors only with -DYUMDA_WERROR=ON (scripts/test, scripts/demo, .ci/run,
# fuzz/run), never by default: a newer compiler's new warning must not fail a
# distribution's build.
. "$(dirname "$0")/lib.sh"
CMAKE=${CMAKE:-cmake}

# (the test's own build dirs use Makefiles, whose flags.make it reads)
flags_of() { sed -n 's/^CXX_FLAGS = //p' "$1/CMakeFiles/yumda.dir/flags.make"; }

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
