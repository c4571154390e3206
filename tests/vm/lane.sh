# shellcheck shell=sh
# Shared by tests/run-vm-lane.sh and tests/run-systemd-lane.sh (POSIX sh,
# like them): what a lane needs before it can boot tests/vm/run-vm.sh.
# Source it from the top of the tree after setting LANE (the prefix of
# every message, e.g. vm-lane) and LANE_WHAT (e.g. "the VM lane").

# lane_skip WHY: the lane cannot run here: a skip (exit 0), except under
# CI=true, where a skip fails the lane.
lane_skip() {
    if [ "${CI:-}" = true ]; then
        echo "$LANE: FAIL: cannot run $LANE_WHAT under CI=true: $*" >&2
        exit 1
    fi
    echo "$LANE: SKIP: $*" >&2
    exit 0
}

# lane_need_vm: qemu, a static busybox and a kernel for the VM, or skip.
lane_need_vm() {
    command -v qemu-system-x86_64 >/dev/null ||
        lane_skip "qemu-system-x86_64 not found (make deps, or apt-get install qemu-system-x86)"
    bb=$(command -v busybox) && ! ldd "$bb" >/dev/null 2>&1 ||
        lane_skip "no static busybox (apt-get install busybox-static)"
    tests/vm/run-vm.sh --prepare ||
        lane_skip "no kernel for the VM (apt-get download linux-image-amd64 failed?)"
}
