#!/bin/sh
# tests/run-vm-lane.sh: the cgroup v2 lane of `make check`.
#
# Our build machines are cgroup v1 hybrid; this boots a pure cgroup v2 VM
# (tests/vm/run-vm.sh) and runs in it:
#   1. tests/vm/smoke.sh: the VM itself is fit (v2 controllers limit, OOM
#      kill, cgroup.kill, useradd/su/setuid);
#   2. tests/run-root.sh with ISO_LANE=v2, if that file exists (built
#      binaries come from the host's build/: run `make tests` first);
#   3. tests/vm/test_oom_tmp.sh through it: a user fills /tmp under
#      memory_max, su survives, logout and the next login work.
# Each runs in a fresh VM, so the root tests start from a clean system.
#
# Without qemu-system-x86_64, a static busybox or a kernel for the VM the
# lane is skipped (exit 0), except under CI=true, where a skip fails it.
# VM_TIMEOUT (default 300 s) bounds each VM; the whole lane should stay
# under ~5 minutes under emulation.
set -eu

cd "$(dirname "$0")/.."
t0=$(date +%s)

# shellcheck disable=SC2034 # read by tests/vm/lane.sh
LANE=vm-lane LANE_WHAT="the VM lane"
. tests/vm/lane.sh
lane_need_vm

export VM_TIMEOUT="${VM_TIMEOUT:-480}" VM_TIMING=1
status=0 summary=""

# lane NAME CMD...: runs CMD in a fresh VM in the background, output to a
# file; `collect` waits for all and prints them in order. Two VMs at a time
# with one vCPU each: under emulation that halves the lane's wall time on
# these 2-core machines.
names=""
lane() {
    name=$1; shift
    names="$names $name"
    (
        s=$(date +%s)
        if VM_CPUS=${LANE_CPUS:-1} tests/vm/run-vm.sh "$@" >"$logdir/$name.out" 2>&1; then r=PASS; else r="FAIL (status $?)"; fi
        echo "$r ($(($(date +%s) - s)) s)" >"$logdir/$name.res"
    ) &
}
collect() {
    wait
    for n in $names; do
        echo "vm-lane: == $n"
        cat "$logdir/$n.out"
        r=$(cat "$logdir/$n.res" 2>/dev/null || echo "FAIL (no result)")
        case $r in PASS*) ;; *) status=1 ;; esac
        summary="$summary $n $r;"
    done
    names=""
}
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

# The v2-specific suites: the engine's v2 paths, the sandbox on v2, the
# memory keys that only a VM may exercise, and isolatectl apply on v2. The
# other root suites do not depend on the cgroup layout and run on the host
# lane.
lane smoke sh tests/vm/smoke.sh
lane core env ISO_LANE=v2 ISO_SUITES=tests/integration/test_core.sh sh tests/run-root.sh
collect
lane sandbox env ISO_LANE=v2 ISO_SUITES=tests/integration/test_sandbox.sh sh tests/run-root.sh
lane policy env ISO_LANE=v2 ISO_SUITES=tests/integration/test_policy.sh sh tests/run-root.sh
collect
# proc_view: 2 vCPUs, or a quota of half a CPU could not show fewer CPUs
LANE_CPUS=2 lane view env ISO_LANE=v2 ISO_SUITES=tests/vm/test_proc_view.sh sh tests/run-root.sh
lane apply env ISO_LANE=v2 ISO_SUITES=tests/integration/test_apply.sh sh tests/run-root.sh
collect
# memory_max at a filled /tmp through a real su (VM only: the host's memory
# hierarchy is never limited); alone: the view's VM above wants the host's
# two cores to itself
lane oom_tmp env ISO_LANE=v2 ISO_SUITES=tests/vm/test_oom_tmp.sh sh tests/run-root.sh
collect
lane metrics env ISO_LANE=v2 ISO_SUITES=tests/integration/test_metrics.sh sh tests/run-root.sh
lane audit env ISO_LANE=v2 ISO_SUITES=tests/integration/test_audit.sh sh tests/run-root.sh
collect

echo "vm-lane:$summary wall $(($(date +%s) - t0)) s"
exit "$status"
