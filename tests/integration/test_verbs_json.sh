#!/bin/bash
# Every verb with --json: stdout is exactly one JSON document (python3 -m
# json.tool parses it), nothing else; logs and warnings stay on stderr.
. "$(dirname "$0")/lib.sh"
D=(--repofrompath demo,file://"$DEMO_REPO")
R="$T/layer"
n=0
j() {  # NAME EXPECTED-RC ARGS...: runs yumda ARGS --json and checks stdout
  name=$1 want=$2; shift 2
  run_capture "$name" "$@"
  [ "$(rc_of "$name")" = "$want" ] || fail "$name exited $(rc_of "$name"), not $want: $(cat "$T/$name.err")"
  python3 -m json.tool "$T/$name.out" >/dev/null || fail "$name: stdout is not one JSON document: $(head -c 300 "$T/$name.out")"
  n=$((n + 1))
}
cat >"$T/yumda.toml" <<TOML
packages = ["greet"]
output = "out.zip"
[[repo]]
id = "demo"
baseurl = "file://$DEMO_REPO"
TOML

j repolist 0 y "${D[@]}" repolist --all --json
j makecache 0 y "${D[@]}" makecache --json
j install 0 y "${D[@]}" install -y --json --root "$R" greet
grep -q "outside /opt" "$T/install.err" || fail "install's warning did not go to stderr"
j install-again 0 y "${D[@]}" install -y --json --root "$R" greet
j install-assumeno 0 y "${D[@]}" install --assumeno --json --root "$T/other" greet
j list 0 y --json list --installed --root "$R"
j list-available 0 y "${D[@]}" --json list --available 'greet*'
j info 0 y "${D[@]}" info --json --root "$R" greet
j search 0 y "${D[@]}" search --json greet
j provides 0 y "${D[@]}" provides --json /opt/bin/greet
j repoquery 0 y "${D[@]}" repoquery --json greet
j repoquery-requires 0 y "${D[@]}" repoquery --requires --json greet
j repoquery-whatrequires 0 y "${D[@]}" repoquery --whatrequires --json libgreet
j repoquery-list 0 y "${D[@]}" repoquery -l --json greet
j download 0 y "${D[@]}" download --json --resolve --destdir "$T/dl" greet
j upgrade 0 y "${D[@]}" upgrade -y --json --root "$R"
j reinstall 0 y "${D[@]}" reinstall -y --json --root "$R" greet
j check 0 y check --json --root "$R"
j sbom 0 y sbom --json --root "$R"
j sbom-cdx 0 y sbom --json --format cyclonedx --root "$R"
j sbom-file 0 y sbom --json --root "$R" -o "$T/sbom.json"
j zip 0 y zip --json --root "$R" -o "$T/l.zip"
j remove 0 y remove -y --json --root "$R" greet
j build 0 "$YUMDA" build --json -f "$T/yumda.toml"
j clean 0 y "${D[@]}" clean --json all
pass "$n verb runs with --json: stdout parses as JSON"

# -q: nothing at all on stdout or stderr for a successful install
run_capture quiet y "${D[@]}" install -y -q --root "$T/q" greet
[ "$(rc_of quiet)" = 0 ] && [ ! -s "$T/quiet.out" ] && [ ! -s "$T/quiet.err" ] \
  || fail "-q printed: $(cat "$T/quiet.out" "$T/quiet.err")"
pass "-q silences"

# colour: never on a pipe by default, forced by --color=always, NO_COLOR respected
run_capture c1 y "${D[@]}" install -y --root "$T/c1" greet
run_capture c2 y "${D[@]}" --color=always install -y --root "$T/c2" greet
run_capture c3 env NO_COLOR=1 "$YUMDA" -c "$T/empty.conf" "${D[@]}" install -y --root "$T/c3" greet
grep -q $'\033\[' "$T/c1.err" && fail "colour escape on a pipe without --color"
grep -q $'\033\[' "$T/c2.err" || fail "--color=always gave no colour"
grep -q $'\033\[' "$T/c3.err" && fail "NO_COLOR ignored"
run_capture c4 y --color=purple repolist
[ "$(rc_of c4)" = 2 ] || fail "--color=purple exited $(rc_of c4), not 2 (usage)"
pass "--color and NO_COLOR"

# exit codes: 1 for an error, 2 for usage
run_capture e1 y "${D[@]}" install -y --root "$T/e1" no-such-package
[ "$(rc_of e1)" = 1 ] || fail "unknown package exited $(rc_of e1)"
run_capture e2 y install --no-such-flag
[ "$(rc_of e2)" = 2 ] || fail "unknown flag exited $(rc_of e2)"
pass "exit codes 1 and 2"
