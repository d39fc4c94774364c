#!/bin/bash
# kill -9 at random moments of an install over http: after each kill, the next
# run (`yumda list --installed`) recovers, and the layer must be exactly the
# "before" or the "after" layer, never a mix. KILL_TRIALS (default 40) kills.
. "$(dirname "$0")/lib.sh"
[ -n "${TEST_SERVER:-}" ] || { echo "SKIP: needs yumda-test-server (TEST_SERVER)"; exit 0; }
TRIALS=${KILL_TRIALS:-40}
NPKG=${KILL_PACKAGES:-30}
NFILES=${KILL_FILES:-100}

# A repo of NPKG noarch packages with NFILES files each, plus "bigmeta"
# requiring all of them: one rpmbuild run, every package a subpackage.
spec="$T/big.spec"
{
  printf 'Name: bigmeta\nVersion: 1\nRelease: 1\nSummary: kill-9 test\nLicense: MIT\nBuildArch: noarch\n'
  for i in $(seq -w 1 "$NPKG"); do printf 'Requires: big%s\n' "$i"; done
  printf '%%description\nmeta\n'
  for i in $(seq -w 1 "$NPKG"); do
    printf '%%package -n big%s\nSummary: part %s\n%%description -n big%s\npart\n' "$i" "$i" "$i"
  done
  printf '%%install\n'
  printf 'for i in $(seq -w 1 %s); do d=%%{buildroot}/opt/share/big$i; mkdir -p $d/sub %%{buildroot}/opt/bin\n' "$NPKG"
  printf '  for j in $(seq 1 %s); do printf "package %%s file %%s\\n" $i $j > $d/f$j; done\n' "$NFILES"
  printf '  head -c 20000 /dev/urandom > $d/sub/blob; ln -s ../share/big$i/f1 %%{buildroot}/opt/bin/big$i; done\n'
  printf '%%files\n'
  for i in $(seq -w 1 "$NPKG"); do printf '%%files -n big%s\n/opt/share/big%s\n/opt/bin/big%s\n' "$i" "$i" "$i"; done
} >"$spec"
rpmbuild -bb --quiet --define "_topdir $T/top" --define "_binary_payload w1.gzdio" \
  --define "_build_id_links none" "$spec" >"$T/rpmbuild.log" 2>&1 || { cat "$T/rpmbuild.log"; fail "rpmbuild"; }
