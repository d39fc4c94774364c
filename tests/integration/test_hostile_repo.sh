#!/bin/bash
# A hostile repo's metadata (issue #14): hrefs off the repo's origin, records
# with no or weak checksums, and things without end (an endless repomd.xml,
# /dev/zero as primary, config or key) are refused in one line, nothing
# copied into the cache, no memory or disk exhausted.
. "$(dirname "$0")/lib.sh"
[ -n "${DEMO_REPO:-}" ] && [ -d "$DEMO_REPO" ] || skip "needs the demo repo"
C="$XDG_CACHE_HOME/yumda"
# refused NAME PATTERN CMD...: exit 1 (or 2 for config), one line on stderr matching PATTERN
refused() {
  name=$1 pattern=$2; shift 2
  run_capture "$name" "$@"
  case "$(rc_of "$name")" in 1|2) ;; *) fail "$name: exit $(rc_of "$name"): $(head -c 500 "$T/$name.err")";; esac
  [ "$(wc -l <"$T/$name.err")" = 1 ] || fail "$name: not one line: $(head -c 500 "$T/$name.err")"
  grep -q -- "$pattern" "$T/$name.err" || fail "$name: expected '$pattern': $(head -c 500 "$T/$name.err")"
}
# repo_with NAME SED-EXPR: a copy of the demo repo with repomd.xml edited
repo_with() { rm -rf "$T/$1"; cp -a "$DEMO_REPO" "$T/$1"; sed -i "$2" "$T/$1/repodata/repomd.xml"; }

# 1. A remote repomd.xml naming its primary at file:///…/secret: with its
# checksum kept (refused for the origin), and with no checksum and no size
# (main copied the secret into the cache).
echo "TOP-SECRET-$$" >"$T/secret"
HREF="0,/<location href=\"repodata\/[^\"]*-primary.xml.gz\"\/>/s||<location href=\"file:\/\/$T\/secret\"\/>|"
repo_with fileref "$HREF; /<data type=\"primary\">/,/<\/data>/{/<size>/d}"
serve "$T/fileref"
refused fileref "repomd.xml of repo web names primary at file://$T/secret, not on the repo's own origin http://127.0.0.1:" \
  y --repofrompath web,"$URL" list --available
kill "$SERVER_PID"; SERVER_PID=""
# A local path (no scheme) in a remote repo is a path on the server: not read
# locally, and the error names the repo and the URL tried.
repo_with localpath "0,/<location href=\"repodata\/[^\"]*-primary.xml.gz\"\/>/s||<location href=\"$T\/secret\"\/>|"
serve "$T/localpath"
refused localpath "cannot download secret of localweb from ${URL%/}$T/secret: HTTP 404" \
  y --repofrompath localweb,"$URL" list --available
kill "$SERVER_PID"; SERVER_PID=""
repo_with filerefnosum "$HREF; /<data type=\"primary\">/,/<\/data>/{/<size>/d; /<checksum /d}"
serve "$T/filerefnosum"
refused filerefnosum "lists primary (file://$T/secret) with no checksum" y --repofrompath web2,"$URL" list --available
! grep -rq "TOP-SECRET-$$" "$C" 2>/dev/null || fail "the secret was copied into the cache"
pass "a remote href to file:///…/secret is refused, nothing copied"
kill "$SERVER_PID"; SERVER_PID=""

# 2. Records with no checksum, md5/sha1, an unknown type (file://, no signature needed to be refused).
repo_with nosum '0,/<checksum type="sha256">[0-9a-f]*<\/checksum>/s///'
refused nosum "lists primary (.*) with no checksum" y --repofrompath l,file://"$T/nosum" list --available
repo_with md5 '0,/<checksum type="sha256">/s//<checksum type="md5">/'
refused md5 "with a md5 checksum, too weak to trust" y --repofrompath l,file://"$T/md5" list --available
repo_with sha1 '0,/<checksum type="sha256">/s//<checksum type="sha">/'
refused sha1 "with a sha checksum, too weak to trust" y --repofrompath l,file://"$T/sha1" list --available
repo_with unknown '0,/<checksum type="sha256">/s//<checksum type="whirlpool">/'
refused unknown "unknown checksum type 'whirlpool'" y --repofrompath l,file://"$T/unknown" list --available
pass "records with no checksum, md5, sha1 or an unknown type are refused"

# 3. Size caps.
# An endless repomd.xml body (no Content-Length): stopped at 16 MiB.
python3 -c 'import http.server,socketserver,sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Type","text/xml"); self.end_headers()
        chunk=b"<!--" + b"x"*65536
        try:
            while True: self.wfile.write(chunk)
        except Exception: pass
    def log_message(self,*a): pass
