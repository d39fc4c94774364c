#!/bin/bash
# autoremove takes out what dnf autoremove takes out: packages installed as
# dependencies that nothing the user asked for still needs; `mark remove`
# turns a package into such a dependency and `mark install` keeps one, as
# dnf mark. Both tools run the same steps on the same repo and the remaining
# package sets are compared.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dnf_side.sh"
mkpkg app 1.0 lib-b tool-e
mkpkg lib-b 1.0 lib-c
mkpkg lib-c 1.0
mkpkg tool-e 1.0
mkpkg other 1.0 lib-c
createrepo_c --quiet "$T/repo"

same() {  # WHAT
  want=$(rpm --root "$T/dnfroot" -qa --qf '%{NAME}\n' | sort | tr '\n' ' ')
  got=$("$YUMDA" list --installed --root "$T/layer" | awk 'NR>1 {sub(/\.[^.]*$/, "", $1); print $1}' | sort | tr '\n' ' ')
  [ "$want" = "$got" ] || fail "$1: dnf keeps [$want], yumda keeps [$got]"
  pass "$1: both keep [$got]"
}
fresh() { rm -rf "$T/dnfroot" "$T/layer"; }

# Dependencies left behind by a remove without clean_requirements_on_remove.
fresh
both install app other
both --setopt=clean_requirements_on_remove=0 remove app
both autoremove
same "remove app (clean_requirements_on_remove=0), then autoremove"

# mark remove: the user's package becomes a dependency nothing needs.
fresh
both install app other
both mark remove app
both autoremove
same "mark remove app, then autoremove"

# mark install: a dependency the user now wants stays, with what it needs.
fresh
both install app
both mark install lib-b
both mark remove app
both autoremove
same "mark install lib-b, mark remove app, then autoremove"

# Nothing unneeded: nothing to do, the layer untouched.
before=$(snapshot "$T/layer")
run_capture nothing $YU autoremove
[ "$(rc_of nothing)" = 0 ] || fail "autoremove with nothing unneeded: exit $(rc_of nothing): $(cat "$T/nothing.err")"
[ "$before" = "$(snapshot "$T/layer")" ] || fail "an autoremove with nothing to do changed the layer"
pass "autoremove with nothing unneeded: exit 0, layer unchanged"

# mark of a package the layer lacks: one line naming it, layer untouched.
run_capture nomatch $YU mark remove nope
[ "$(rc_of nomatch)" = 1 ] && [ "$(wc -l <"$T/nomatch.err")" = 1 ] && grep -q "No match for argument: nope" "$T/nomatch.err" ||
  fail "mark remove nope: exit $(rc_of nomatch): $(cat "$T/nomatch.err")"
[ "$before" = "$(snapshot "$T/layer")" ] || fail "a failed mark changed the layer"
pass "mark of a missing package: $(cat "$T/nomatch.err")"

# --json: the document names what autoremove took.
fresh
$YU install app >/dev/null || fail "install app"
$YU mark remove app >/dev/null || fail "mark remove app"
"$YUMDA" -c "$T/empty.conf" --baseline none --root "$T/layer" -y autoremove --json >"$T/auto.json" || fail "autoremove --json"
python3 - "$T/auto.json" <<'PY' || fail "autoremove --json: $(cat "$T/auto.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["performed"] and sorted(p["name"] for p in d["remove"]) == ["app", "lib-b", "lib-c", "tool-e"], d
PY
pass "autoremove --json lists what it removed"
