#!/bin/bash
# The AL2023 repositories as cdn.amazonlinux.com serves them, on 127.0.0.1:
#   /al2023/core/mirrors/<releasever>/<arch>/mirror.list  -> one URL, .../core/guids/<GUID>/<arch>/
#   /al2023/core/guids/<GUID>/<arch>/repodata/             primary.xml hrefs ../../../../blobstore/<sha256>/<nevra>.rpm
#   /al2023/blobstore/<sha256>/<nevra>.rpm                 signed packages
# used through the built-in al2023 profile's amazonlinux repo (mirrorlist and
# gpgkey pointed here with --setopt): `yumda runtimes` and --arch names;
# installs for x86_64 and arm64; the lock (install --lockfile, yumda build)
# records the GUID URL and replays it after "latest" moved; --releasever pins
# a release; repo_gpgcheck; check per arch; two blobs with one base name;
# stock /usr packages relocated and run from /opt; hrefs leaving a file://
# repo or climbing above the host root refused; real arm64 jq under qemu.
. "$(dirname "$0")/lib.sh"
command -v gpg >/dev/null && command -v rpmsign >/dev/null || skip "needs gpg and rpmsign"

mkdir -p "$T/gnupg" && chmod 700 "$T/gnupg"
GNUPGHOME="$T/gnupg" gpg --batch --quiet --passphrase '' --quick-gen-key "al2023 test <al2023@yumda.test>" rsa2048 sign never 2>/dev/null
GNUPGHOME="$T/gnupg" gpg --batch --armor --export al2023@yumda.test >"$T/key.asc"
sign() { GNUPGHOME="$T/gnupg" rpmsign --addsign --define "__gpg $(command -v gpg)" --define "_gpg_name al2023@yumda.test" "$@" >/dev/null 2>&1; }

