#!/bin/bash
# What a person at a terminal sees while yumda installs from a slow server:
# one live block (count, bytes, rate, ETA) under dnf's per-package lines and
# total, nothing glued together; and no progress at all when stderr is a
# file, with -q or with --json (issue #15).
. "$(dirname "$0")/lib.sh"
[ -n "${TEST_SERVER:-}" ] || skip "needs yumda-test-server (its trickle fault slows the downloads)"
for t in rpmbuild createrepo_c; do command -v $t >/dev/null || skip "$t is not installed"; done

# Four noarch /opt packages of random (incompressible, uncompressed) bytes;
# delta, the smallest, also carries a /var file: its warning ("left out")
# comes while the others are still downloading.
mkpkg() {  # NAME KBYTES [REQUIRES...]
  name=$1 kb=$2; shift 2
  { echo "Name: $name"; echo "Version: 1.0"; echo "Release: 1"; echo "Summary: $name"; echo "License: MIT"
    echo "BuildArch: noarch"; echo "%define _binary_payload w0.ufdio"
    for r in "$@"; do echo "Requires: $r"; done
    printf '%%description\n%s\n%%install\nmkdir -p %%{buildroot}/opt/share/%s\n' "$name" "$name"
    printf 'head -c %s /dev/urandom >%%{buildroot}/opt/share/%s/data\n' "$((kb * 1024))" "$name"
    [ "$name" != delta ] || printf 'mkdir -p %%{buildroot}/var/lib/delta\necho x >%%{buildroot}/var/lib/delta/state\n'
    printf '%%files\n/opt/share/%s\n' "$name"
    [ "$name" != delta ] || printf '/var/lib/delta/state\n'
  } >"$T/$name.spec"
  rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/repo" "$T/$name.spec" >/dev/null 2>&1 ||
    fail "rpmbuild $name"
}
mkpkg alpha 60 beta gamma delta
mkpkg beta 60
mkpkg gamma 60
mkpkg delta 20
createrepo_c -q "$T/repo" || fail "createrepo_c"
# ~65 KB/s a connection for the packages: a second or so of downloads, ten redraws a second.
serve "$T/repo" --fault trickle,prefix=/noarch/,bytes=1024,ms=15
YU="$YUMDA -c $T/empty.conf --baseline none --repofrompath t,$URL/"

