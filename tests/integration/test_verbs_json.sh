#!/bin/bash
# Every verb with --json: stdout is exactly one JSON document (python3 -m
# json.tool parses it), nothing else; logs and warnings stay on stderr.
. "$(dirname "$0")/lib.sh"
D=(--repofrompath demo,file://"$DEMO_REPO")
R="$T/layer"
n=0
DOC="$YUMDA_SOURCE_DIR/docs/json.md"
CHECK="$YUMDA_SOURCE_DIR/tests/check_json_doc.py"
checked=" "
# NAME VERB EXPECTED-RC ARGS...: runs yumda ARGS --json; stdout must be one
# object with the keys and types docs/json.md gives for VERB.
j() {
  name=$1 verb=$2 want=$3; shift 3
  run_capture "$name" "$@"
  [ "$(rc_of "$name")" = "$want" ] || fail "$name exited $(rc_of "$name"), not $want: $(cat "$T/$name.err")"
  python3 -m json.tool "$T/$name.out" >/dev/null || fail "$name: stdout is not one JSON document: $(head -c 300 "$T/$name.out")"
  python3 "$CHECK" "$DOC" "$verb" "$T/$name.out" >"$T/$name.doc" 2>&1 \
    || fail "$name: stdout is not what docs/json.md says $verb prints: $(head -c 1500 "$T/$name.doc")"
  checked="$checked$verb "
  n=$((n + 1))
}
demo_toml "$T/yumda.toml"

j repolist repolist 0 y "${D[@]}" repolist --all --json
j makecache makecache 0 y "${D[@]}" makecache --json
j install install 0 y "${D[@]}" --setopt=relocate=never install -y --json --root "$R" greet
grep -q "outside /opt" "$T/install.err" || fail "install's warning did not go to stderr"
j install-again install 0 y "${D[@]}" install -y --json --root "$R" greet
j install-assumeno install 1 y "${D[@]}" install --assumeno --json --root "$T/other" greet
j list list 0 y --json list --installed --root "$R"
j list-available list 0 y "${D[@]}" --json list --available 'greet*'
j info info 0 y "${D[@]}" info --json --root "$R" greet
j search search 0 y "${D[@]}" search --json greet
j provides provides 0 y "${D[@]}" provides --json /opt/bin/greet
j repoquery repoquery 0 y "${D[@]}" repoquery --json greet
j repoquery-requires repoquery 0 y "${D[@]}" repoquery --requires --json greet
j repoquery-whatrequires repoquery 0 y "${D[@]}" repoquery --whatrequires --json libgreet
j repoquery-list repoquery 0 y "${D[@]}" repoquery -l --json greet
j download download 0 y "${D[@]}" download --json --resolve --destdir "$T/dl" greet
j upgrade upgrade 0 y "${D[@]}" upgrade -y --json --root "$R"
j reinstall reinstall 0 y "${D[@]}" reinstall -y --json --root "$R" greet
j check check 0 y check --json --root "$R"
j sbom sbom 0 y sbom --json --root "$R"
j sbom-cdx sbom 0 y sbom --json --format cyclonedx --root "$R"
j sbom-file sbom 0 y sbom --json --root "$R" -o "$T/sbom.json"
j zip zip 0 y zip --json --root "$R" -o "$T/l.zip"
j history history 0 y history --json --root "$R"
j history-info "history info" 0 y history info --json --root "$R" last
j mark mark 0 y mark remove --json --root "$R" greet
j autoremove autoremove 0 y "${D[@]}" autoremove -y --json --root "$R"
j history-undo "history undo" 0 y "${D[@]}" history undo last -y --json --root "$R"
j remove remove 0 y remove -y --json --root "$R" greet
j lock lock 0 "$YUMDA" lock --json -f "$T/yumda.toml"
j build build 0 "$YUMDA" build --json -f "$T/yumda.toml"
j check-update check-update 0 y "${D[@]}" --json check-update --root "$R"
j list-upgrades check-update 0 y "${D[@]}" --json list --upgrades --root "$R"
j runtimes runtimes 0 y runtimes --json
j clean clean 0 y "${D[@]}" clean --json all
pass "$n verb runs with --json: stdout is one object, as docs/json.md says"

# Every verb `yumda --help` lists has its section in docs/json.md and was run above.
"$YUMDA" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { sub(/,$/, "", $1); print $1 }' >"$T/verbs"
[ -s "$T/verbs" ] || fail "no verbs in yumda --help: $("$YUMDA" --help)"
python3 "$CHECK" "$DOC" --verbs >"$T/documented"
while read -r v; do
  grep -qx "$v" "$T/documented" || fail "verb $v has no section in docs/json.md"
  case "$checked" in *" $v "*) ;; *) fail "verb $v: its --json is not checked here" ;; esac
done <"$T/verbs"
pass "every verb of yumda --help ($(wc -l <"$T/verbs")) is in docs/json.md and checked"