# Packages: the demo's (x86_64 greet, libgreet; noarch greet-data), greet-data
# once more at a newer release, and an aarch64 package built here.
mkdir -p "$T/rpms" && cp "$DEMO_REPO"/packages/*.rpm "$T/rpms/"
rpmb() {  # SPEC [RPMBUILD ARGS...]
  spec=$1; shift
  SOURCE_DATE_EPOCH=1700000001 rpmbuild -bb --quiet --nodeps "$@" --define "_topdir $T/top" --define "_rpmdir $T/rpms" \
    --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' --define '_build_id_links none' \
    "$spec" >"$T/rpmbuild.log" 2>&1 || { cat "$T/rpmbuild.log"; fail "rpmbuild $spec"; }
}
sed 's/^Release:.*/Release:        4.demo/' "$YUMDA_SOURCE_DIR/demo/specs/greet-data.spec" >"$T/greet-data-4.spec"
rpmb "$T/greet-data-4.spec"
cat >"$T/hello-arm.spec" <<'SPEC'
Name:           hello-arm
Version:        1.0
Release:        1
Summary:        A script packaged for aarch64
License:        MIT
%description
Says hello.
%install
mkdir -p %{buildroot}/opt/bin
printf '#!/bin/sh\necho hello from arm64\n' > %{buildroot}/opt/bin/hello-arm
chmod 755 %{buildroot}/opt/bin/hello-arm
%files
/opt/bin/hello-arm
SPEC
rpmb "$T/hello-arm.spec" --target aarch64 --define '_binary_payload w19.zstdio'  # zstd, as Fedora-derived AL2023
[ -f "$T/rpms/hello-arm-1.0-1.aarch64.rpm" ] || fail "no aarch64 rpm built: $(ls "$T/rpms")"
[ "$(rpm -qp --qf '%{PAYLOADCOMPRESSOR}' "$T/rpms/hello-arm-1.0-1.aarch64.rpm")" = zstd ] || fail "hello-arm is not zstd"
sign "$T"/rpms/*.rpm || fail "rpmsign failed"

# 0. The profiles, and the names --arch takes.
run_capture rt "$YUMDA" -c '<built-in>' runtimes --json
python3 - "$T/rt.out" <<'PY' || fail "runtimes --json: $(cat "$T/rt.out")"
import json, sys
p = {r["id"]: r for r in json.load(open(sys.argv[1]))["runtimes"]}
assert sorted(p) == ["al1", "al2", "al2023"], p.keys()
a = p["al2023"]
assert a["default"] and a["selected"] and a["architectures"] == ["x86_64", "aarch64"], a
assert "provided.al2023" in a["lambda_runtimes"] and a["releasever"] == "latest" and a["baseline"] == "al2023", a
assert a["repos"] == [{"id": "amazonlinux", "baseurl": [],
                       "mirrorlist": "https://cdn.amazonlinux.com/al2023/core/mirrors/latest/x86_64/mirror.list"}], a
assert p["al2"]["repos"][0]["baseurl"] == ["https://rpm.lambci.org/lambda2/RPMS"] and "provided.al2" in p["al2"]["lambda_runtimes"]
assert p["al1"]["architectures"] == ["x86_64"]
PY
"$YUMDA" -c '<built-in>' runtimes | grep -q '^\* al2023 - Amazon Linux 2023 (default)$' || fail "runtimes text"
run_capture badarch "$YUMDA" -c '<built-in>' --arch sparc repolist
[ "$(rc_of badarch)" = 2 ] && [ "$(cat "$T/badarch.err")" = "error: --arch: arch: unknown architecture 'sparc' (use x86_64 or aarch64; amd64 and arm64 mean the same)" ] ||
  fail "--arch sparc: exit $(rc_of badarch), $(cat "$T/badarch.err")"
"$YUMDA" -c '<built-in>' --runtime al2 repolist | grep -q '^lambda2 ' || fail "--runtime al2 repolist"
pass "runtimes lists al1, al2, al2023 (default); --arch sparc -> $(cat "$T/badarch.err")"

CDN="$T/cdn/al2023"
# publish GUID ARCH PREFIX RPM[=NAME]...: the blobstore gets each RPM under
# its sha256 (as NAME when given); the GUID dir gets repodata whose hrefs are
# PREFIX<sha256>/<file>.
publish() {
  guid=$1 arch=$2 prefix=$3; shift 3
  stage="$T/stage-$guid-$arch"
  for f; do
    name=${f#*=}; [ "$name" != "$f" ] || name=$(basename "$f")
    f=${f%%=*}
    sha=$(sha256sum <"$f" | cut -c1-64)
    mkdir -p "$stage/$sha" "$CDN/blobstore/$sha"
    cp "$f" "$stage/$sha/$name" && cp "$f" "$CDN/blobstore/$sha/$name"
  done
  mkdir -p "$CDN/core/guids/$guid/$arch"
  createrepo_c --quiet --no-database --simple-md-filenames --location-prefix "$prefix" \
    --outputdir "$CDN/core/guids/$guid/$arch" "$stage"
}
mirror() {  # RELEASEVER ARCH GUID: what mirror.list answers
  mkdir -p "$CDN/core/mirrors/$1/$2"
  echo "$URL/al2023/core/guids/$3/$2/" >"$CDN/core/mirrors/$1/$2/mirror.list"
}
BLOB=../../../../blobstore/
G1=6b3c1c8e-0f3e-4d6a-9d7c-1a2b3c4d5e01 G2=6b3c1c8e-0f3e-4d6a-9d7c-1a2b3c4d5e02
GA=6b3c1c8e-0f3e-4d6a-9d7c-1a2b3c4d5ea1 GBAD=6b3c1c8e-0f3e-4d6a-9d7c-1a2b3c4d5ebd
R=$T/rpms
publish $G1 x86_64 $BLOB "$R"/greet-1*.rpm "$R"/libgreet-*.rpm "$R"/greet-data-1.0-3.demo.noarch.rpm
publish $G2 x86_64 $BLOB "$R"/greet-1*.rpm "$R"/libgreet-*.rpm "$R"/greet-data-1.0-4.demo.noarch.rpm
publish $GA aarch64 $BLOB "$R"/hello-arm-*.rpm "$R"/greet-data-1.0-3.demo.noarch.rpm
publish $GBAD x86_64 ../../../../../../../blobstore/ "$R"/greet-data-1.0-3.demo.noarch.rpm
zcat "$CDN/core/guids/$G1/x86_64/repodata/primary.xml.gz" | grep -q "<location href=\"../../../../blobstore/[0-9a-f]\{64\}/greet-data-1.0-3.demo.noarch.rpm\"/>" ||
  fail "primary.xml does not have blobstore hrefs"

serve "$T/cdn"
mirror latest x86_64 $G1
mirror 2023.12.20260831 x86_64 $G1
mirror latest aarch64 $GA

# The built-in config (runtime al2023 by default), its amazonlinux repo pointed here.
yal() {
  "$YUMDA" -c '<built-in>' --runtime al2023 \
    --setopt=amazonlinux.mirrorlist="$URL/al2023/core/mirrors/\$releasever/\$basearch/mirror.list" \
    --setopt=amazonlinux.gpgkey="file://$T/key.asc" --setopt=amazonlinux.metadata_expire=0 "$@"
}
record() {  # LAYER -> "name-version-release.arch@repo" lines of .yumda/installed.json
  python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]+"/.yumda/installed.json"))["packages"]:
    print("%s-%s-%s.%s@%s" % (p["name"], p["version"], p["release"], p["arch"], p["repo_id"]))' "$1" | sort
}

# 1. x86_64 from "latest": mirror.list -> GUID dir -> blobstore, signatures checked.
run_capture x86 yal install -y --root "$T/l1" --lockfile "$T/l1.lock" --setopt=keepcache=1 greet
[ "$(rc_of x86)" = 0 ] || fail "install from the CDN layout failed: $(cat "$T/x86.err")"
record "$T/l1" >"$T/l1.rec"
grep -q '^greet-data-1.0-3.demo.noarch@amazonlinux$' "$T/l1.rec" && grep -q '^greet-1.2.0-1.demo.x86_64@amazonlinux$' "$T/l1.rec" &&
  grep -q '^libgreet-' "$T/l1.rec" || fail "layer record: $(cat "$T/l1.rec")"
pass "install greet from mirror.list -> guids/$G1 -> blobstore: $(tr '\n' ' ' <"$T/l1.rec")"

# The cache's package names are the hrefs' base names: no blobstore/<sha256> dirs.
ls -R "$XDG_CACHE_HOME/yumda/packages" >"$T/cache.ls"
grep -q '^greet-data-1.0-3.demo.noarch.rpm$' "$T/cache.ls" || fail "cache: $(cat "$T/cache.ls")"
[ "$(find "$XDG_CACHE_HOME/yumda/packages" -mindepth 2 -type d | wc -l)" = 0 ] || fail "cache has href dirs: $(cat "$T/cache.ls")"
pass "cached as packages/amazonlinux/<base name>"

# 2. The lock records the GUID URL the mirror list gave.
python3 - "$T/l1.lock" "$URL/al2023/core/guids/$G1/x86_64/" <<'PY' || fail "lock: $(cat "$T/l1.lock")"
import json, sys
lock = json.load(open(sys.argv[1]))
repo = [r for r in lock["repos"] if r["id"] == "amazonlinux"][0]
assert repo["resolved_baseurl"] == sys.argv[2], repo
assert repo["mirrorlist"].endswith("/al2023/core/mirrors/latest/x86_64/mirror.list"), repo
assert all(p["location"].startswith("../../../../blobstore/") for p in lock["packages"]), lock["packages"]
PY
pass "lock records resolved_baseurl $URL/al2023/core/guids/$G1/x86_64/"

# 3. "latest" moves to a new release: the lock replays the old one, a plain
# install takes the new one, and --releasever pins the old one by name.
mirror latest x86_64 $G2
run_capture locked yal install -y --root "$T/l2" --locked "$T/l1.lock"
[ "$(rc_of locked)" = 0 ] || fail "install --locked after latest moved: $(cat "$T/locked.err")"
grep -q '^greet-data-1.0-3.demo.noarch@' <(record "$T/l2") || fail "locked install: $(record "$T/l2")"
run_capture latest yal install -y --root "$T/l3" greet
[ "$(rc_of latest)" = 0 ] && grep -q '^greet-data-1.0-4.demo.noarch@' <(record "$T/l3") || fail "latest: $(cat "$T/latest.err")"
run_capture pinned yal --releasever 2023.12.20260831 install -y --root "$T/l4" greet
[ "$(rc_of pinned)" = 0 ] && grep -q '^greet-data-1.0-3.demo.noarch@' <(record "$T/l4") || fail "releasever: $(cat "$T/pinned.err")"
pass "latest -> $G2 gives greet-data 1.0-4; the lock and --releasever 2023.12.20260831 give 1.0-3 from $G1"

# 3b. yumda build: the first build's lock records the GUID URL; after latest
# moved, a build with that lock gives the same zip, from the old release.
mirror latest x86_64 $G1
mkdir -p "$T/proj" && printf 'packages = ["greet"]\nruntime = "al2023"\noutput = "layer.zip"\n' >"$T/proj/yumda.toml"
run_capture b1 yal build -f "$T/proj/yumda.toml"
[ "$(rc_of b1)" = 0 ] && grep -q "\"resolved_baseurl\": \"$URL/al2023/core/guids/$G1/x86_64/\"" "$T/proj/yumda.lock" ||
  fail "build: $(cat "$T/b1.err") $(cat "$T/proj/yumda.lock" 2>/dev/null)"
mv "$T/proj/layer.zip" "$T/first.zip"
mirror latest x86_64 $G2
run_capture b2 yal build -f "$T/proj/yumda.toml"
[ "$(rc_of b2)" = 0 ] && grep -q "exactly as locked" "$T/b2.out" || fail "locked build after latest moved: $(cat "$T/b2.err")"
cmp -s "$T/first.zip" "$T/proj/layer.zip" || fail "the locked build gave another zip"
pass "yumda build: lock pins guids/$G1; rebuilt after latest moved: the same zip"

# 3c. A file:// copy of the GUID dir: its hrefs leave the repo's tree, refused.
run_capture filerepo yal --setopt=amazonlinux.mirrorlist= --setopt=amazonlinux.baseurl="file://$CDN/core/guids/$G1/x86_64/" \
  install -y --root "$T/lf" greet-data
[ "$(rc_of filerepo)" = 1 ] && grep -q "location '../../../../blobstore/.*' leaves the repo's directory $CDN/core/guids/$G1/x86_64" "$T/filerepo.err" ||
  fail "file:// repo with hrefs out of its tree: $(cat "$T/filerepo.err")"
pass "file:// repo, href out of its tree -> $(cat "$T/filerepo.err")"

# 4. arm64: --arch arm64 reads the aarch64 mirror list and GUID dir.
run_capture arm yal --arch arm64 install -y --root "$T/la" hello-arm greet-data
[ "$(rc_of arm)" = 0 ] && [ -x "$T/la/bin/hello-arm" ] || fail "arm64 install: $(cat "$T/arm.err")"
record "$T/la" >"$T/la.rec"
grep -q '^hello-arm-1.0-1.aarch64@amazonlinux$' "$T/la.rec" || fail "arm64 record: $(cat "$T/la.rec")"
grep -q "core/mirrors/latest/aarch64/mirror.list" "$T/server.log" 2>/dev/null ||
  grep -rq "guids/$GA/aarch64" "$XDG_CACHE_HOME/yumda/repos" || fail "arm64 install did not use the aarch64 mirror list"
run_capture armx yal --arch aarch64 install -y --root "$T/lax" greet
[ "$(rc_of armx)" = 1 ] || fail "an x86_64-only package installed for aarch64: $(cat "$T/armx.out")"
pass "--arch arm64: $(tr '\n' ' ' <"$T/la.rec"); x86_64-only greet is not offered"

# 5. yumda check knows the layer's arch and that arch's file list.
run_capture chk yal check --root "$T/l1"
[ "$(rc_of chk)" = 0 ] || fail "check x86_64 layer: $(cat "$T/chk.out")"
run_capture chka yal --arch arm64 check --root "$T/la"
[ "$(rc_of chka)" = 0 ] || fail "check arm64 layer: $(cat "$T/chka.out")"
run_capture chkw yal --arch arm64 check --root "$T/l1"
[ "$(rc_of chkw)" = 1 ] && grep -q "bin/greet is built for another architecture" "$T/chkw.out" ||
  fail "check --arch arm64 of an x86_64 layer: $(cat "$T/chkw.out")"
pass "check: x86_64 and arm64 layers pass; x86_64 binaries fail against arm64 ($(tail -n1 "$T/chkw.out"))"

# 5b. repo_gpgcheck=1 against repodata/repomd.xml.asc (AL2023 signs it since
# 2023.11.20260406): a signed GUID dir installs, an unsigned one is refused.
GNUPGHOME="$T/gnupg" gpg --batch --quiet --armor --detach-sign --local-user al2023@yumda.test \
  -o "$CDN/core/guids/$G1/x86_64/repodata/repomd.xml.asc" "$CDN/core/guids/$G1/x86_64/repodata/repomd.xml"
mirror latest x86_64 $G1
run_capture rgpg yal --setopt=amazonlinux.repo_gpgcheck=1 install -y --root "$T/lg" greet
[ "$(rc_of rgpg)" = 0 ] || fail "repo_gpgcheck=1 on a signed repomd.xml: $(cat "$T/rgpg.err")"
mirror latest x86_64 $G2
run_capture rgpg2 yal --setopt=amazonlinux.repo_gpgcheck=1 install -y --root "$T/lg2" greet
# skip_if_unavailable=True (AL2023's setting): the repo is skipped, so nothing installs.
[ "$(rc_of rgpg2)" = 1 ] && [ ! -e "$T/lg2/bin" ] &&
  grep -q "cannot check the signature of repomd.xml of repo amazonlinux: .*skipping repo amazonlinux" "$T/rgpg2.err" ||
  fail "repo_gpgcheck=1 on an unsigned repomd.xml: exit $(rc_of rgpg2): $(cat "$T/rgpg2.err")"
pass "repo_gpgcheck=1: signed repomd.xml installs; unsigned -> the repo is skipped, nothing installed"

# 6. Two blobs with one base name (the blobstore tells them apart by digest):
# one download each, to files of their own; and a cached file of that name is
# used only when its checksum is the package's.
GS=6b3c1c8e-0f3e-4d6a-9d7c-1a2b3c4d5e55 GS2=6b3c1c8e-0f3e-4d6a-9d7c-1a2b3c4d5e56
publish $GS x86_64 $BLOB "$(echo "$R"/greet-1*.rpm)=same.rpm" "$(echo "$R"/libgreet-*.rpm)=same.rpm" "$R"/greet-data-1.0-3.demo.noarch.rpm
publish $GS2 x86_64 $BLOB "$R/greet-data-1.0-4.demo.noarch.rpm=same.rpm"
rm -rf "$XDG_CACHE_HOME/yumda/packages"
mirror latest x86_64 $GS
run_capture same yal install -y --root "$T/ls" --setopt=keepcache=1 greet
[ "$(rc_of same)" = 0 ] || fail "two packages with one base name: $(cat "$T/same.err")"
grep -q '^greet-1.2.0' <(record "$T/ls") && grep -q '^libgreet-' <(record "$T/ls") || fail "same-name record: $(record "$T/ls")"
ls "$XDG_CACHE_HOME/yumda/packages/amazonlinux" >"$T/same.ls"
grep -q '^same.rpm$' "$T/same.ls" && grep -q '^[0-9a-f]\{16\}-same.rpm$' "$T/same.ls" || fail "cache: $(cat "$T/same.ls")"
mirror latest x86_64 $GS2
run_capture same2 yal install -y --root "$T/ls2" --setopt=keepcache=1 greet-data
[ "$(rc_of same2)" = 0 ] && grep -q '^greet-data-1.0-4.demo.noarch@' <(record "$T/ls2") ||
  fail "a cached same.rpm of another package was used: $(cat "$T/same2.err") $(record "$T/ls2")"
pass "two blobs named same.rpm in one install, then a third: cache $(tr '\n' ' ' <"$T/same.ls")"

# 7. Stock /usr packages, AL2023's kind, from the CDN layout: relocated into
# the layer (the al2023 profile's relocate=auto), zipped, checked, and run
# from /opt in a root that holds only a C library.
"$YUMDA_SOURCE_DIR/demo/make-demo-repo" --stock "$T/stock" >/dev/null || fail "make-demo-repo --stock"
sign "$T"/stock/packages/*.rpm || fail "rpmsign stock"
GST=6b3c1c8e-0f3e-4d6a-9d7c-1a2b3c4d5e77
publish $GST x86_64 $BLOB "$T"/stock/packages/*.rpm
mirror latest x86_64 $GST
run_capture motd yal install -y --root "$T/lm" motd
[ "$(rc_of motd)" = 0 ] && [ -x "$T/lm/bin/motd" ] || fail "stock motd from the CDN layout: $(cat "$T/motd.err")"
run_capture motdchk yal check --root "$T/lm"
[ "$(rc_of motdchk)" = 0 ] || fail "check of the relocated layer: $(cat "$T/motdchk.out")"
yal zip -q --root "$T/lm" -o "$T/motd.zip" && mkdir "$T/motd-layer" && (cd "$T/motd-layer" && unzip -q "$T/motd.zip")
if can_chroot; then
  make_runtime_root "$T/rootfs" libc6
  out=$(in_lambda "$T/rootfs" "$T/motd-layer" /opt/bin/motd tester 2>&1) || fail "motd did not run from /opt: $out"
  case $out in *tester*) ;; *) fail "motd printed: $out" ;; esac
  pass "stock motd: relocated, check passes, runs from /opt in a libc-only root: $out"
else
  pass "stock motd: relocated, check passes (not run: needs root and unshare)"
fi

# 8. A href that climbs above the host root is refused, naming package and repo.
mirror latest x86_64 $GBAD
run_capture bad yal install -y --root "$T/lb" greet-data
[ "$(rc_of bad)" = 1 ] || fail "a href above the host root exited $(rc_of bad)"
grep -q "package greet-data-1.0-3.demo.noarch of repo amazonlinux: location '../../../../../../../blobstore/.*' climbs above the root of $URL/" "$T/bad.err" ||
  fail "refusal message: $(cat "$T/bad.err")"
[ ! -e "$T/lb/opt" ] && [ ! -e "$T/lb/share" ] || fail "a refused install wrote into the layer"
pass "href above the host root -> $(cat "$T/bad.err")"

# 9. arm64 for real: Debian's arm64 jq, made stock aarch64 RPMs by
# ../shared/fixtures/make-opt-repo (the fixture test_relocate_real uses),
# signed and published the CDN way, installed with --arch arm64, relocated,
# checked, zipped, and run under qemu-user in a root holding only an arm64 C
# library. The fixture's RPMs require Debian package names (libc6 >= 2.17),
# so the package set is al2023's plus the fixture's base names, as a
# --baseline file with al2023's arm64 file list beside it.
SHARED=${YUMDA_SHARED:-$YUMDA_SOURCE_DIR/../shared}
FXA=${YUMDA_FIXTURE_CACHE:-$HOME/.cache/yumda-fixtures/repos}/stock-tools-arm64
if [ ! -x "$SHARED/fixtures/make-opt-repo" ] || [ ! -r /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || ! can_chroot; then
  pass "arm64 jq under qemu: not run (needs ../shared/fixtures, qemu-aarch64 in binfmt_misc, root)"
  exit 0
fi
if [ ! -f "$FXA/repo/repodata/repomd.xml" ]; then
  mkdir -p "$FXA"
  [ -n "$(ls /var/lib/apt/lists/*Packages 2>/dev/null)" ] || apt-get update -qq
  "$SHARED/fixtures/make-opt-repo" --layout stock --out "$FXA/repo" --base-list "$FXA/base.txt" --packages jq file --arch arm64 \
    >"$FXA/build.log" 2>&1 || { tail -20 "$FXA/build.log"; fail "make-opt-repo --arch arm64 failed"; }
fi
mkdir -p "$T/arm-rpms" && cp "$FXA"/repo/packages/*.rpm "$T/arm-rpms/" && sign "$T"/arm-rpms/*.rpm || fail "rpmsign arm64"
GA2=6b3c1c8e-0f3e-4d6a-9d7c-1a2b3c4d5ea2
publish $GA2 aarch64 $BLOB "$T"/arm-rpms/*.rpm
mirror latest aarch64 $GA2
cat "$YUMDA_SOURCE_DIR/repo-config/baseline/al2023.txt" "$FXA/base.txt" >"$T/rt.txt"
cp "$YUMDA_SOURCE_DIR/repo-config/baseline/al2023.files.aarch64.txt" "$T/rt.files.aarch64.txt"
ya() { yal --arch arm64 --baseline "$T/rt.txt" "$@"; }
run_capture jq ya install -y --root "$T/lj" jq
[ "$(rc_of jq)" = 0 ] && [ -x "$T/lj/bin/jq" ] || fail "arm64 jq from the CDN layout: $(cat "$T/jq.err")"
record "$T/lj" >"$T/lj.rec"
grep -q '^jq-.*\.aarch64@amazonlinux$' "$T/lj.rec" && grep -q '^libonig5-' "$T/lj.rec" || fail "arm64 jq record: $(cat "$T/lj.rec")"
grep -q '^libc6-' "$T/lj.rec" && fail "libc6 went into the layer"
run_capture jqchk ya check --root "$T/lj"
# No warnings: libc.so.6 and libm.so.6 were found in rt.files.aarch64.txt
# (without a file list they are warnings: "the runtime could not be checked").
[ "$(rc_of jqchk)" = 0 ] && grep -q ": 0 error(s), 0 warning(s) against baseline $T/rt.txt (aarch64)$" "$T/jqchk.out" ||
  fail "check --arch arm64 of the jq layer: $(cat "$T/jqchk.out")"
yal zip -q --root "$T/lj" -o "$T/jq.zip" && mkdir "$T/jq-layer" && (cd "$T/jq-layer" && unzip -q "$T/jq.zip")
mkdir -p "$T/rootfs-arm64/tmp" "$T/rootfs-arm64/opt"
deb=$(ls "$HOME"/.cache/yumda-fixtures/libc6_*_arm64.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no arm64 libc6 .deb in ~/.cache/yumda-fixtures for the runtime root"
dpkg-deb -x "$deb" "$T/rootfs-arm64"
echo '{"runtime":"provided.al2023","arch":"arm64"}' >"$T/rootfs-arm64/tmp/in.json"
out=$(in_lambda "$T/rootfs-arm64" "$T/jq-layer" /opt/bin/jq -r '.runtime + " on " + .arch' /tmp/in.json 2>&1) || fail "arm64 jq did not run: $out"
[ "$out" = "provided.al2023 on arm64" ] || fail "arm64 jq said: $out"
pass "arm64 jq: $(tr '\n' ' ' <"$T/lj.rec")- check passes, runs under qemu from /opt: $out"