# pty_run RAW CMD...: CMD on a pseudo-terminal of 100 columns (stdin, stdout
# and stderr, unless CMD redirects them); every byte it writes kept in RAW.
pty_run() {
  python3 - "$@" <<'PY'
import os, pty, struct, sys, fcntl, termios
raw, cmd = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
open(raw, "wb").write(out)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

# screen RAW: the lines left on the screen, as a terminal shows them (\r,
# cursor up, erase to the end of the line or screen; colours dropped).
screen() {
  python3 - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
lines, row, col = [""], 0, 0
for tok in re.findall(r"\x1b\[[0-9;]*[A-Za-z]|\x1b\([A-Z]|[\r\n]|[^\x1b\r\n]+", data):
    if tok == "\r": col = 0
    elif tok == "\n":
        row += 1; col = 0
        if row == len(lines): lines.append("")
    elif tok.startswith("\x1b["):
        n = int(tok[2:-1] or 1) if tok[2:-1].isdigit() else 1
        if tok[-1] == "A": row = max(0, row - n)
        elif tok[-1] == "J": lines[row] = lines[row][:col]; del lines[row + 1:]
        elif tok[-1] == "K": lines[row] = lines[row][:col]
    elif tok.startswith("\x1b"): pass
    else:
        l = lines[row].ljust(col)
        lines[row] = l[:col] + tok + l[col + len(tok):]
        col += len(tok)
print("\n".join(lines))
PY
}

# --- on a terminal
pty_run "$T/tty.raw" $YU --root "$T/layer" install -y alpha || { cat -v "$T/tty.raw"; fail "install on a tty failed"; }
screen "$T/tty.raw" >"$T/tty.screen"
show() { echo "--- screen:"; cat "$T/tty.screen"; echo "--- raw:"; cat -v "$T/tty.raw" | tr '\r' '\n' | tail -n 60; }
# While it ran: the block was redrawn with count, bytes done of the total, a rate and an ETA.
draws=$(grep -aoE 'Downloading \([0-3]/4\)  [0-9.]+ [kB]+ / 2[0-9][0-9] k  [0-9.]+ [kB]+/s  [0-9]{2}:[0-9]{2} ETA' "$T/tty.raw" | wc -l)
[ "$draws" -ge 3 ] || { show; fail "the block was drawn $draws times with count, bytes, rate and ETA (want several)"; }
grep -aqE 'Installing  \([0-3]/4\)' "$T/tty.raw" || { show; fail "no live install count"; }
pass "live block: $draws redraws with N/M, bytes, rate and ETA"
# What is left on the screen: each package's line whole, the total, nothing of the block.
for p in alpha beta gamma delta; do
  grep -qE "^\([1-4]/4\): $p-1\.0-1\.noarch +([0-9.]+ [kMB]+|---) ?B?/s \| +[0-9.]+ [kB] +[0-9]{2}:[0-9]{2}$" "$T/tty.screen" ||
    { show; fail "no whole download line for $p"; }
  grep -qE "^  Installing : $p-1\.0-1\.noarch +[1-4]/4$" "$T/tty.screen" || { show; fail "no whole install line for $p"; }
done
grep -qE '^-{79}$' "$T/tty.screen" && grep -qE '^Total +[0-9.]+ [kB]+/s \| +2[0-9][0-9] k +[0-9]{2}:[0-9]{2}$' "$T/tty.screen" ||
  { show; fail "no total line"; }
grep -qE '^warning: package delta-1\.0-1\.noarch: left out 1 file that a layer cannot hold \(/var/lib/delta/state: .*\)$' \
  "$T/tty.screen" || { show; fail "the warning is not a line of its own"; }
grep -qE '^Complete! Layer directory: ' "$T/tty.screen" || { show; fail "no Complete! line"; }
! grep -qE 'ETA|Downloading \(|Installing  \(' "$T/tty.screen" || { show; fail "the block was left on the screen"; }
[ "$(grep -cE '^\([1-4]/4\): ' "$T/tty.screen")" = 4 ] || { show; fail "not one download line a package"; }
pass "screen: 4 download lines, the total, 4 install lines, the warning, each whole; no block left"

# --- stderr a file (stdout on the terminal): not one \r or escape there
pty_run "$T/file.raw" bash -c "$YU --root '$T/layer2' install -y alpha 2>'$T/file.err'" ||
  { cat "$T/file.err"; fail "install with stderr a file failed"; }
grep -q 'left out 1 file' "$T/file.err" || fail "the warning is missing from the file: $(cat "$T/file.err")"
! grep -q $'\r' "$T/file.err" && ! grep -q $'\033' "$T/file.err" || fail "stderr a file: $(cat -v "$T/file.err")"
! grep -qE 'ETA|Downloading|^Total' "$T/file.err" || fail "progress in a file: $(cat "$T/file.err")"
pass "stderr a file: no \\r, no escape codes, no progress"

# --- -q and --json on a terminal: no progress
pty_run "$T/q.raw" $YU --root "$T/layer3" -q install -y alpha || fail "-q install failed: $(cat -v "$T/q.raw")"
! grep -aqE 'ETA|Downloading|Installing|Total|\(1/4\)' "$T/q.raw" || fail "-q shows progress: $(cat -v "$T/q.raw")"
pty_run "$T/json.raw" bash -c "$YU --root '$T/layer4' --json install -y alpha >'$T/json.out'" ||
  fail "--json install failed: $(cat -v "$T/json.raw")"
! grep -aqE 'ETA|Downloading|Installing|Total|\(1/4\)' "$T/json.raw" || fail "--json shows progress: $(cat -v "$T/json.raw")"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/json.out" || fail "--json: not one document"
pass "-q and --json on a terminal: no progress"

# --- relocation (rewriting compiled-in /usr paths after extraction) has a
# line of its own in the block, as the downloads and installs do
pty_run "$T/reloc.raw" "$YUMDA" -c "$T/empty.conf" --repofrompath "stock,file://$STOCK_DEMO_REPO" --root "$T/layer5" \
  install -y motd || { cat -v "$T/reloc.raw"; fail "install motd on a tty failed"; }
grep -aqE 'Relocating  \([0-9]/[1-9]\)' "$T/reloc.raw" || { cat -v "$T/reloc.raw" | tr '\r' '\n'; fail "no relocation line in the block"; }
screen "$T/reloc.raw" >"$T/reloc.screen"
! grep -qE 'Relocating  \(' "$T/reloc.screen" || { cat "$T/reloc.screen"; fail "the relocation line was left on the screen"; }
pass "relocation: a 'Relocating (k/N)' line in the block while it runs, gone after"