# A failing verb with --json: stdout is still exactly one document,
# {"schema_version": 1, "error": {"message": M, "exit_code": N}}, N is the exit code and M the
# line stderr has.
jerr() {  # NAME EXPECTED-RC ARGS...
  name=$1 want=$2; shift 2
  run_capture "$name" "$@"
  [ "$(rc_of "$name")" = "$want" ] || fail "$name exited $(rc_of "$name"), not $want: $(cat "$T/$name.err")"
  python3 - "$T/$name.out" "$want" >"$T/$name.msg" <<'PY' || fail "$name: stdout is not one error document: $(head -c 300 "$T/$name.out")"
import json, sys
d = json.load(open(sys.argv[1]))  # "Extra data" when there is more than one document
assert sorted(d) == ["error", "schema_version"] and sorted(d["error"]) == ["exit_code", "message"], d
assert d["error"]["exit_code"] == int(sys.argv[2]), d
assert d["error"]["message"] and "\n" not in d["error"]["message"], d
print(d["error"]["message"])
PY
  python3 "$CHECK" "$DOC" error "$T/$name.out" >"$T/$name.doc" 2>&1 || fail "$name: not docs/json.md's error document: $(cat "$T/$name.doc")"
  grep -qF -- "$(cat "$T/$name.msg")" "$T/$name.err" || fail "$name: stderr lacks the document's message '$(cat "$T/$name.msg")': $(cat "$T/$name.err")"
  n=$((n + 1))
}
n=0
printf '[main]\nreposdir=\nbogus line\n' >"$T/bad.conf"
y "${D[@]}" install -y -q --root "$T/lk" --lockfile "$T/good.lock" greet
sed 's/\("checksum": *"\)[0-9a-f]/\10000/' "$T/good.lock" >"$T/moved.lock"
cmp -s "$T/good.lock" "$T/moved.lock" && fail "could not alter the checksums of $T/good.lock"
jerr f-install 1 y "${D[@]}" install -y --json --root "$T/f" no-such-package
jerr f-remove 1 y remove -y --json --root "$R" no-such-package
jerr f-info 1 y "${D[@]}" info --json no-such-package  # builds its document, then fails
jerr f-provides 1 y "${D[@]}" provides --json /opt/bin/no-such-file
jerr f-download 1 y "${D[@]}" download --json --destdir "$T/dl" no-such-package
jerr f-unreachable 1 y --repofrompath gone,http://127.0.0.1:9/ --json install -y --root "$T/f" greet
jerr f-makecache 1 y --repofrompath gone,http://127.0.0.1:9/ makecache --json
jerr f-badconf 2 "$YUMDA" -c "$T/bad.conf" --json repolist
jerr f-locked 1 y "${D[@]}" install -y --json --root "$T/f" --locked "$T/moved.lock"
grep -q "no longer match the lock" "$T/f-locked.msg" || fail "--locked mismatch: $(cat "$T/f-locked.msg")"
jerr f-zip 1 y zip --json --root "$T/no-such-layer" -o "$T/x.zip"
jerr f-build 2 "$YUMDA" build --json -f "$T/no-such.toml"
jerr f-color 2 y --json --color=purple repolist
jerr f-usage 2 y install --json  # no package named: the verb's own usage error
# parse errors (CLI11): --json counts wherever it stands, even when parsing
# stopped before storing it (an option missing its value)
jerr f-flag 2 y install --json --no-such-flag greet
jerr f-missing-value 2 y install --json --root
jerr f-required 2 y remove --json
jerr f-nosub 2 y --json
pass "$n failing verb runs with --json: one error document on stdout, its exit code, its line on stderr"
run_capture f-nojson y install --no-such-flag
[ "$(rc_of f-nojson)" = 2 ] && [ ! -s "$T/f-nojson.out" ] || fail "a parse error without --json wrote to stdout"
run_capture f-help y --json --help
[ "$(rc_of f-help)" = 0 ] && grep -q Usage "$T/f-help.out" || fail "--json --help: not the help text"
pass "without --json a failure leaves stdout empty; --help stays text"

# Ctrl-C with --json: the error document with exit code 130
if [ -n "${TEST_SERVER:-}" ]; then
  "$TEST_SERVER" --root "$DEMO_REPO" --port 0 --latency-ms 500 >"$T/slow.port" 2>"$T/slow.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do [ -s "$T/slow.port" ] && break; sleep 0.05; done
  SLOW="http://127.0.0.1:$(head -n1 "$T/slow.port" | tr -dc 0-9)"
  set -m  # job control: a background job of a script would otherwise ignore SIGINT
  "$YUMDA" -c "$T/empty.conf" --repofrompath slow,"$SLOW" install -y --json --root "$T/int" greet \
    >"$T/int.out" 2>"$T/int.err" &
  P=$!
  set +m
  sleep 1
  kill -INT "$P"
  wait "$P" && rc=0 || rc=$?
  [ "$rc" = 130 ] || fail "Ctrl-C with --json: exit $rc, want 130: $(cat "$T/int.err")"
  python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e["exit_code"] == 130, e' "$T/int.out" \
    || fail "Ctrl-C with --json: stdout is not the error document: $(cat "$T/int.out")"
  pass "Ctrl-C with --json -> exit 130, $(tr -d '\n ' <"$T/int.out")"
else
  echo "skipped: Ctrl-C with --json (TEST_SERVER is not built)"
fi

# -q: nothing at all on stdout or stderr for a successful install
run_capture quiet y "${D[@]}" install -y -q --root "$T/q" greet
[ "$(rc_of quiet)" = 0 ] && [ ! -s "$T/quiet.out" ] && [ ! -s "$T/quiet.err" ] \
  || fail "-q printed: $(cat "$T/quiet.out" "$T/quiet.err")"
pass "-q silences"

# colour: never on a pipe by default, forced by --color=always, NO_COLOR respected (relocate=never: greet-data then warns)
run_capture c1 y "${D[@]}" --setopt=relocate=never install -y --root "$T/c1" greet
run_capture c2 y "${D[@]}" --setopt=relocate=never --color=always install -y --root "$T/c2" greet
run_capture c3 env NO_COLOR=1 "$YUMDA" -c "$T/empty.conf" "${D[@]}" --setopt=relocate=never install -y --root "$T/c3" greet
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