socketserver.TCPServer.allow_reuse_address=True
s=socketserver.ThreadingTCPServer(("127.0.0.1",0),H); print(s.server_address[1],flush=True); s.serve_forever()' >"$T/endless.port" &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$T/endless.port" ] && break; sleep 0.05; done
refused endless "repomd.xml of repo endless .*larger than 16 MiB, the most yumda accepts for it" \
  timeout 120 "$YUMDA" -c "$T/empty.conf" --setopt=retries=0 --repofrompath endless,"http://127.0.0.1:$(cat "$T/endless.port")" list --available
used=$(du -sk "$C" | cut -f1)
[ "$used" -lt 40000 ] || fail "the endless body left $used kB in the cache"
pass "an endless repomd.xml body stops at 16 MiB ($used kB in the cache after)"
kill "$SERVER_PID"; SERVER_PID=""

# primary href to /dev/zero on a file:// repo (relative, enough '..').
repo_with zero "0,/<location href=\"repodata\/[^\"]*-primary.xml.gz\"\/>/s||<location href=\"../../../../../../../../../../dev/zero\"/>|"
refused zero "is not a regular file of at most" timeout 60 "$YUMDA" -c "$T/empty.conf" --repofrompath z,file://"$T/zero" list --available
pass "a primary at /dev/zero is refused"

# -c /dev/zero and gpgkey=file:///dev/zero: a fixed cap, no std::bad_alloc.
refused confzero "larger than 16 MiB" timeout 60 "$YUMDA" -c /dev/zero repolist
printf '[main]\nreposdir=\ngpgcheck=1\n[k]\nname=k\nbaseurl=file://%s\ngpgkey=file:///dev/zero\n' "$DEMO_REPO" >"$T/zerokey.conf"
refused keyzero "gpgkey file:///dev/zero of repo k is larger than 16 MiB" \
  timeout 60 "$YUMDA" -c "$T/zerokey.conf" install -y --root "$T/kz" greet
pass "-c /dev/zero and gpgkey=file:///dev/zero end in one line, not bad_alloc"

# 4. An https repo redirecting to plain http: refused (sslverify=0 only
# because the test's certificate is self-signed; the scheme rule is separate).
if command -v openssl >/dev/null; then
  serve "$DEMO_REPO"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
  python3 -c 'import http.server,socketserver,ssl,sys
target=sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(302); self.send_header("Location", target + self.path); self.send_header("Content-Length","0"); self.end_headers()
    def log_message(self,*a): pass
s=socketserver.ThreadingTCPServer(("127.0.0.1",0),H)
c=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[2], sys.argv[3])
s.socket=c.wrap_socket(s.socket, server_side=True); print(s.server_address[1], flush=True); s.serve_forever()' \
    "$URL" "$T/cert.pem" "$T/key.pem" >"$T/tls.port" 2>"$T/tls.log" &
  TLS_PID=$!
  for _ in $(seq 1 100); do [ -s "$T/tls.port" ] && break; sleep 0.05; done
  refused downgrade "an https URL redirected to another scheme, which yumda refuses" \
    y --setopt=sslverify=0 --setopt=retries=0 --repofrompath tls,"https://127.0.0.1:$(cat "$T/tls.port")" list --available
  kill "$TLS_PID" 2>/dev/null || true
  pass "an https repo redirecting to http is refused"
else
  echo "SKIP (https downgrade): needs openssl"
fi

# 5. A password in a baseurl is not printed, on stderr or in --json.
printf '[main]\nreposdir=\ngpgcheck=0\n[pw]\nname=pw\nbaseurl=http://bob:hunter2-%s@127.0.0.1:9/repo\nretries=0\n' "$$" >"$T/pw.conf"
run_capture pw "$YUMDA" -c "$T/pw.conf" --json list --available
[ "$(rc_of pw)" = 1 ] || fail "pw: exit $(rc_of pw)"
! grep -q "hunter2" "$T/pw.err" "$T/pw.out" || fail "the password was printed: $(cat "$T/pw.err" "$T/pw.out")"
grep -q "http://bob:\*\*\*@127.0.0.1:9/repo" "$T/pw.err" || fail "pw: $(cat "$T/pw.err")"
run_capture pwl "$YUMDA" -c "$T/pw.conf" --json repolist
! grep -q "hunter2" "$T/pwl.out" "$T/pwl.err" || fail "repolist --json printed the password"
pass "a baseurl's password is redacted in errors, warnings and --json"
