#!/bin/bash
# Memory at the limit through a real su (issue 15, item 1), in the cgroup
# v2 VM only (the host's memory hierarchy is never touched): with
# memory_max = 64M a user writes 300M from /dev/zero
#   - into a /tmp on disk (private_tmp = disk): the file is written, no OOM;
#   - into a private tmpfs /tmp (private_tmp = tmpfs): ENOSPC at half of
#     memory_max, no OOM;
#   - into a tmpfs nobody sized (a host-wide /dev/shm): the memory cgroup's
#     OOM killer runs, and su, which sits in the session's cgroup, is not
#     its victim (-1000 while the session is open; its children get 0).
# Each time su survives, logout closes the session (nothing of the user
# left) and the next login works at once. Root in the VM has
# CAP_SYS_RESOURCE, so the module's -1000 write works there.
. "$(dirname "$0")/../lib.sh"
iso_need_root
if ! iso_is_v2 || ! grep -qw memory /sys/fs/cgroup/cgroup.controllers || [ ! -d /run/vm/ctl ]; then
	skip "$ISO_SUITE" "needs the cgroup v2 VM (tests/vm/run-vm.sh)"
	iso_summary
	exit $?
fi
iso_setup
iso_install_helper
iso_e2e_need su unshare perl

ROOT=isot_mt_$$
on_exit "iso_cgroup_cleanup $ROOT"
U=isot_mt
iso_user $U
on_exit "iso_kill_holders $U"
UID_U=$(id -u $U)
CG=/sys/fs/cgroup/$ROOT/user-$UID_U
# The VM's own /tmp is a tmpfs (RAM, charged like any tmpfs); a disk as
# hosts have it is a directory of the control share (9p with cache=none:
# writes go to the host's disk, no page cache in the guest), mounted where
# private_tmp = disk keeps its instances: the root 0700 /tmp/.pam_isolate.
DISK=/run/vm/ctl/isot-disk-$$
mkdir -m 0700 "$DISK" /tmp/.pam_isolate
on_exit "rm -rf '$DISK'"
on_exit "umount /tmp/.pam_isolate; rmdir /tmp/.pam_isolate"
mount --bind "$DISK" /tmp/.pam_isolate
# A tmpfs nobody sized for the user, as a host's /dev/shm is (half the RAM).
mkdir -p /dev/shm
mount -t tmpfs -o mode=1777,size=256M isot-shm /dev/shm
on_exit "umount /dev/shm"
MAX=$((64 << 20))

conf() { # conf NAME PRIVATE_TMP [NAMESPACES]
	iso_conf "$1" <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    memory_max = 64M
    swap_max = 0
    tasks_max = 64
    namespaces = { ${3:-mount} }
    private_tmp = $2
    on_logout = kill
}
EOF
}
pamfile() { # pamfile CONF: a su service with pam_isolate last
	cat >"$ISO_TMP/pam-su" <<EOF
auth     sufficient pam_rootok.so
account  required   pam_permit.so
session  required   $ISO_MODULE conf=$1
EOF
	chmod 0644 "$ISO_TMP/pam-su"
}
# login PRE CMD: root runs `su -s /bin/sh $U -c CMD` after the shell
# commands PRE in su's mount namespace (the sandbox is built from the
# system's, not from su's); perl, outside the session, prints
# how su ended: a killed su cannot be told from `exit 137` by the shell.
login() {
	iso_in_override su="$ISO_TMP/pam-su" sh -c "$1"'; exec perl -e '\''system @ARGV; printf "su: %s\n", ($? & 127) ? "killed by signal " . ($? & 127) : "exit " . ($? >> 8)'\'' su -s /bin/sh '"$U"' -c "$0"' "$2"
}
ooms() { dmesg | grep -c "Killed process" || true; }
sessions() { find "$CG" -maxdepth 1 -type d -name 'session-*' 2>/dev/null | wc -l; }
has_sessions() { [ "$(sessions)" -ne 0 ]; }
has_procs() { [ "$(iso_live_procs $U)" -ne 0 ]; }
logout_clean() { # logout_clean WHAT: the session closed, the sandbox gone
	check "$1: logout: the session's cgroup is gone" wait_gone has_sessions
	WAIT_TENTHS=100 check "$1: logout: the sandbox holder is gone (on_logout = kill)" \
		wait_gone test -e "/run/pam_isolate/user-$UID_U.user.holder"
	check "$1: logout: no process of the user left" wait_gone has_procs
}
next_login() { # next_login WHAT PRE CMD EXPECT
	local out t0
	t0=$(date +%s%N)
	out=$(login "$2" "$3" 2>&1)
	echo "$out" | sed 's/^/     | /'
	expect_match "$1: the next login works at once ($((($(date +%s%N) - t0) / 1000000)) ms)" "$4" "$out"
	expect_match "$1:   ... and su exits normally" "^su: exit 0$" "$out"
}
# shellcheck disable=SC2016 # expanded in the session
FILL='echo "adj su=$(cat /proc/$PPID/oom_score_adj) shell=$(cat /proc/self/oom_score_adj)"; echo "fs=$(stat -f -c %T /tmp)"; head -c 300M /dev/zero >'
# shellcheck disable=SC2016
AFTER='; echo "fill=$? size=$(stat -c %s "$F")"; grep oom_kill '"$CG"'/memory.events; echo "max=$(cat '"$CG"'/memory.max) peak=$(cat '"$CG"'/memory.peak 2>/dev/null)"; grep -E "^(anon|file|shmem|file_dirty|file_writeback) " '"$CG"'/memory.stat | tr "\n" " "; echo'

