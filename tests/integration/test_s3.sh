#!/bin/bash
# s3:// repos against a real S3-compatible server: s3rver (npm) on 127.0.0.1,
# a bucket holding a copy of the demo repo, credentials from AWS_PROFILE in a
# temporary ~/.aws (no AWS_ACCESS_KEY_ID in the environment), the endpoint
# from s3_endpoint= or AWS_ENDPOINT_URL_S3. Wrong credentials give one 403
# line and leave the layer alone; secrets never reach stdout/stderr.
. "$(dirname "$0")/lib.sh"
command -v s3rver >/dev/null || { echo "SKIP: needs s3rver (npm install -g s3rver@3)"; exit 0; }

BUCKET=yumda-it
# s3rver's own account; the server accepts any well-formed signature from it.
GOOD_KEY=S3RVER GOOD_SECRET=S3RVER
# Distinctive values, so a leak is found by grep.
BAD_KEY=AKIAYUMDANOSUCHKEY BAD_SECRET=wrong-SECRET-canary-5f3a9c

mkdir -p "$T/s3data"
s3rver -d "$T/s3data" -a 127.0.0.1 -p 0 --configure-bucket "$BUCKET" >"$T/s3rver.log" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 200); do
  PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/s3rver.log" | head -n1)
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "s3rver exited: $(cat "$T/s3rver.log")"
  sleep 0.05
done
[ -n "$PORT" ] || fail "s3rver did not say its port: $(cat "$T/s3rver.log")"
EP="http://127.0.0.1:$PORT"

# Upload the demo repo under PREFIX with SigV4-signed PUTs.
s3_put() {  # FILE KEY
  curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user "$GOOD_KEY:$GOOD_SECRET" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$1" "$EP/$BUCKET/$2" >/dev/null
}
PREFIX=repos/demo
n=0
for f in "$DEMO_REPO"/repodata/* "$DEMO_REPO"/packages/*.rpm; do
  s3_put "$f" "$PREFIX/${f#"$DEMO_REPO"/}" || fail "upload of $f to s3rver failed"
  n=$((n + 1))
done
pass "uploaded $n files of the demo repo to s3://$BUCKET/$PREFIX"

# Credentials only through AWS_PROFILE and the shared files.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
export HOME="$T/home"
mkdir -p "$HOME/.aws"
export AWS_SHARED_CREDENTIALS_FILE="$T/aws/credentials" AWS_CONFIG_FILE="$T/aws/config"
mkdir -p "$T/aws"
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[default]
aws_access_key_id = $BAD_KEY
aws_secret_access_key = $BAD_SECRET

[ci]
aws_access_key_id = $GOOD_KEY
aws_secret_access_key = $GOOD_SECRET

[wrong]
aws_access_key_id = $BAD_KEY
aws_secret_access_key = $BAD_SECRET
EOF
cat >"$AWS_CONFIG_FILE" <<EOF
[profile ci]
region = us-east-1

[profile wrong]
region = us-east-1
EOF

write_conf() {  # FILE [extra repo lines...]
  f=$1; shift
  { printf '[main]\nreposdir=\ngpgcheck=0\nbaseline=al2\n\n[s3demo]\nname=Demo in S3\nbaseurl=s3://%s/%s\n' "$BUCKET" "$PREFIX"
    for l in "$@"; do printf '%s\n' "$l"; done; } >"$f"
}
write_conf "$T/s3.conf" "s3_endpoint=$EP"
# no_secret NAME: the run's output holds no secret.
no_secret() {
  ! grep -q -e "$BAD_SECRET" "$T/$1.out" "$T/$1.err" || fail "$1: a secret access key appears in the output"
}

R="$T/layer"
export AWS_PROFILE=ci
run_capture good "$YUMDA" -c "$T/s3.conf" install -y --root "$R" greet
[ "$(rc_of good)" = 0 ] || fail "install from s3:// with AWS_PROFILE=ci failed: $(cat "$T/good.err")"
[ -x "$R/bin/greet" ] || fail "bin/greet not installed from s3://"
grep -q "greet-data" "$T/good.out" || fail "the dependency greet-data is not in the summary"
pass "install greet from s3://$BUCKET/$PREFIX with credentials from AWS_PROFILE=ci and s3_endpoint="

# Wrong credentials: a fresh cache, another layer that already holds greet.
before=$(snapshot "$R")
export AWS_PROFILE=wrong
run_capture bad "$YUMDA" -c "$T/s3.conf" --setopt cachedir="$T/cache-bad" install -y --root "$R" greet libgreet
[ "$(rc_of bad)" != 0 ] || fail "install with unknown credentials succeeded"
grep -q "403" "$T/bad.err" || fail "no 403 in the error: $(cat "$T/bad.err")"
grep -qi "credentials" "$T/bad.err" || fail "the 403 error does not say the credentials were refused: $(cat "$T/bad.err")"
[ "$(grep -c . "$T/bad.err")" = 1 ] || fail "the 403 error is not one line: $(cat "$T/bad.err")"
[ "$(snapshot "$R")" = "$before" ] || fail "a refused install changed the layer"
no_secret bad
pass "unknown access key -> $(cat "$T/bad.err")"

# Wrong credentials once the metadata is cached: the package download is refused.
cp -a "$XDG_CACHE_HOME/yumda" "$T/cache-warm"
run_capture badpkg "$YUMDA" -c "$T/s3.conf" --setopt cachedir="$T/cache-warm" --setopt metadata_expire=never \
  install -y --root "$T/layer-badpkg" greet
[ "$(rc_of badpkg)" != 0 ] || fail "package download with unknown credentials succeeded"
grep -q "403" "$T/badpkg.err" || fail "no 403 for the refused package download: $(cat "$T/badpkg.err")"
[ ! -e "$T/layer-badpkg/bin" ] || fail "a refused package download wrote into the layer"
no_secret badpkg
pass "refused package download -> $(head -n1 "$T/badpkg.err")"

# The endpoint from AWS_ENDPOINT_URL_S3 instead of s3_endpoint=, verbose and --json too.
export AWS_PROFILE=ci AWS_ENDPOINT_URL_S3="$EP"
write_conf "$T/s3-env.conf"
run_capture envep "$YUMDA" -c "$T/s3-env.conf" -v install -y --root "$T/layer-env" greet
[ "$(rc_of envep)" = 0 ] || fail "install with AWS_ENDPOINT_URL_S3 failed: $(cat "$T/envep.err")"
[ -x "$T/layer-env/bin/greet" ] || fail "bin/greet not installed with AWS_ENDPOINT_URL_S3"
pass "install greet with the endpoint from AWS_ENDPOINT_URL_S3"

export AWS_PROFILE=wrong
run_capture badjson "$YUMDA" -c "$T/s3-env.conf" --setopt cachedir="$T/cache-json" -v --json \
  install -y --root "$T/layer-json" greet
[ "$(rc_of badjson)" != 0 ] || fail "--json install with unknown credentials succeeded"
no_secret badjson
grep -q -e "$GOOD_SECRET" "$T/envep.out" "$T/envep.err" && fail "verbose output shows the secret key"
pass "no secret in verbose, error or --json output"
