#!/bin/sh
# tests/run-vm-lane.sh: the cgroup v2 lane of `make check`.
#
# Our build machines are cgroup v1 hybrid; this boots a pure cgroup v2 VM
# (tests/vm/run-vm.sh) and runs in it:
#   1. tests/vm/smoke.sh: the VM itself is fit (v2 controllers limit, OOM
#      kill, cgroup.kill, useradd/su/setuid);
#   2. tests/run-root.sh with ISO_LANE=v2, if that file exists (built
#      binaries come from the host's build/: run `make tests` first).
# Each runs in a fresh VM, so the root tests start from a clean system.
#
# Without qemu-system-x86_64, a static busybox or a kernel for the VM the
# lane is skipped (exit 0), except under CI=true, where a skip fails it.
# VM_TIMEOUT (default 300 s) bounds each VM; the whole lane should stay
# under ~5 minutes under emulation.
set -eu

cd "$(dirname "$0")/.."
t0=$(date +%s)

skip() {
    if [ "${CI:-}" = true ]; then
        echo "vm-lane: FAIL: cannot run the VM lane under CI=true: $*" >&2
        exit 1
    fi
    echo "vm-lane: SKIP: $*" >&2
    exit 0
}

command -v qemu-system-x86_64 >/dev/null ||
    skip "qemu-system-x86_64 not found (make deps, or apt-get install qemu-system-x86)"
static_busybox() { bb=$(command -v busybox) && ! ldd "$bb" >/dev/null 2>&1; }
static_busybox || skip "no static busybox (apt-get install busybox-static)"
tests/vm/run-vm.sh --prepare ||
    skip "no kernel for the VM (apt-get download linux-image-amd64 failed?)"

export VM_TIMEOUT="${VM_TIMEOUT:-300}" VM_TIMING=1
status=0 summary=""

lane() { # lane NAME CMD...: run CMD in a fresh VM, note its result
    name=$1; shift
    echo "vm-lane: == $name: $*"
    s=$(date +%s)
    if tests/vm/run-vm.sh "$@"; then r=PASS; else r="FAIL (status $?)"; status=1; fi
    summary="$summary $name $r ($(($(date +%s) - s)) s);"
}

lane smoke sh tests/vm/smoke.sh
if [ -f tests/run-root.sh ]; then
    lane root-v2 env ISO_LANE=v2 sh tests/run-root.sh
else
    summary="$summary root-v2 not present (tests/run-root.sh);"
fi

echo "vm-lane:$summary wall $(($(date +%s) - t0)) s"
exit "$status"
