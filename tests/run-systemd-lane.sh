#!/bin/sh
# tests/run-systemd-lane.sh: the systemd lane of `make check`: the systemd
# cgroup backend (cgroup_backend = systemd) under a real systemd.
#
# Boots the project's VM with systemd 252 as PID 1 (tests/vm/run-vm.sh
# --systemd: pure cgroup v2 owned by systemd, dbus and systemd-logind up)
# and runs tests/systemd/test_systemd.sh in it: sessions through
# pam_loginuid + pam_systemd + pam_isolate, the systemd backend's limits
# on user-UID.slice, the sandbox, the holder's scope, logout.
# Built binaries come from the host's build/: run `make tests` first.
#
# Without qemu-system-x86_64, a static busybox, a kernel for the VM or
# systemd on the root filesystem the lane is skipped (exit 0), except
# under CI=true, where a skip fails it. VM_TIMEOUT (default 400 s) bounds
# the VM; the lane takes 2-4 minutes under emulation.
set -eu

cd "$(dirname "$0")/.."
t0=$(date +%s)

# shellcheck disable=SC2034 # read by tests/vm/lane.sh
LANE=systemd-lane LANE_WHAT="the systemd lane"
. tests/vm/lane.sh
has_pam_systemd() {
    for f in /lib/*/security/pam_systemd.so /lib/security/pam_systemd.so; do
        [ -e "$f" ] && return 0
    done
    return 1
}
{ [ -x /lib/systemd/systemd ] && has_pam_systemd; } ||
    lane_skip "no systemd or pam_systemd on the root filesystem (apt-get install systemd libpam-systemd)"
lane_need_vm
if [ ! -e build/pam_isolate.so ] || [ ! -e build/tests/session_harness ]; then
    echo "systemd-lane: build first: make tests" >&2
    exit 2
fi

# user@.service: the per-user manager costs ~10 s of emulated CPU at each
# first login and nothing here needs it (logind works without it).
export VM_TIMEOUT="${VM_TIMEOUT:-400}" VM_TIMING=1 VM_SD_MASK="${VM_SD_MASK-user@.service}"
log=$(mktemp "${TMPDIR:-/tmp}/systemd-lane.XXXXXX")
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "systemd-lane: == tests/systemd/test_systemd.sh in tests/vm/run-vm.sh --systemd"
status=0
tests/vm/run-vm.sh --systemd bash tests/systemd/test_systemd.sh 2>&1 | tee "$log" || true
# the suite's own summary; the VM's status (124 timeout, 125 VM failure)
# comes through run-vm.sh and is not visible past tee: judge by the summary
line=$(grep -E '^test_systemd: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
if [ -z "$line" ]; then
    npass=$(grep -c '^ok ' "$log" || true)
    nfail=$(($(grep -c '^FAIL ' "$log" || true) + 1))
    echo "systemd-lane: the suite did not finish (VM timeout or failure, see above)" >&2
else
    npass=$(echo "$line" | sed -E 's/^test_systemd: ([0-9]+) passed.*/\1/')
    nfail=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
fi
[ "$nfail" -eq 0 ] || status=1
echo "systemd-lane: $npass passed, $nfail failed, wall $(($(date +%s) - t0)) s"
exit "$status"
