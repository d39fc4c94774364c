#!/bin/bash
# The image as a drop-in for lambci/yumda (issue #15): built from
# docker/Dockerfile with buildah (no Docker engine or registry here: the
# Debian base comes from debootstrap), then used the ways the old image's
# users did: `yum list available`, `yum install -y PKG` into a layer mounted
# at /lambda/opt and zipped on the host, `bash` with yum and zip inside, and
# a %post scriptlet in a container that either runs or says why not.
# `buildah run` stands in for `docker run`: it runs the command given, so
# the image's entrypoint is called by name, as docker would.
. "$(dirname "$0")/lib.sh"
# Building the image from source takes minutes after every source change:
# .ci/run asks for it, a developer run only when asked.
[ "${YUMDA_DOCKER_TEST:-0}" = 1 ] || skip "builds the image from source (minutes): YUMDA_DOCKER_TEST=1 runs it, as .ci/run does"
[ "$(id -u)" = 0 ] || skip "buildah needs root here"
command -v buildah >/dev/null && command -v debootstrap >/dev/null ||
  skip "needs buildah and debootstrap (apt-get install -y buildah debootstrap; .ci/run installs them)"
command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null || skip "needs rpmbuild and createrepo_c"
[ -n "${DEMO_REPO:-}" ] && [ -d "$DEMO_REPO" ] || skip "needs the demo repo"

probe=$(buildah from scratch 2>"$T/probe.err") && buildah rm "$probe" >/dev/null ||
  skip "buildah cannot make a container here: $(head -1 "$T/probe.err")"
if ! buildah inspect --type image docker.io/library/debian:12-slim >/dev/null 2>&1 &&
   ! curl -fsS -o /dev/null --max-time 20 "${DEBIAN_MIRROR:-http://deb.debian.org/debian}/dists/bookworm/Release"; then
  skip "Debian's archive is unreachable, so debootstrap cannot make the image's base"
fi

IMG=localhost/yumda-test:latest
# The Debian base tarball outlives this test's scratch dir (the base image
# itself stays in buildah's store): a rebuild of the image reuses it.
# A fixed commit name: the image is rebuilt when the sources change, not on every commit.
YUMDA_GIT_COMMIT=test-image XDG_CACHE_HOME=${YUMDA_FIXTURE_CACHE:-$HOME/.cache} "$YUMDA_SOURCE_DIR/docker/build-image" "$IMG" >"$T/build.out" 2>"$T/build.err" ||
  fail "docker/build-image: $(tail -5 "$T/build.err")"
[ "$(buildah inspect --type image --format '{{.OCIv1.Config.Entrypoint}} {{.OCIv1.Config.Cmd}}' "$IMG")" = \
  "[yumda-entrypoint] [bash]" ] || fail "entrypoint/cmd: $(buildah inspect --type image --format '{{.OCIv1.Config.Entrypoint}} {{.OCIv1.Config.Cmd}}' "$IMG")"
pass "the image builds from docker/Dockerfile with buildah"

