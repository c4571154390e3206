#!/bin/bash
# proc_view in the cgroup v2 VM (2 vCPUs): a session with cpu_quota = 50%
# and memory_max = 256M sees 1 CPU and 256 MiB, through lxcfs where it runs
# (started here with --enable-cfs, which Debian's lxcfs.service leaves out) and
# through the helper's own CPU files where it does not. Entered through su
# from root, which passes the PAM environment on as sshd and login do.
# Root only, in the VM only (memory limits).
. "$(dirname "$0")/../lib.sh"
iso_need_root
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || { skip "proc_view lane" "not cgroup v2"; iso_finish; }
iso_setup
iso_install_helper

ROOT=isot_pv_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_user isot_pv
on_exit "iso_kill_holders isot_pv"
NCPU=$(getconf _NPROCESSORS_ONLN)
[ "$NCPU" -ge 2 ] || echo "     warning: the VM has $NCPU CPU: the CPU checks cannot fail here (VM_CPUS=2)"

CONF=$(iso_conf pv <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = 50%
    memory_max = 256M
    tasks_max = 128
    namespaces = { user, pid, mount }
    on_logout = kill
}
EOF
)
cat >"$ISO_TMP/pam-su" <<EOF
auth     sufficient pam_rootok.so
account  required   pam_permit.so
session  required   pam_permit.so
session  required   $ISO_MODULE conf=$CONF
EOF
chmod 0644 "$ISO_TMP/pam-su"
# shellcheck disable=SC2016
# the uptime first: it is checked to be a fresh sandbox's (< 10 s), and
# python3 alone takes seconds to start under emulation
PROBE='echo "uptime=$(cut -d" " -f1 /proc/uptime)"; echo "nproc=$(nproc)"; echo "cpuinfo=$(grep -c ^processor /proc/cpuinfo)"
echo "python=$(python3 -c "import os; print(os.cpu_count())")"; echo "omp=${OMP_NUM_THREADS:-unset}"
free -m | awk "/^Mem:/ { print \"memtotal=\" \$2 }"
echo "--- paste:"; nproc; grep -c ^processor /proc/cpuinfo; free -m; python3 -c "import os; print(os.cpu_count())"'
session() { iso_in_override su="$ISO_TMP/pam-su" su -s /bin/sh isot_pv -c "$1" 2>&1; }

LX=/var/lib/lxcfs
lxcfs_stop() {
	[ -n "${LXPID:-}" ] && kill "$LXPID" 2>/dev/null
	[ -n "${LXPID:-}" ] && wait "$LXPID" 2>/dev/null
	LXPID=
	umount -l "$LX" 2>/dev/null || true
}

# --- with lxcfs ---
if ! command -v lxcfs >/dev/null || [ ! -e /dev/fuse ]; then
	skip "proc_view with lxcfs" "no lxcfs or no /dev/fuse (make deps; fuse.ko in the VM)"
else
	mkdir -p "$LX"
	lxcfs -f --enable-cfs "$LX" >"$ISO_TMP/lxcfs.log" 2>&1 &
	LXPID=$!
	on_exit lxcfs_stop
	wait_for 60 sh -c 'test -e "$1/proc/uptime" || ! kill -0 "$2"' sh "$LX" "$LXPID"
	check "lxcfs answers" test -e "$LX/proc/uptime"
	out=$(session "$PROBE")
	echo "$out" | sed 's/^/     | /'
	expect_match "lxcfs: /proc/cpuinfo lists 1 processor ($NCPU in the VM)" "^cpuinfo=1$" "$out"
	expect_match "  ... os.cpu_count() is 1" "^python=1$" "$out"
	expect_match "  ... nproc is 1 (OMP_NUM_THREADS from the PAM environment)" "^nproc=1$" "$out"
	expect_match "  ... free -m shows at most 256 MiB" "^memtotal=(25[0-6]|2[0-4][0-9]|1?[0-9]{1,2})$" "$out"
	expect_match "  ... the uptime is the sandbox's (lxcfs answers)" "^uptime=[0-9]\.[0-9]+$" "$out"
	out=$(session "cat /sys/fs/cgroup/$ROOT/user-$(id -u isot_pv)/holder/cpu.max")
	expect_eq "  ... the holder's leaf carries the quota lxcfs reads" "50000 100000" "$out"
	# a dead lxcfs leaves its mount behind, answering ENOTCONN
	kill -KILL "$LXPID"
	wait "$LXPID" 2>/dev/null
	out=$(session "$PROBE")
	rc=$?
	echo "$out" | sed 's/^/     | /'
	expect_eq "lxcfs killed, its mount left: the login works" 0 "$rc"
	expect_match "  ... the CPU count still reads 1" "^python=1$" "$out"
	expect_match "  ... /proc/cpuinfo lists 1 processor" "^cpuinfo=1$" "$out"
	lxcfs_stop
fi

# --- without lxcfs ---
out=$(session "$PROBE")
rc=$?
echo "$out" | sed 's/^/     | /'
expect_eq "no lxcfs: the session works" 0 "$rc"
expect_match "  ... /proc/cpuinfo lists 1 processor" "^cpuinfo=1$" "$out"
expect_match "  ... os.cpu_count() is 1" "^python=1$" "$out"
expect_match "  ... nproc is 1" "^nproc=1$" "$out"
out=$(session 'export OMP_NUM_THREADS=3; nproc' 2>&1)
out2=$(OMP_NUM_THREADS=3 iso_in_override su="$ISO_TMP/pam-su" su -s /bin/sh isot_pv -c 'echo "omp=$OMP_NUM_THREADS"' 2>&1)
expect_match "a user who set OMP_NUM_THREADS keeps it" "^3$" "$out"
echo "     (su from a caller with OMP_NUM_THREADS=3: $out2)"

iso_finish
