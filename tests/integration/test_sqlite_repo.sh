#!/bin/bash
# A repo that offers only sqlite metadata (primary_db, filelists_db, other_db),
# as stock Amazon Linux 2 repos do: createrepo_c --database output with the
# XML records and files removed. It installs over file:// and http://, and a
# path that only filelists_db knows resolves.
. "$(dirname "$0")/lib.sh"
command -v createrepo_c >/dev/null || { echo "SKIP: needs createrepo_c"; exit 0; }

REPO="$T/sqlite-repo"
mkdir -p "$REPO"
cp -a "$DEMO_REPO/packages" "$REPO/"
createrepo_c --quiet --database "$REPO"
# Strip repomd.xml to its *_db records and delete the xml files it listed.
python3 - "$REPO" <<'PY'
import os, re, sys
root = sys.argv[1]
path = os.path.join(root, "repodata", "repomd.xml")
xml = open(path).read()
kept = []
def drop(m):
    block = m.group(0)
    kind = re.search(r'type="([^"]+)"', block).group(1)
    if kind.endswith("_db"):
        kept.append(kind)
        return block
    href = re.search(r'href="([^"]+)"', block).group(1)
    os.remove(os.path.join(root, href))
    return ""
xml = re.sub(r'[ \t]*<data type="[^"]+">.*?</data>\n?', drop, xml, flags=re.S)
open(path, "w").write(xml)
if sorted(kept) != ["filelists_db", "other_db", "primary_db"]:
    sys.exit("unexpected sqlite records: %r" % kept)
PY
! grep -q 'type="primary"\|type="filelists"\|type="other"' "$REPO/repodata/repomd.xml" || fail "xml records left in repomd.xml"
! ls "$REPO"/repodata/*.xml.* >/dev/null 2>&1 || fail "xml metadata files left: $(ls "$REPO/repodata")"
ls "$REPO"/repodata/*primary.sqlite* >/dev/null || fail "no primary.sqlite made by createrepo_c"
pass "sqlite-only repo: $(ls "$REPO/repodata" | sed 's/^[0-9a-f]*-//' | tr '\n' ' ')"

# Only filelists knows this path (primary lists bin/ and /etc files only).
ONLY_IN_FILELISTS=/opt/share/greet/message.txt
for db in "$REPO"/repodata/*primary.sqlite.*; do
  bzcat "$db" >"$T/primary.sqlite" 2>/dev/null || xzcat "$db" >"$T/primary.sqlite" 2>/dev/null || zcat "$db" >"$T/primary.sqlite"
done
python3 - "$T/primary.sqlite" "$ONLY_IN_FILELISTS" <<'PY' || fail "$ONLY_IN_FILELISTS is in primary_db: the path test would not need filelists_db"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select count(*) from files where name = ?", (sys.argv[2],)).fetchone()[0]
sys.exit(1 if rows else 0)
PY

R="$T/layer"
run_capture inst y --repofrompath sq,file://"$REPO" install -y --root "$R" greet
[ "$(rc_of inst)" = 0 ] || fail "install from the sqlite-only repo failed: $(cat "$T/inst.err")"
[ -x "$R/bin/greet" ] || fail "bin/greet missing"
[ "$(readlink "$R/lib/libgreet.so.1")" = libgreet.so.1.2.0 ] || fail "libgreet (a dependency) missing"
[ -f "$R/share/greet/message.txt" ] || fail "greet-data (a dependency) missing"
pass "install greet from a sqlite-only file:// repo (with its dependencies)"

run_capture path y --repofrompath sq,file://"$REPO" --json install --assumeno --root "$T/layer-path" /opt/bin/greet
[ "$(rc_of path)" = 1 ] || fail "path spec /opt/bin/greet failed (--assumeno: 1): $(cat "$T/path.err")"
grep -q '"nevra": "greet-1.2.0-1.demo.x86_64"' "$T/path.out" || fail "/opt/bin/greet did not resolve to greet: $(cat "$T/path.out")"
pass "/opt/bin/greet resolves to greet"

run_capture fl y --repofrompath sq,file://"$REPO" --json install --assumeno --root "$T/layer-path" "$ONLY_IN_FILELISTS"
[ "$(rc_of fl)" = 1 ] || fail "path spec $ONLY_IN_FILELISTS failed (--assumeno: 1): $(cat "$T/fl.err")"
grep -q '"nevra": "greet-data-1.0-3.demo.noarch"' "$T/fl.out" || fail "$ONLY_IN_FILELISTS did not resolve to greet-data: $(cat "$T/fl.out")"
pass "$ONLY_IN_FILELISTS (only in filelists_db) resolves to greet-data"

run_capture nofile y --repofrompath sq,file://"$REPO" install --assumeno --root "$T/layer-path" /opt/share/greet/no-such-file
[ "$(rc_of nofile)" != 0 ] || fail "a path no package has resolved to something"
pass "a path no package has is an error: $(head -n1 "$T/nofile.err")"

# The same repo over http://: the sqlite files go through the download path.
serve "$REPO"
cat >"$T/http.conf" <<CONF
[main]
reposdir=
gpgcheck=0
baseline=al2

[sq-http]
name=sqlite-only over http
baseurl=$URL/
CONF
run_capture http "$YUMDA" -c "$T/http.conf" install -y --root "$T/layer-http" greet "$ONLY_IN_FILELISTS"
[ "$(rc_of http)" = 0 ] || fail "install from the sqlite-only repo over http failed: $(cat "$T/http.err")"
[ -x "$T/layer-http/bin/greet" ] && [ -f "$T/layer-http/share/greet/message.txt" ] || fail "http install incomplete"
ls "$XDG_CACHE_HOME"/yumda/repos/sq-http-*/*primary.sqlite* >/dev/null 2>&1 || fail "primary.sqlite not in the cache"
pass "install greet and $ONLY_IN_FILELISTS from the sqlite-only repo over http"