mkdir -p "$T/repo/packages"
cp "$T"/top/RPMS/noarch/*.rpm "$T/repo/packages/"
createrepo_c --quiet "$T/repo"

serve "$T/repo" --latency-ms 5
printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=none\n\n[big]\nname=big\nbaseurl=%s/\n' "$URL" >"$T/big.conf"
yk() { "$YUMDA" -c "$T/big.conf" "$@"; }

# Listing + contents; directory sizes left out (a filesystem detail), and
# .yumda/lock (it is created by any run and says nothing about the layer).
# The record without its history: each run dates its own entry (lib.sh's state_digest).
snap() {
  (cd "$1" && find . \( -path ./.yumda/lock -o -path ./.yumda/installed.json \) -prune -o \( -type d -printf 'd %m %p\n' \) -o \( ! -type d -printf '%y %m %s %l %p\n' \) | sort \
    && find . \( -path ./.yumda/lock -o -path ./.yumda/installed.json \) -prune -o -type f -exec sha256sum {} + | sort && state_digest .)
}

# "before": big01 installed. "after": bigmeta and all its parts installed.
BEFORE="$T/before"
yk install -y -q --root "$BEFORE" big01 >/dev/null
before=$(snap "$BEFORE")
cp -a "$BEFORE" "$T/after"
t0=$(date +%s%N)
echo "repo built: $(ls "$T/repo/packages" | wc -l) packages"
yk install -y -q --root "$T/after" bigmeta >/dev/null
t1=$(date +%s%N)
after=$(snap "$T/after")
[ "$before" != "$after" ] || fail "before and after are the same"
clean_ms=$(( (t1 - t0) / 1000000 ))
nfiles=$(find "$T/after" -type f | wc -l)
echo "clean install of bigmeta: ${clean_ms} ms, $nfiles files in the layer"

# Kill moments are uniform over [0, 1.2 x the clean run]; every other trial
# starts with an empty download cache (the others keep what the last run left,
# .part files included).
n_before=0 n_after=0 n_mixed=0 n_done=0
for trial in $(seq 1 "$TRIALS"); do
  R="$T/layer"
  rm -rf "$R"; cp -a "$BEFORE" "$R"
  [ $((trial % 2)) = 1 ] && rm -rf "$XDG_CACHE_HOME/yumda/packages" "$XDG_CACHE_HOME/yumda"/*/packages 2>/dev/null
  delay_ms=$(( (RANDOM * 32768 + RANDOM) % (clean_ms * 12 / 10 + 1) ))
  # The binary itself in the background (not a shell function: its subshell
  # would take the SIGKILL and leave yumda running).
  "$YUMDA" -c "$T/big.conf" install -y -q --root "$R" bigmeta >/dev/null 2>"$T/kill.err" &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then killed=yes; else killed=no; n_done=$((n_done + 1)); fi
  wait "$pid" 2>/dev/null || true
  yk list --installed --root "$R" >"$T/list.out" 2>"$T/list.err" || fail "trial $trial: list --installed after kill -9 at ${delay_ms} ms failed: $(cat "$T/list.err")"
  now=$(snap "$R")
  if [ "$now" = "$before" ]; then n_before=$((n_before + 1)); state=before
  elif [ "$now" = "$after" ]; then n_after=$((n_after + 1)); state=after
  else
    n_mixed=$((n_mixed + 1)); state=MIXED
    diff <(echo "$before") <(echo "$now") | head -n 5 >&2
    cp -a "$R" "$T/mixed-$trial"
  fi
  echo "trial $trial: kill at ${delay_ms} ms (killed: $killed) -> $state"
  # The recovered layer must also take the install from there.
  if [ "$state" = before ] && [ $((trial % 10)) = 0 ]; then
    yk install -y -q --root "$R" bigmeta >/dev/null || fail "trial $trial: install after recovery failed"
    [ "$(snap "$R")" = "$after" ] || fail "trial $trial: install after recovery gave a different layer"
  fi
done
echo "kill -9 trials: $TRIALS (finished before the kill: $n_done) -> before: $n_before, after: $n_after, mixed: $n_mixed"
[ "$n_mixed" = 0 ] || fail "$n_mixed mixed layers"
pass "kill -9 x $TRIALS: no mixed layer"

# The names a run borrows in the package cache (keepcache=0) outlive a kill -9;
# the next run removes them, but never those of a run still alive (here one
# stopped with SIGSTOP while it holds them).
borrowed() { find "$XDG_CACHE_HOME" -name "*.in-use.$1[.-]*" | sort; }  # PID
start_and_catch() {  # starts an install into $1 and waits until it has borrowed a name
  rm -rf "$XDG_CACHE_HOME/yumda/packages" "$XDG_CACHE_HOME/yumda"/*/packages 2>/dev/null
  rm -rf "$1"; cp -a "$BEFORE" "$1"
  "$YUMDA" -c "$T/big.conf" install -y -q --root "$1" bigmeta >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 2000); do
    [ -n "$(borrowed "$pid")" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.005
  done
  fail "no borrowed name appeared while pid $pid ran"
}
start_and_catch "$T/stopped"
kill -STOP "$pid"
held=$(borrowed "$pid")
yk install -y -q --root "$T/other" bigmeta >/dev/null 2>"$T/other.err" || fail "install beside a stopped run: $(cat "$T/other.err")"
[ -n "$held" ] && [ "$(borrowed "$pid")" = "$held" ] || fail "a live run's borrowed names were removed: before: $held; after: $(borrowed "$pid")"
pass "a stopped run keeps its $(echo "$held" | wc -l) borrowed names while another run installs"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
[ -n "$(borrowed "$pid")" ] || fail "kill -9 left no borrowed name to prune (the test caught no download)"
rm -rf "$T/other"; cp -a "$BEFORE" "$T/other"
yk install -y -q --root "$T/other" bigmeta >/dev/null 2>"$T/other.err" || fail "install after kill -9: $(cat "$T/other.err")"
[ -z "$(find "$XDG_CACHE_HOME" -name '*.in-use.*')" ] || fail "borrowed names left after the next install: $(find "$XDG_CACHE_HOME" -name '*.in-use.*')"
pass "the next install removed the borrowed names of the run killed with -9"
