#!/bin/bash
# The sandbox, for real: sessions through a real PAM stack run in the
# user's pid + mount namespaces with a private /tmp, rejoin it, cannot get
# out of it or at its holder, and leave nothing behind. Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_install_helper

ROOT=isot_sb_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_user isot_a
iso_user isot_b
iso_user isot_k
on_exit "iso_kill_holders isot_a isot_b isot_k"
UA=$(id -u isot_a)
UK=$(id -u isot_k)
CPU=$(iso_cg_mount cpu)

CONF=$(iso_conf sandbox <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = 50%
    tasks_max = 128
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    tmp_size = 64M
    on_logout = keep
}
user "isot_k" { on_logout = kill }
user "isot_b" { proc_view = no }
EOF
)
iso_service isot-sb "$CONF"
H() { "$ISO_HARNESS" isot-sb "$@"; }

echo hostfile >/tmp/isot_host_marker_$$
on_exit "rm -f /tmp/isot_host_marker_$$"

# --- what a session sees ---
out=$(H isot_a sh -c 'echo "self=$$"; ps -e -o pid=,user=,comm=; echo "tmpfs=$(stat -f -c %T /tmp)"; ls -A /tmp; cat /proc/self/cgroup' 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "the session's shell is PID 2 of its pid namespace" "^self=2$" "$out"
expect_match "PID 1 is the holder" "^ +1 root +isolate-holder$" "$out"
expect_nomatch "no host process is visible (no pid above 3)" "^ +([4-9]|[1-9][0-9]+) " "$out"
expect_match "/tmp is a tmpfs" "^tmpfs=tmpfs$" "$out"
expect_nomatch "the host's /tmp is not visible" "isot_host_marker" "$out"
expect_match "the cgroup quota still applies" ":/$ROOT/user-$UA/session-" "$out"
check "nothing left after the session (keep, nothing running)" wait_gone test -e "/run/pam_isolate/user-$UA.user.holder"
check "no cgroup left" wait_gone test -e "$CPU/$ROOT/user-$UA"

# --- two sessions of one user share one sandbox and one /tmp; keep ---
H isot_a sh -c 'readlink /proc/self/ns/pid > /tmp/ns1; echo shared > /tmp/shared; setsid sleep 600 </dev/null >/dev/null 2>&1 & readlink /proc/self/ns/pid' >"$ISO_TMP/a1" 2>&1
ns1=$(cat "$ISO_TMP/a1")
out=$(H isot_a sh -c 'readlink /proc/self/ns/pid; cat /tmp/shared; ps -e -o comm= | grep -c sleep' 2>&1)
expect_eq "keep: the next login rejoins the same sandbox, /tmp and processes" "$ns1
shared
1" "$out"
check "keep: the holder outlives the last session while a process runs" test -n "$(holder_pid isot_a)"
check "keep: the host /tmp did not get the user's file" test ! -e /tmp/shared

# --- another user is isolated from the first ---
out=$(H isot_b sh -c 'ps -e -o user= | sort -u; ls -A /tmp; readlink /proc/self/ns/pid' 2>&1)
expect_nomatch "bob sees none of alice's processes" "isot_a" "$out"
expect_nomatch "bob does not see alice's /tmp" "shared|ns1" "$out"
check "bob has his own pid namespace" test "$(echo "$out" | tail -1)" != "$ns1"

# --- the user cannot reach the holder or leave the mounts ---
hp=$(holder_pid isot_a)
out=$(H isot_a sh -c '
	kill -9 1 2>/dev/null && echo "kill: sent" || echo "kill: refused"
	cat /proc/1/environ >/dev/null 2>&1 && echo "environ: read" || echo "environ: refused"
	head -c1 /proc/1/mem >/dev/null 2>&1 && echo "mem: read" || echo "mem: refused"
	strace -p 1 -e none 2>/dev/null & sp=$!; sleep 0.5; kill $sp 2>/dev/null; wait $sp 2>/dev/null
	[ "$(cat /proc/1/status | grep TracerPid | tr -dc 0-9)" = 0 ] && echo "ptrace: refused" || echo "ptrace: attached"
	umount /tmp 2>/dev/null && echo "umount tmp: done" || echo "umount tmp: refused"
	umount /proc 2>/dev/null && echo "umount proc: done" || echo "umount proc: refused"
	unshare -Urm sh -c "umount -l /tmp 2>/dev/null && echo userns-umount: done || echo userns-umount: refused; ls -A /tmp | grep -q isot_host_marker && echo host-tmp: seen || echo host-tmp: hidden"
	echo "tmp after: $(stat -f -c %T /tmp)"
' 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "kill -9 of the holder is refused" "^kill: refused$" "$out"
expect_match "the holder's environ cannot be read" "^environ: refused$" "$out"
expect_match "the holder's memory cannot be read" "^mem: refused$" "$out"
expect_match "the holder cannot be ptraced" "^ptrace: refused$" "$out"
expect_match "the user cannot unmount /tmp" "^umount tmp: refused$" "$out"
expect_match "the user cannot unmount /proc" "^umount proc: refused$" "$out"
expect_match "nor after unshare -Urm (mounts are locked)" "^userns-umount: refused$" "$out"
expect_match "the host /tmp stays hidden" "^host-tmp: hidden$" "$out"
check "the holder is still alive and the same" test "$(holder_pid isot_a)" = "$hp"

# --- a killed holder: its keeper tidies up; the next login gets a fresh
# sandbox ---
kill -KILL "$hp"
check "a killed holder's record is dropped by its keeper, no login needed" \
	wait_gone test -e "/run/pam_isolate/user-$UA.user.holder"
pkill -KILL -u isot_a sleep
H isot_a sh -c 'readlink /proc/self/ns/pid; ls -A /tmp; sleep 2' >"$ISO_TMP/fresh" 2>&1 &
fp=$!
newh=
# for as long as the session lives: an emulated VM may take longer than
# a fixed number of polls to make the sandbox
while kill -0 $fp 2>/dev/null; do
	newh=$(holder_pid isot_a)
	[ -n "$newh" ] && [ "$newh" != "$hp" ] && break
	sleep 0.1
done
wait $fp
rc=$?
out=$(cat "$ISO_TMP/fresh")
expect_eq "login after the holder was killed succeeds" 0 "$rc"
# (not the namespace inode: a freed one is reused at once where the
# killed holder is reaped quickly, as in the VM lane)
check "it is a new sandbox (a new holder, not pid $hp)" test -n "$newh" -a "$newh" != "$hp"
expect_nomatch "with a fresh /tmp" "shared" "$out"

# --- 10 parallel logins of one user: one sandbox ---
okc=$(iso_parallel 10 "$ISO_TMP/p" H isot_a sh -c 'readlink /proc/self/ns/pid; sleep 1')
for i in $(seq 1 10); do echo "== p$i"; cat "$ISO_TMP/p$i"; done | sed "s/^/DBG /"
expect_eq "10 parallel logins succeed" 10 "$okc"
expect_eq "all 10 share one pid namespace" 1 "$(cat "$ISO_TMP"/p* | sort -u | wc -l)"
check "and the sandbox is gone after they end" wait_gone test -e "/run/pam_isolate/user-$UA.user.holder"

# --- on_logout = kill: nothing of the user survives the last session ---
H isot_k sh -c 'setsid sleep 300 </dev/null >/dev/null 2>&1 & setsid sh -c "while :; do sleep 1; done" </dev/null >/dev/null 2>&1 & sleep 1' >/dev/null 2>&1 &
hk=
while kill -0 $! 2>/dev/null; do hk=$(holder_pid isot_k); [ -n "$hk" ] && break; sleep 0.1; done
wait
check "kill: the holder was there during the session" test -n "$hk"
check "kill: no process of the user is left on the host" wait_for 5 iso_no_procs isot_k
check "kill: the holder is gone" test ! -e "/run/pam_isolate/user-$UK.user.holder"
check "kill: no holder process left" wait_gone sh -c "ps -o stat= -p '$hk' | grep -qv Z"
check "kill: the user cgroup is gone" wait_gone test -e "$CPU/$ROOT/user-$UK"
check "kill: no state file left" wait_gone test -e "/run/pam_isolate/user-$UK.lock"

# --- on_logout = kill with another session open: only the closing
# session's leftovers die, the open session and the sandbox stay ---
# The first session holds until a file releases it, so the leftover's end
# is the close's doing, not the last session's
REL=$(mktemp -d /run/isot-sbrel.XXXXXX)
chmod 755 "$REL"
on_exit "rm -rf '$REL'"
H isot_k sh -c 'readlink /proc/self/ns/pid; i=0
	while [ ! -e '"$REL"'/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	echo survived' >"$ISO_TMP/k1" 2>&1 &
kp=$!
check "kill: a first session runs" wait_for 60 grep -q . "$ISO_TMP/k1"
H isot_k sh -c 'setsid sleep 301 </dev/null >/dev/null 2>&1 & exit 0' >/dev/null 2>&1
WAIT_TENTHS=300 check "kill: the closing session's leftover is killed" wait_gone pgrep -u isot_k -f "sleep 301"
check "  ... while the first session still runs" kill -0 $kp
touch "$REL/go"
wait $kp
expect_match "kill: the other open session ran on" "survived" "$(cat "$ISO_TMP/k1")"
check "kill: nothing left after both" wait_gone test -e "$CPU/$ROOT/user-$UK"

# --- unprivileged containers inside a session (bubblewrap, podman,
# Apptainer, Chromium's sandbox): a user namespace and a pid namespace of
# the user's own below the sandbox's ---
out=$(H isot_b sh -c '
	unshare -Urpf --mount-proc sh -c "echo nested-pid=\$\$; ps -e -o pid= | wc -l | sed s/^/nested-procs=/" 2>&1
	echo "unshare-rc=$?"
	if command -v bwrap >/dev/null; then
		bwrap --unshare-pid --unshare-user --dev-bind / / --proc /proc sh -c "echo bwrap-pid=\$\$" 2>&1
		echo "bwrap-rc=$?"
	else
		echo "bwrap: not installed"
	fi' 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "unshare -Urpf --mount-proc inside a session works" "^unshare-rc=0$" "$out"
expect_match "  ... it is PID 1 of its own pid namespace" "^nested-pid=1$" "$out"
if command -v bwrap >/dev/null; then
	expect_match "bwrap --unshare-pid inside a session works" "^bwrap-rc=0$" "$out"
else
	skip "bwrap --unshare-pid inside a session" "bubblewrap not installed (make deps)"
fi

# --- proc_view: the CPU count of cpu_quota = 50% (auto: the helper's own
# CPU files, 1 CPU, whether or not an lxcfs answers at /var/lib/lxcfs, e.g.
# a CI machine's lxcfs.service), and the host's for proc_view = no ---
NCPU=$(getconf _NPROCESSORS_ONLN)
VIEW='echo "online=$(cat /sys/devices/system/cpu/online)"; echo "cpuinfo=$(grep -c ^processor /proc/cpuinfo)"
	echo "getconf=$(getconf _NPROCESSORS_ONLN)"; echo "python=$(python3 -c "import os; print(os.cpu_count())")"
	umount /proc/cpuinfo 2>/dev/null && echo "umount: done" || echo "umount: refused"
	echo x 2>/dev/null >/sys/devices/system/cpu/online && echo "write: done" || echo "write: refused"
	echo "--- paste:"; nproc; grep -c ^processor /proc/cpuinfo; free -m; python3 -c "import os; print(os.cpu_count())"'
out=$(H isot_a sh -c "$VIEW" 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "proc_view auto without lxcfs: cpu/online lists one CPU" "^online=0$" "$out"
expect_match "  ... /proc/cpuinfo lists 1 processor" "^cpuinfo=1$" "$out"
expect_match "  ... getconf _NPROCESSORS_ONLN is 1" "^getconf=1$" "$out"
expect_match "  ... os.cpu_count() is 1" "^python=1$" "$out"
expect_match "  ... the user cannot unmount the view" "^umount: refused$" "$out"
expect_match "  ... nor write to it" "^write: refused$" "$out"
check "  ... the host still sees its $NCPU CPUs" test "$(grep -c ^processor /proc/cpuinfo)" = "$NCPU"
check "  ... no generated file is left in the state dir" test -z "$(ls -A /run/pam_isolate | grep '^\.view-')"
out=$(H isot_b sh -c "$VIEW" 2>&1)
expect_match "proc_view = no: the host's CPU count" "^python=$NCPU$" "$out"
expect_match "  ... and the host's /proc/cpuinfo" "^cpuinfo=$NCPU$" "$out"

# --- proc_view auto with an lxcfs at /var/lib/lxcfs (the host's own where
# one runs, else one started here as Debian's lxcfs.service starts it,
# without --enable-cfs): lxcfs's files, still our CPU count; and a login
# still works once that lxcfs is dead, its mount answering ENOTCONN ---
LX=/var/lib/lxcfs LXPID=
lx_stop() {
	[ -n "$LXPID" ] && kill "$LXPID" 2>/dev/null && wait "$LXPID" 2>/dev/null
	[ -n "$LXPID" ] && umount -l "$LX" 2>/dev/null
	LXPID=
}
if [ "$(stat -f -c %T "$LX" 2>/dev/null)" != fuseblk ] && command -v lxcfs >/dev/null && [ -e /dev/fuse ]; then
	mkdir -p "$LX"
	lxcfs -f "$LX" >"$ISO_TMP/lxcfs.log" 2>&1 &
	LXPID=$!
	on_exit lx_stop
	wait_for 60 sh -c 'test -e "$1/proc/uptime" || ! kill -0 "$2"' sh "$LX" "$LXPID"
fi
if [ -e "$LX/proc/uptime" ]; then
	check "no sandbox of isot_a left from before (a fresh one gets lxcfs)" \
		wait_gone test -e "/run/pam_isolate/user-$UA.user.holder"
	out=$(H isot_a sh -c "$VIEW; echo \"uptime=\$(cut -d' ' -f1 /proc/uptime)\"" 2>&1)
	echo "$out" | sed 's/^/     | /'
	up=$(echo "$out" | sed -n 's/^uptime=\([0-9]*\).*/\1/p')
	check "lxcfs: /proc/uptime is the sandbox's, not the host's ($(cut -d' ' -f1 /proc/uptime) s)" \
		test -n "$up" -a "${up:-99}" -lt 30
	expect_match "  ... cpu/online still lists one CPU" "^online=0$" "$out"
	expect_match "  ... os.cpu_count() is 1" "^python=1$" "$out"
	expect_match "  ... /proc/cpuinfo lists 1 processor" "^cpuinfo=1$" "$out"
	if [ -n "$LXPID" ]; then
		check "  ... the sandbox is gone again" \
			wait_gone test -e "/run/pam_isolate/user-$UA.user.holder"
		kill -KILL "$LXPID"
		wait "$LXPID" 2>/dev/null
		out=$(H isot_a sh -c "$VIEW" 2>&1)
		rc=$?
		expect_eq "lxcfs killed, its mount left: the login works" 0 "$rc"
		expect_match "  ... os.cpu_count() is 1" "^python=1$" "$out"
		lx_stop
	fi
else
	skip "proc_view auto with lxcfs on the host" "no lxcfs or no /dev/fuse (make deps)"
fi

# --- on_logout = keep: the sandbox goes by itself within seconds of its
# last process, no login needed ---
# (the job's 8 s leave an emulated VM's close time to return first)
H isot_b sh -c 'setsid sleep 8 </dev/null >/dev/null 2>&1 &' >/dev/null 2>&1
hb=$(holder_pid isot_b)
check "keep: a job outlives the session, and so does the sandbox" test -n "$hb"
t0=$(date +%s)
WAIT_TENTHS=230 wait_gone test -e "/run/pam_isolate/user-$(id -u isot_b).user.holder"
t1=$(date +%s)
echo "     the job sleeps 8 s from its start; the sandbox was gone $((t1 - t0)) s after the logout"
check "keep: the sandbox is gone within 23 s of the logout, the job's 8 s with it (holder record)" \
	test ! -e "/run/pam_isolate/user-$(id -u isot_b).user.holder"
check "  ... the holder process too" wait_gone sh -c "ps -o stat= -p '$hb' | grep -qv Z"
check "  ... and the user's cgroup" wait_gone test -e "$CPU/$ROOT/user-$(id -u isot_b)"
check "  ... and the lock file" wait_gone test -e "/run/pam_isolate/user-$(id -u isot_b).lock"

# --- hide_processes: no pid namespace, a hidepid=invisible /proc of the
# sandbox's own, locked; pids stay the host's (what systemd hosts need) ---
HCONF=$(iso_conf hide <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = 50%
    tasks_max = 128
    namespaces = { user, mount }
    hide_processes = yes
    private_tmp = tmpfs
    tmp_size = 64M
    on_logout = keep
}
EOF
)
iso_service isot-hp "$HCONF"
HP() { "$ISO_HARNESS" isot-hp "$@"; }
runuser -u isot_b -- sleep 60 </dev/null >/dev/null 2>&1 &
bsleep=$!
on_exit "kill $bsleep 2>/dev/null"
out=$(HP isot_a sh -c '
	echo "self=$$"
	ps -e -o user= | sort | uniq -c | sed "s/^ */users: /"
	test -e /proc/1 && echo "proc1: seen" || echo "proc1: hidden"
	test -e /proc/'"$bsleep"' && echo "other: seen" || echo "other: hidden"
	findmnt -n -o OPTIONS /proc | tail -1 | sed "s/^/procopts: /"
	ls -A /tmp | grep -q isot_host_marker && echo "host-tmp: seen" || echo "host-tmp: hidden"
	umount /proc 2>/dev/null && echo "umount proc: done" || echo "umount proc: refused"
	unshare -Urm sh -c "umount /proc 2>/dev/null || umount -l /proc 2>/dev/null; test -e /proc/1 && echo userns-proc1: seen || echo userns-proc1: hidden"
	unshare -Urm sh -c "mount -t proc proc /proc 2>/dev/null && echo userns-mount-proc: done || echo userns-mount-proc: refused"
	unshare -Urm sh -c "mount -o remount,hidepid=off /proc 2>/dev/null && echo userns-remount: done || echo userns-remount: refused"
	passwd -S isot_a >/dev/null 2>&1 && echo "setuid passwd -S: works" || echo "setuid passwd -S: fails"
' 2>&1)
echo "$out" | sed 's/^/     | /'
expect_nomatch "hide: the shell keeps its host pid (no pid namespace)" "^self=[12]$" "$out"
expect_match "hide: ps -e lists the user's own processes" "^users: +[0-9]+ isot_a$" "$out"
expect_nomatch "hide: ... and nothing of root or isot_b" "^users: .*(root|isot_b)" "$out"
expect_match "hide: /proc/1 is hidden" "^proc1: hidden$" "$out"
expect_match "hide: isot_b's process is hidden" "^other: hidden$" "$out"
expect_match "hide: /proc is a hidepid=invisible procfs" "^procopts: .*hidepid=invisible" "$out"
expect_match "hide: the host /tmp is not visible" "^host-tmp: hidden$" "$out"
expect_match "hide: the user cannot unmount /proc" "^umount proc: refused$" "$out"
expect_match "hide: nor after unshare -Urm (locked): still nothing hidden shows" "^userns-proc1: hidden$" "$out"
expect_match "hide: unshare -Urm; mount -t proc is refused" "^userns-mount-proc: refused$" "$out"
expect_match "hide: unshare -Urm; remount hidepid=off is refused" "^userns-remount: refused$" "$out"
expect_match "hide: setuid programs still work" "^setuid passwd -S: works$" "$out"

# su inside such a session (root in the sandbox's mount namespace, host
# pid namespace): nested, cgroup only, no sandbox of its own
HP isot_a sh -c 'echo mine > /tmp/hp_marker; setsid sleep 600 </dev/null >/dev/null 2>&1 &' >/dev/null 2>&1
hpa=$(holder_pid isot_a)
UB=$(id -u isot_b)
if [ -z "$hpa" ]; then
	fail "hide: nested setup: isot_a's holder"
else
	out=$(nsenter -t "$hpa" -m -- "$ISO_HARNESS" isot-hp isot_b sh -c 'ls -A /tmp; echo "rc-in=0"' 2>&1)
	echo "$out" | sed 's/^/     | /'
	expect_match "hide: a session opened from inside isot_a's sandbox works" "^rc-in=0$" "$out"
	expect_match "hide: ... and stays in that sandbox (nested: its /tmp)" "^hp_marker$" "$out"
	check "hide: ... without a sandbox of its own (no holder record for isot_b)" \
		test ! -e "/run/pam_isolate/user-$UB.user.holder"
	check "hide: isot_a's holder is untouched" test "$(holder_pid isot_a)" = "$hpa"
	# How the helper told: PID 1's mount namespace where root may read
	# it, else (this kind of host) the marker the record writer left,
	# named by the holder's mount namespace inode.
	hino=$(stat -L -c %i "/proc/$hpa/ns/mnt")
	expect_eq "hide: the holder's mntns marker names its record" "user-$UA.user.holder" \
		"$(readlink "/run/pam_isolate/mntns-$hino")"
	expect_eq "hide: ... and the record holds that inode" "$hino" \
		"$(cut -d' ' -f3 "/run/pam_isolate/user-$UA.user.holder")"
	# A holder recorded before markers existed: where PID 1's namespace
	# can be read (the VM lanes; not this kind of container host), the
	# helper knows it is not on the host and looks the old way, by a scan.
	if readlink /proc/1/ns/mnt >/dev/null 2>&1; then
		mv "/run/pam_isolate/mntns-$hino" "$ISO_TMP/marker.saved"
		out=$(nsenter -t "$hpa" -m -- "$ISO_HARNESS" isot-hp isot_b sh -c 'ls -A /tmp; echo "rc-in=0"' 2>&1)
		mv "$ISO_TMP/marker.saved" "/run/pam_isolate/mntns-$hino"
		expect_match "hide: without its marker, a session from inside is still nested (scan)" \
			"^hp_marker$" "$out"
	else
		echo "     (PID 1's mount namespace is unreadable here: the markerless case is the VM lane's)"
	fi
	# A marker is a hint, never proof: one for the host's namespace that
	# names isot_a's live record must not make a host login "nested".
	mine=$(stat -L -c %i /proc/self/ns/mnt)
	ln -s "user-$UA.user.holder" "/run/pam_isolate/mntns-$mine"
	on_exit "rm -f '/run/pam_isolate/mntns-$mine'"
	out=$(HP isot_b sh -c 'ls -A /tmp; echo "tmpfs=$(stat -f -c %T /tmp)"; echo "rc-host=0"' 2>&1)
	rm -f "/run/pam_isolate/mntns-$mine"
	expect_match "hide: with a forged marker a host login still works" "^rc-host=0$" "$out"
	expect_match "hide: ... in a sandbox (its private /tmp)" "^tmpfs=tmpfs$" "$out"
	expect_nomatch "hide: ... of its own, not isot_a's" "^hp_marker$" "$out"
fi
pkill -KILL -u isot_a sleep
kill "$bsleep" 2>/dev/null
check "hide: the sandbox goes with its last process" \
	wait_gone test -e "/run/pam_isolate/user-$UA.user.holder"
check "hide: ... and its mntns marker with it" \
	wait_gone sh -c "find /run/pam_isolate -maxdepth 1 -name 'mntns-*' -lname 'user-$UA.*' | grep -q ."

# --- private_tmp = disk: per-user directories that outlive the sandbox ---
iso_user isot_d
iso_user isot_e
on_exit "iso_kill_holders isot_d isot_e"
iso_tmp_instances isot_d isot_e
UD=$(id -u isot_d)
DCONF=$(iso_conf disk <<EOF
cgroup_root = "$ROOT"
default {
    tasks_max = 128
    namespaces = { user, pid, mount }
    private_tmp = disk
    on_logout = kill
}
EOF
)
iso_service isot-sbd "$DCONF"
D() { "$ISO_HARNESS" isot-sbd "$@"; }
gone_d() { WAIT_TENTHS=100 wait_gone test -e "/run/pam_isolate/user-$UD.user.holder"; }
out=$(D isot_d sh -c 'echo kept > /tmp/f; echo vkept > /var/tmp/g; echo "fs=$(stat -f -c %T /tmp)"; ls -A /tmp /var/tmp; stat -c "tmp=%a" /tmp' 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "disk: /tmp is on the host's disk, not a tmpfs" "^fs=$(stat -f -c %T /tmp)$" "$out"
expect_match "disk: a sticky 1777 /tmp, as the host's" "^tmp=1777$" "$out"
expect_nomatch "disk: the host's /tmp is not visible" "isot_host_marker|pam_isolate" "$out"
check "disk: the sandbox goes at logout (on_logout = kill)" gone_d
expect_eq "disk: the roots are root's 0700 dirs" "700 root root
700 root root" "$(stat -c '%a %U %G' /tmp/.pam_isolate /var/tmp/.pam_isolate)"
expect_eq "disk: after logout the instance is root's 1777, the file the user's" "1777 root
isot_d
kept" "$(stat -c '%a %U' "/tmp/.pam_isolate/$UD" "/tmp/.pam_isolate/$UD/f" | sed 2s/^644.//; cat "/tmp/.pam_isolate/$UD/f")"
check "disk: /var/tmp's file is kept too" grep -qx vkept "/var/tmp/.pam_isolate/$UD/g"
out=$(D isot_d sh -c 'cat /tmp/f /var/tmp/g' 2>&1)
expect_eq "disk: the next login reads both back" "kept
vkept" "$out"
gone_d
out=$(D isot_e sh -c "ls -A /tmp; cat /tmp/.pam_isolate/$UD/f 2>/dev/null || echo refused" 2>&1)
expect_eq "disk: another user's session sees an empty /tmp, none of the first's files" "refused" "$out"
out=$(runuser -u isot_e -- sh -c "cat /tmp/.pam_isolate/$UD/f 2>&1; ls /var/tmp/.pam_isolate 2>&1" 2>&1)
expect_match "disk: outside a session another user cannot read the instance" "Permission denied" "$out"
expect_nomatch "  ... nor list the roots" "^$UD$" "$out"
gone_d

# --- squatters: a user pre-creates a root as their own dir, or as a
# symlink to a root-owned dir: the login works, the target is untouched ---
for d in /tmp /var/tmp; do
	mv "$d/.pam_isolate" "$d/.pam_isolate.isot-saved.$$"
	on_exit "rm -rf '$d/.pam_isolate' '$d'/.pam_isolate.bad-*; mv '$d/.pam_isolate.isot-saved.$$' '$d/.pam_isolate'"
done
runuser -u isot_e -- mkdir -m 0777 /tmp/.pam_isolate
runuser -u isot_e -- sh -c "mkdir -m 0777 /tmp/.pam_isolate/$UD; echo planted > /tmp/.pam_isolate/$UD/f"
runuser -u isot_e -- ln -s /etc /var/tmp/.pam_isolate
etc_before=$(stat -c '%a %U %h' /etc; ls -A /etc | md5sum)
out=$(D isot_d sh -c 'cat /tmp/f 2>&1; ls -A /tmp; echo in-session' 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "squat: the login still works" "^in-session$" "$out"
expect_nomatch "  ... and does not use the planted /tmp dir" "planted" "$out"
expect_eq "  ... /etc (the symlink's target) untouched" "$etc_before" "$(stat -c '%a %U %h' /etc; ls -A /etc | md5sum)"
check "  ... no instance made in /etc" test ! -e "/etc/$UD"
expect_eq "  ... both squatters renamed aside, still the user's" "isot_e
isot_e" "$(stat -c %U /tmp/.pam_isolate.bad-* /var/tmp/.pam_isolate.bad-* 2>&1)"
check "  ... /var/tmp's was the symlink" test -L "$(ls -d /var/tmp/.pam_isolate.bad-* | head -1)"
expect_eq "  ... new roots are root's 0700" "700 root
700 root" "$(stat -c '%a %U' /tmp/.pam_isolate /var/tmp/.pam_isolate)"
gone_d

# --- filesystems mounted on a root: an admin's own (a tmpfs here) is used;
# a FUSE one, which reports any owner its daemon likes and is the one kind
# a user can mount (fusermount), never is, and the refusal says why.
# lxcfs (make deps) is the FUSE daemon here: it says root:root ---
mount -t tmpfs -o mode=0700,size=1M isot-admin /var/tmp/.pam_isolate
on_exit "umount /var/tmp/.pam_isolate"
out=$(D isot_d sh -c 'echo vt > /var/tmp/f; echo in-session' 2>&1)
expect_match "mounted root: an admin's tmpfs there is used" "^in-session$" "$out"
check "  ... the instance is on it" test -e "/var/tmp/.pam_isolate/$UD/f"
gone_d
umount /var/tmp/.pam_isolate
if ! command -v lxcfs >/dev/null || [ ! -e /dev/fuse ]; then
	skip "mounted root: a FUSE one" "no lxcfs or no /dev/fuse (make deps)"
else
	lxcfs -f -p "$ISO_TMP/lxcfs.pid" /var/tmp/.pam_isolate >"$ISO_TMP/lxcfs.log" 2>&1 &
	lxp=$!
	on_exit "kill $lxp; sleep 0.5; umount -l /var/tmp/.pam_isolate"
	wait_for 50 eval '[ "$(stat -f -c %T /var/tmp/.pam_isolate 2>/dev/null)" = fuseblk ] || [ "$(stat -f -c %t /var/tmp/.pam_isolate 2>/dev/null)" = 65735546 ]'
	echo "     FUSE on the root: $(stat -c '%U:%G %a' /var/tmp/.pam_isolate), type $(stat -f -c '%T (%t)' /var/tmp/.pam_isolate)"
	out=$(D isot_d sh -c 'echo in-session' 2>&1)
	echo "$out" | sed 's/^/     | /'
	expect_nomatch "mounted root: FUSE: no session on it" "^in-session$" "$out"
	expect_match "  ... and the user reads why" "a FUSE filesystem is mounted there" "$out"
	kill "$lxp"
	wait "$lxp" 2>/dev/null
	umount -l /var/tmp/.pam_isolate 2>/dev/null
	out=$(D isot_d sh -c 'echo in-session' 2>&1)
	expect_match "  ... unmounted: the next login works" "^in-session$" "$out"
	gone_d
fi

iso_finish