# --- private_tmp = disk: the fill goes to disk ---
pamfile "$(conf disk disk)"
o0=$(ooms)
out=$(login : "F=/tmp/fill; $FILL \$F $AFTER" 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "disk: the session has memory_max = 64M" "^max=$MAX " "$out"
expect_match "disk: su is -1000 for the OOM killer, the shell it forked 0" "^adj su=-1000 shell=0$" "$out"
expect_nomatch "disk: /tmp is the disk (9p reports the host's filesystem), not a tmpfs" "^fs=tmpfs$" "$out"
expect_match "  ... (the session saw its type)" "^fs=[a-z]" "$out"
expect_match "disk: 300M written to /tmp under memory_max = 64M" "^fill=0 size=314572800$" "$out"
expect_match "disk:   ... without an OOM kill" "^oom_kill 0$" "$out"
expect_eq "disk:   ... no OOM kill in the kernel log" "$o0" "$(ooms)"
expect_match "disk: su survives" "^su: exit 0$" "$out"
expect_eq "disk: the file is on disk in the user's instance, the user's" "314572800 $U" \
	"$(stat -c '%s %U' "$DISK/$UID_U/fill" 2>&1)"
logout_clean disk
next_login disk : 'echo "next size=$(stat -c %s /tmp/fill)"' "^next size=314572800$"
rm -f "$DISK/$UID_U/fill"
logout_clean "disk (2nd)"

# --- private_tmp = tmpfs: its size is half of memory_max, so ENOSPC ---
pamfile "$(conf tmpfs tmpfs)"
o0=$(ooms)
out=$(login : "F=/tmp/fill; $FILL \$F $AFTER; df -k /tmp | tail -1" 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "tmpfs: /tmp is a tmpfs" "^fs=tmpfs$" "$out"
expect_match "tmpfs: the fill ends in ENOSPC" "No space left on device" "$out"
expect_match "tmpfs:   ... at the tmpfs size, half of memory_max (32M)" "^fill=1 size=$((32 << 20))$" "$out"
expect_match "tmpfs:   ... not in an OOM kill" "^oom_kill 0$" "$out"
expect_eq "tmpfs:   ... no OOM kill in the kernel log" "$o0" "$(ooms)"
expect_match "tmpfs: su survives" "^su: exit 0$" "$out"
logout_clean tmpfs
next_login tmpfs : 'echo "next $(ls -A /tmp | wc -l) files"' "^next 0 files$"
logout_clean "tmpfs (2nd)"

# --- a tmpfs nobody sized: the OOM killer runs, and not on su ---
pamfile "$(conf shm disk)"
o0=$(ooms)
# shellcheck disable=SC2016
out=$(login : 'echo "adj su=$(cat /proc/$PPID/oom_score_adj)"; for p in $PPID $$; do echo "$(cat /proc/$p/comm): $(grep VmRSS /proc/$p/status | tr -s "\t " " ") oom_score_adj $(cat /proc/$p/oom_score_adj)"; done; head -c 300M /dev/zero >/dev/shm/fill; echo "fill=$?"' 2>&1)
echo "$out" | sed 's/^/     | /'
dmesg | grep "Killed process" | tail -n +"$((o0 + 1))" | sed 's/^/     | /'
expect_match "shm: su is -1000 for the OOM killer" "^adj su=-1000$" "$out"
check "shm: 300M into /dev/shm under memory_max = 64M: the OOM killer ran" test "$(ooms)" -gt "$o0"
expect_nomatch "shm:   ... its victims are the user's processes, never su" \
	"\(su\)" "$(dmesg | grep "Killed process" | tail -n +"$((o0 + 1))")"
expect_match "shm: su survives (it reports its child's fate, it is not killed)" "^su: exit [0-9]+$" "$out"
logout_clean shm
next_login shm : 'echo next-login-ok' "^next-login-ok$"
logout_clean "shm (2nd)"

# --- with a pid namespace: the sandbox's /proc has no /proc/self for su,
# so the guard's file is opened before the namespaces are joined ---
pamfile "$(conf pidns disk "pid, mount")"
login : 'echo started; sleep 8' >"$ISO_TMP/pidns.out" 2>&1 &
lpid=$!
wait_for 30 eval 'pgrep -u "$U" -x sleep >/dev/null'
supid=$(pgrep -x su -n)
expect_eq "pid namespace: su is -1000 for the OOM killer" "-1000" "$(cat "/proc/$supid/oom_score_adj" 2>&1)"
expect_eq "pid namespace:   ... the user's sleep keeps 0" "0" "$(cat "/proc/$(pgrep -u "$U" -x sleep | head -1)/oom_score_adj" 2>&1)"
wait "$lpid"
expect_match "pid namespace: su exits normally" "^su: exit 0$" "$(cat "$ISO_TMP/pidns.out")"
logout_clean pidns

iso_finish
