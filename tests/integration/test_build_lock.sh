#!/bin/bash
# yumda build from yumda.toml: writes the lock on the first run, installs
# exactly the lock afterwards, gives the same zip bytes from another checkout
# and cache ("another machine"), and names what moved when the repo changes.
. "$(dirname "$0")/lib.sh"
cp -a "$DEMO_REPO" "$T/repo"
mk_project() {
  mkdir -p "$1"
  cat >"$1/yumda.toml" <<TOML
packages = ["greet"]
baseline = "al2"
output = "dist/layer.zip"

[[repo]]
id = "demo"
baseurl = "file://$T/repo"
TOML
}
mk_project "$T/a"
run_capture first env XDG_CACHE_HOME="$T/cache-a" "$YUMDA" build -f "$T/a/yumda.toml"
[ "$(rc_of first)" = 0 ] || { cat "$T/first.err"; fail "first build failed"; }
grep -q "lock written" "$T/first.out" || fail "first build did not write the lock"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sorted(p["name"] for p in d["packages"])==["greet","greet-data","libgreet"], d' \
  "$T/a/yumda.lock" || fail "lock does not list the closure"
pass "first build wrote $(grep -c '"nevra"' "$T/a/yumda.lock") packages to the lock"

# "Another machine": another directory, another cache, the same toml + lock.
mk_project "$T/b"
cp "$T/a/yumda.lock" "$T/b/"
run_capture second env XDG_CACHE_HOME="$T/cache-b" "$YUMDA" build -f "$T/b/yumda.toml"
[ "$(rc_of second)" = 0 ] || { cat "$T/second.err"; fail "locked build failed"; }
grep -q "exactly as locked" "$T/second.out" || fail "second build did not use the lock"
cmp "$T/a/dist/layer.zip" "$T/b/dist/layer.zip" || fail "the two builds gave different zips"
pass "two builds, two caches: identical zips ($(sha256sum <"$T/a/dist/layer.zip" | cut -c1-16))"

# build and zip share one timestamp rule: a SOURCE_DATE_EPOCH that is not a
# number is refused (it was read as 0, 1970), and the zip already there stays.
before=$(sha256sum <"$T/b/dist/layer.zip")
run_capture badsde env SOURCE_DATE_EPOCH=yesterday XDG_CACHE_HOME="$T/cache-b" "$YUMDA" build -f "$T/b/yumda.toml"
[ "$(rc_of badsde)" = 2 ] || fail "build with SOURCE_DATE_EPOCH=yesterday exited $(rc_of badsde)"
grep -q "SOURCE_DATE_EPOCH must be a number of seconds, not 'yesterday'" "$T/badsde.err" || fail "no clear error: $(cat "$T/badsde.err")"
[ "$(sha256sum <"$T/b/dist/layer.zip")" = "$before" ] || fail "a refused build changed the zip"
pass "build: SOURCE_DATE_EPOCH=yesterday -> $(cat "$T/badsde.err")"

# yumda.toml changes after the lock: build says so (naming the file and
# `yumda lock`) and changes nothing; `yumda lock` rewrites the lock on purpose.
mk_project "$T/c"
sed -i 's/^packages = .*/packages = ["greet-data"]/' "$T/c/yumda.toml"
run_capture c1 env XDG_CACHE_HOME="$T/cache-c" "$YUMDA" build -f "$T/c/yumda.toml"
[ "$(rc_of c1)" = 0 ] || fail "build of greet-data failed: $(cat "$T/c1.err")"
sed -i 's/^packages = .*/packages = ["greet"]/' "$T/c/yumda.toml"
cp "$T/c/yumda.lock" "$T/c.lock.before"
zip_before=$(sha256sum <"$T/c/dist/layer.zip")
run_capture c2 env XDG_CACHE_HOME="$T/cache-c" "$YUMDA" build -f "$T/c/yumda.toml"
[ "$(rc_of c2)" = 1 ] || fail "build after the toml changed exited $(rc_of c2)"
[ "$(wc -l <"$T/c2.err")" = 1 ] && grep -q "$T/c/yumda.toml changed after $T/c/yumda.lock was written (packages \[\"greet\"\], locked \[\"greet-data\"\]); run \`yumda lock -f $T/c/yumda.toml\`" "$T/c2.err" ||
  fail "build after the toml changed did not say so: $(cat "$T/c2.err")"
cmp -s "$T/c/yumda.lock" "$T/c.lock.before" && [ "$zip_before" = "$(sha256sum <"$T/c/dist/layer.zip")" ] ||
  fail "the refused build changed the lock or the zip"
