#!/bin/bash
# The zipped demo layer, unzipped and mounted at /opt in a root that holds only
# the runtime's C library, runs its tool, as it would on Lambda.
. "$(dirname "$0")/lib.sh"
can_chroot || { echo "skipped: needs root and mount namespaces"; exit 0; }
R="$T/layer"
y --repofrompath demo,file://"$DEMO_REPO" install -y -q --root "$R" greet >/dev/null
y zip -q --root "$R" -o "$T/layer.zip"
mkdir "$T/unz" && (cd "$T/unz" && unzip -q "$T/layer.zip")
make_runtime_root "$T/rootfs" libc6
out=$(in_lambda "$T/rootfs" "$T/unz" /opt/bin/hello lambda)
echo "$out"
echo "$out" | grep -q "Hello, lambda, from a Lambda layer!" || fail "greet did not run from the layer"
echo "$out" | grep -q "came from /opt/share/greet/message.txt" || fail "greet did not read its data file"
# The same binary without the layer's /opt/lib cannot run: the test can fail.
if in_lambda "$T/rootfs" "$T/rootfs/tmp" /bin/true 2>/dev/null; then fail "runtime root unexpectedly has /bin/true"; fi
pass "layer runs in a runtime-only root"