C=$(buildah from --pull-never "$IMG")
cleanup_container() { buildah rm "$C" >/dev/null 2>&1 || true; cleanup; }
trap cleanup_container EXIT
mkdir -p "$T/layer"
# docker run --rm -v LAYER:/lambda/opt -v REPO:/repo IMAGE ARGS...
drun() {
  buildah run --isolation chroot -v "$T/layer:/lambda/opt" -v "$DEMO_REPO:/repo:ro" -v "$T/srepo:/srepo:ro" \
    "$C" -- yumda-entrypoint "$@"
}
REPO=(--repofrompath demo,file:///repo --repo demo --nogpgcheck)

# Scriptlets: a package with a %post that writes into the layer.
mkdir -p "$T/srepo"
{ echo "Name: withpost"; echo "Version: 1.0"; echo "Release: 1"; echo "Summary: s"; echo "License: MIT"
  echo "BuildArch: noarch"; echo "AutoReqProv: no"
  printf '%%description\ns\n%%install\nmkdir -p %%{buildroot}/opt/share/withpost\necho f > %%{buildroot}/opt/share/withpost/f\n'
  printf '%%post\necho ran > /opt/share/withpost/post-ran\n%%files\n/opt/share/withpost/f\n'; } >"$T/withpost.spec"
rpmbuild -bb --quiet --define "_topdir $T/top" --define "_rpmdir $T/srepo" "$T/withpost.spec" >/dev/null 2>&1 || fail "rpmbuild"
createrepo_c --quiet "$T/srepo"

# 1. docker run --rm IMAGE yum list available
run_capture list drun yum "${REPO[@]}" list available
[ "$(rc_of list)" = 0 ] || fail "yum list available: $(cat "$T/list.err")"
grep -q '^greet\.x86_64 .*demo' "$T/list.out" || fail "yum list available: $(cat "$T/list.out")"
pass "yum list available lists the repo's packages"

# 2. docker run --rm -v layer:/lambda/opt IMAGE yum install -y greet; then zip on the host.
run_capture inst drun yum "${REPO[@]}" install -y greet
[ "$(rc_of inst)" = 0 ] || fail "yum install: $(cat "$T/inst.err")"
[ -x "$T/layer/bin/greet" ] || fail "greet not in the mounted layer: $(ls -R "$T/layer")"
(cd "$T/layer" && zip -qyr "$T/layer.zip" . -x '.yumda/*')
unzip -l "$T/layer.zip" | grep -q ' bin/greet$' || fail "bin/greet not in the host's zip"
! unzip -l "$T/layer.zip" | grep -q '\.yumda' || fail ".yumda/ in a zip made as the image's docs say"
pass "yum install -y greet fills the layer mounted at /lambda/opt; zipped on the host without .yumda/"

# 3. yumda verbs as the first argument, as when yumda was the entrypoint:
# `install` (coreutils has one too) and `list` go to yumda.
run_capture verb drun install "${REPO[@]}" --root /lambda/opt -y greet-data
[ "$(rc_of verb)" = 0 ] || fail "IMAGE install: $(cat "$T/verb.out" "$T/verb.err")"
run_capture verbl drun list --installed --root /lambda/opt
[ "$(rc_of verbl)" = 0 ] && grep -q '^greet' "$T/verbl.out" || fail "IMAGE list --installed: $(cat "$T/verbl.out" "$T/verbl.err")"
pass "a yumda verb as the first argument goes to yumda (install, list)"

# 4. docker run -it IMAGE bash: yum and zip inside.
run_capture shell drun bash -c "yum ${REPO[*]} remove -y greet >/dev/null && yum ${REPO[*]} install -y greet >/dev/null &&
  cd /lambda/opt && zip -qyr /tmp/in.zip . -x '.yumda/*' && unzip -l /tmp/in.zip"
[ "$(rc_of shell)" = 0 ] || fail "bash in the image: $(cat "$T/shell.err")"
grep -q ' bin/greet$' "$T/shell.out" || fail "zip inside the image: $(cat "$T/shell.out")"
pass "bash in the image runs yum and zip"

# 5. A %post scriptlet in the container: it runs, or stderr says why not.
run_capture post drun yum --repofrompath s,file:///srepo --repo s --nogpgcheck install -y withpost
[ "$(rc_of post)" = 0 ] || fail "install withpost: $(cat "$T/post.err")"
if [ -f "$T/layer/share/withpost/post-ran" ]; then
  pass "a %post scriptlet runs in the container"
else
  grep -q "withpost-1.0-1.noarch" "$T/post.err" && grep -qi "scriptlet" "$T/post.err" ||
    fail "the %post neither ran nor was reported on stderr: $(cat "$T/post.err")"
  pass "a %post scriptlet that cannot run in the container is reported: $(grep -i scriptlet "$T/post.err" | head -1)"
fi