pass "toml changed after the lock -> $(cat "$T/c2.err")"
run_capture c3 env XDG_CACHE_HOME="$T/cache-c" "$YUMDA" lock -f "$T/c/yumda.toml"
[ "$(rc_of c3)" = 0 ] || fail "yumda lock failed: $(cat "$T/c3.err")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sorted(p["name"] for p in d["packages"])==["greet","greet-data","libgreet"], d' \
  "$T/c/yumda.lock" || fail "yumda lock did not lock greet's closure: $(cat "$T/c/yumda.lock")"
run_capture c4 env XDG_CACHE_HOME="$T/cache-c" "$YUMDA" build -f "$T/c/yumda.toml"
[ "$(rc_of c4)" = 0 ] && grep -q "exactly as locked" "$T/c4.out" || fail "build after yumda lock: $(cat "$T/c4.err")"
cmp "$T/a/dist/layer.zip" "$T/c/dist/layer.zip" || fail "the relocked build differs from the first project's"
pass "yumda lock rewrote the lock; build installs it: $(cat "$T/c3.out")"

# The repo moves on: greet-data is rebuilt with other content under the same NEVRA.
rm "$T"/repo/packages/greet-data-*.rpm
mkdir -p "$T/spec" && sed 's/This file came from/This file now comes from/' \
  "$YUMDA_SOURCE_DIR/demo/specs/greet-data.spec" >"$T/spec/greet-data.spec"
SOURCE_DATE_EPOCH=1700000001 rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/repo/packages" \
  --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' "$T/spec/greet-data.spec" >/dev/null 2>&1
createrepo_c --quiet "$T/repo"
run_capture moved env XDG_CACHE_HOME="$T/cache-b" "$YUMDA" build -f "$T/b/yumda.toml"
[ "$(rc_of moved)" = 1 ] || fail "build against a changed repo exited $(rc_of moved)"
grep -q "greet-data-1.0-3.demo.noarch changed in repo demo" "$T/moved.err" || fail "did not name what moved: $(cat "$T/moved.err")"
grep -q 'update the lock: `yumda lock` for a yumda.toml' "$T/moved.err" || fail "did not name the fix: $(cat "$T/moved.err")"
pass "changed repo -> $(cat "$T/moved.err")"

# install --lockfile / --locked on a plain layer directory.
run_capture lk y --repofrompath demo,file://"$DEMO_REPO" install -y -q --root "$T/l1" --lockfile "$T/l.lock" greet
[ -s "$T/l.lock" ] || fail "install --lockfile wrote nothing"
run_capture lkd y --repofrompath demo,file://"$DEMO_REPO" install -y -q --root "$T/l2" --locked "$T/l.lock"
[ "$(rc_of lkd)" = 0 ] && [ -x "$T/l2/bin/greet" ] || fail "install --locked failed: $(cat "$T/lkd.err")"
pass "install --lockfile then --locked"

# build and lock take the global options as every verb does: their config
# warnings show, and a --repofrompath repo is there beside yumda.toml's
# (they were dropped: no warning, and "greet" not found).
mkdir -p "$T/empty" && createrepo_c --quiet "$T/empty"
mkdir -p "$T/d"
printf 'packages = ["greet"]\nbaseline = "al2"\n[[repo]]\nid = "empty"\nbaseurl = "file://%s"\n' "$T/empty" >"$T/d/yumda.toml"
run_capture d1 env XDG_CACHE_HOME="$T/cache-d" "$YUMDA" --repofrompath "extra,$T/repo" --disablerepo nosuch lock -f "$T/d/yumda.toml"
[ "$(rc_of d1)" = 0 ] || fail "lock with --repofrompath: $(cat "$T/d1.err")"
grep -q '"greet"' "$T/d/yumda.lock" || fail "the lock has no greet: $(cat "$T/d/yumda.lock")"
grep -qF -- "--disablerepo nosuch: no repo matches" "$T/d1.err" || fail "lock showed no config warning: $(cat "$T/d1.err")"
pass "lock: --repofrompath repo used, config warning shown"
run_capture d2 env XDG_CACHE_HOME="$T/cache-d" "$YUMDA" -q --nogpgcheck --repofrompath "extra,$T/repo" --disablerepo nosuch build -f "$T/d/yumda.toml"
[ "$(rc_of d2)" = 0 ] || fail "build with --repofrompath: $(cat "$T/d2.err")"
[ ! -s "$T/d2.err" ] || fail "-q build printed: $(cat "$T/d2.err")"
pass "build -q with --repofrompath: built, no warning"
