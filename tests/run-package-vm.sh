#!/bin/sh
# tests/run-package-vm.sh: the package on a systemd host, the lane of
# `make check` for issue 16. Builds the .deb (make deb, unless
# build/deb/ already holds one newer than every tracked file), boots the
# systemd VM (tests/vm/run-vm.sh --systemd, user@.service NOT masked: the
# test needs the users' managers) and runs tests/package/vm_ssh.sh there:
# dpkg -i, pam-auth-update --enable isolate, the real ssh.service, ssh
# logins, and the login time with the profile off and on.
#
# Skipped (exit 0) without qemu, a static busybox, a VM kernel, systemd,
# openssh-server or the packaging tools, except under CI=true, where a skip
# fails the lane. VM_TIMEOUT (default 600 s) bounds the VM; the lane takes
# about 3 minutes under emulation on an idle 2-core machine (twice that on
# a busy one). PKGVM_LOGINS (default 3): timed logins per profile state.
set -eu

cd "$(dirname "$0")/.."
t0=$(date +%s)

# shellcheck disable=SC2034 # read by tests/vm/lane.sh
LANE=package-vm LANE_WHAT="the package-vm lane"
. tests/vm/lane.sh
[ "$(id -u)" = 0 ] || lane_skip "needs root (qemu reads the host's / with the caller's rights)"
[ -x /lib/systemd/systemd ] || lane_skip "no systemd on the root filesystem (make deps)"
has_pam_systemd() {
	for f in /lib/*/security/pam_systemd.so /lib/security/pam_systemd.so; do
		[ -e "$f" ] && return 0
	done
	return 1
}
has_pam_systemd ||
	lane_skip "no pam_systemd on the root filesystem (make deps installs libpam-systemd)"
command -v pam-auth-update >/dev/null || lane_skip "no pam-auth-update (libpam-runtime)"
[ -e /lib/systemd/system/ssh.service ] ||
	lane_skip "no ssh.service on the root filesystem (make deps installs openssh-server)"
command -v ssh >/dev/null || lane_skip "no ssh client (make deps installs openssh-client)"
for t in dpkg-buildpackage dh git; do
	command -v "$t" >/dev/null || lane_skip "$t is missing (make deps)"
done
lane_need_vm
if [ ! -x build/tests/session_harness ]; then
	echo "package-vm: build first: make tests" >&2
	exit 2
fi

# The .deb: `make deb` takes 20-70 s; a second run of the lane reuses it
# while no tracked file is newer.
deb=$(ls build/deb/libpam-isolate_*.deb 2>/dev/null | head -n 1 || true)
newest=$(git ls-files -z | xargs -0 stat -c %Y 2>/dev/null | sort -n | tail -n 1)
if [ -z "$deb" ] || [ "${newest:-0}" -ge "$(stat -c %Y "$deb")" ]; then
	echo "package-vm: make deb"
	if ! make deb >build/package-vm-deb.log 2>&1; then
		tail -n 30 build/package-vm-deb.log >&2
		echo "package-vm: FAIL: make deb" >&2
		exit 1
	fi
	deb=$(ls build/deb/libpam-isolate_*.deb | head -n 1)
else
	echo "package-vm: reusing $deb (newer than every tracked file)"
fi
echo "package-vm: built in $(($(date +%s) - t0)) s: $deb"

export VM_TIMEOUT="${VM_TIMEOUT:-600}" VM_TIMING=1 VM_SD_MASK="" VM_ENV="PKGVM_LOGINS"
log=$(mktemp "${TMPDIR:-/tmp}/package-vm.XXXXXX")
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "package-vm: == tests/package/vm_ssh.sh in tests/vm/run-vm.sh --systemd"
status=0
tests/vm/run-vm.sh --systemd bash tests/package/vm_ssh.sh "$deb" 2>&1 | tee "$log" || true
# judged by the suite's summary: run-vm.sh's status is lost past tee
line=$(grep -E '^package-vm: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
if [ -z "$line" ]; then
	npass=$(grep -c '^ok ' "$log" || true)
	nfail=$(($(grep -c '^FAIL ' "$log" || true) + 1))
	echo "package-vm: the suite did not finish (VM timeout or failure, see above)" >&2
else
	npass=$(echo "$line" | sed -E 's/^package-vm: ([0-9]+) passed.*/\1/')
	nfail=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
fi
[ "$nfail" -eq 0 ] || status=1
echo "package-vm: $npass passed, $nfail failed, wall $(($(date +%s) - t0)) s"
exit "$status"
