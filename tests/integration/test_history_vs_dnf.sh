#!/bin/bash
# history lists, describes and undoes a layer's transactions as dnf history
# does for a root: both tools run the same install, upgrade and remove
# against the same repo, `history list` must give the same actions and
# altered counts per id, and `history undo` must leave the same packages
# (what a transaction installed goes, what it removed comes back, an upgrade
# is undone by a downgrade). An undo whose old version the repos no longer
# have fails naming it, and the layer stays as it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnf_side.sh"
mkpkg app 1.0 lib-a
mkpkg lib-a 1.0
mkpkg lib-a 2.0
mkpkg tool 1.0
createrepo_c --quiet "$T/repo"

# id|action(s)|altered per transaction, newest first (dnf's columns 1, 4, 5).
columns() { awk -F'|' 'NR>2 && NF>=5 { gsub(/ /, "", $1); gsub(/^ +| +$/, "", $4); gsub(/ /, "", $5); print $1 "|" $4 "|" $5 }'; }
packages() {
  want=$(rpm --root "$T/dnfroot" -qa --qf '%{NAME}-%{VERSION}\n' | sort | tr '\n' ' ')
  got=$("$YUMDA" list --installed --root "$T/layer" | awk 'NR>1 {sub(/\.[^.]*$/, "", $1); sub(/-[^-]*$/, "", $2); print $1 "-" $2}' | sort | tr '\n' ' ')
  [ "$want" = "$got" ] || fail "$1: dnf has [$want], yumda has [$got]"
  pass "$1: both have [$got]"
}

both install app lib-a-1.0
both install tool
both upgrade lib-a
both remove tool
want=$($DNF history list 2>/dev/null | columns)
got=$("$YUMDA" history --root "$T/layer" | columns)
[ -n "$got" ] && [ "$want" = "$got" ] || fail "history list: dnf [$(echo $want)], yumda [$(echo $got)]"
pass "history list: both [$(echo $got)]"

# info: the upgrade's two sides, each with its NEVRA and reason.
"$YUMDA" history info 3 --root "$T/layer" >"$T/info.out" || fail "history info 3"
grep -Eq '^ +Upgrade +lib-a-2\.0-1\.noarch +\(user\)' "$T/info.out" || fail "info 3: no Upgrade row: $(cat "$T/info.out")"
grep -Eq '^ +Upgraded +lib-a-1\.0-1\.noarch +\(user\)' "$T/info.out" || fail "info 3: no Upgraded row: $(cat "$T/info.out")"
grep -q '^Command Line   : upgrade lib-a' "$T/info.out" || fail "info 3: no command: $(cat "$T/info.out")"
"$YUMDA" history info --root "$T/layer" --json >"$T/info.json" || fail "history info --json"
python3 - "$T/info.json" <<'PY' || fail "history info --json: $(cat "$T/info.json")"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["transaction"]
assert d["schema_version"] == 1 and t["id"] == 4 and t["actions"] == ["Removed"] and t["altered"] == 1, d
assert [(p["action"], p["nevra"], p["reason"]) for p in t["packages"]] == [("Removed", "tool-1.0-1.noarch", "user")], t
PY
pass "history info: Upgrade/Upgraded rows with NEVRAs and reasons; --json of the last one"

# same_history N WHAT: the newest N rows of both histories agree.
same_history() {
  want=$($DNF history list 2>/dev/null | columns | head -"$1")
  got=$("$YUMDA" history --root "$T/layer" | columns | head -"$1")
  [ "$want" = "$got" ] || fail "history $2: dnf [$(echo $want)], yumda [$(echo $got)]"
}

# undo: the removal (tool back), then the upgrade (lib-a down to 1.0).
both history undo 4
packages "undo of remove tool"
both history undo 3
packages "undo of upgrade lib-a (a downgrade)"
same_history 2 "after the undos"
pass "the undos are transactions too: both [$(echo $got)]"

# undo of the first install: app and lib-a go, as with dnf (tool stays).
both history undo 1
packages "undo of install app lib-a-1.0"
same_history 1 "after undo 1"
"$YUMDA" history info --root "$T/layer" | grep -q '^Command Line   : history undo 1$' || fail "undo 1 recorded as: $("$YUMDA" history info --root "$T/layer")"
pass "an undo that only removes is a removal: both [$got]"

# undo of an upgrade whose old version has left the repo: refused, nothing changed.
both install lib-a-1.0
both upgrade lib-a
last=$("$YUMDA" history --root "$T/layer" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["transactions"][0]["id"])')
rm "$T"/repo/noarch/lib-a-1.0-*.rpm && createrepo_c --quiet --update "$T/repo"
before=$(snapshot "$T/layer")
cp "$T/layer/.yumda/installed.json" "$T/record.before"
run_capture gone $YU history undo "$last"
[ "$(rc_of gone)" = 1 ] || fail "undo with lib-a-1.0 gone: exit $(rc_of gone), want 1"
[ "$(wc -l <"$T/gone.err")" = 1 ] && grep -q "cannot undo transaction $last: lib-a-1.0-1.noarch is not in any enabled repo" "$T/gone.err" ||
  fail "undo with lib-a-1.0 gone: $(cat "$T/gone.err")"
[ "$before" = "$(snapshot "$T/layer")" ] && cmp -s "$T/record.before" "$T/layer/.yumda/installed.json" ||
  fail "a refused undo changed the layer or its history"
pass "undo needing a version the repo lost: $(cat "$T/gone.err")"

run_capture none $YU history undo 99
[ "$(rc_of none)" = 1 ] && grep -q "no transaction 99 in the layer's history" "$T/none.err" || fail "undo 99: $(cat "$T/none.err")"
pass "undo of an unknown id: $(cat "$T/none.err")"
