#!/bin/bash
# Policy depth (issue 11), for real through a PAM stack: scope (min_uid,
# services, "!name" in exempt lists, the services= module argument), the
# failure policy of each class, session_max_time, a private /dev/shm, the
# cgroup namespace and its cgroupfs view, no_new_privs; and on cgroup v2
# (VM lane) memory_high, swap_max and the memory_max clamp. Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_install_helper

ROOT=isot_pol_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_group isot_pgrp
iso_user isot_pa -G isot_pgrp
iso_user isot_pb -G isot_pgrp
iso_user isot_pc
on_exit "iso_kill_holders isot_pa isot_pb isot_pc"
UA=$(id -u isot_pa)
UC=$(id -u isot_pc)
CPU=$(iso_cg_mount cpu)
PIDS=$(iso_cg_mount pids)
iso_syslog_start

# run SVC USER CMD...: a session through the harness with syslog caught
run() { iso_in_override "$ISO_HARNESS" "$@"; }
confined() { printf '%s' "$1" | grep -q "/$ROOT/user-"; }

# --- scope: min_uid ---
C=$(iso_conf minuid <<EOF
cgroup_root = "$ROOT"
min_uid = 60000
default { tasks_max = 64 }
EOF
)
iso_service isot-pol "$C"
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
expect_nomatch "min_uid: a uid below it is left alone" "/$ROOT/" "$out"
expect_log "min_uid: the log says why" "rule=.*min_uid.*result=exempt"

# --- scope: services in the config, and the services= module argument ---
C=$(iso_conf services <<EOF
cgroup_root = "$ROOT"
services = { "isot-other" }
default { tasks_max = 64 }
EOF
)
iso_service isot-pol "$C"
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
expect_nomatch "services: a service not listed is left alone" "/$ROOT/" "$out"
iso_service isot-other "$C"
out=$(run isot-other isot_pa cat /proc/self/cgroup 2>&1)
expect_match "services: a listed service is confined" "/$ROOT/user-$UA/session-" "$out"
C2=$(iso_conf services-arg <<EOF
cgroup_root = "$ROOT"
default { tasks_max = 64 }
EOF
)
iso_service isot-pol "$C2" services=sshd,login
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
expect_nomatch "services= module argument: other services are left alone" "/$ROOT/" "$out"
iso_service isot-pol "$C2" services=sshd,isot-pol
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
expect_match "services= module argument: a listed service is confined" "/$ROOT/user-$UA/" "$out"
iso_service isot-pol "$C2" services=SSHD,ISOT-POL
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
expect_match "  ... named in any case, as the config's services key" "/$ROOT/user-$UA/" "$out"

# --- scope: a session pam_slurm_adopt put into a Slurm job's cgroup stays
# there: not moved, not sandboxed. The job's cgroup is made by this test
# where Slurm makes them: /slurm/uid_UID/job_N (cgroup/v1 plugin) on the
# v1 host, /system.slice/slurmstepd.scope/job_N (v2 plugin) in the VM ---
if iso_is_v2; then SLTOP=system.slice SLJOB=system.slice/slurmstepd.scope/job_42; else SLTOP=slurm SLJOB=slurm/uid_$UA/job_42; fi
SL="$CPU/$SLJOB"
if [ -e "$CPU/$SLTOP" ]; then
	fail "slurm: $CPU/$SLTOP exists (not this test's): cannot make a job cgroup of our own"
	SL=""
else
	on_exit "rmdir '$SL/step_extern'; d='$SL'; while [ \"\$d\" != '$CPU' ]; do rmdir \"\$d\" || break; d=\$(dirname \"\$d\"); done"
	mkdir -p "$SL/step_extern"
fi
C=$(iso_conf slurm <<EOF
cgroup_root = "$ROOT"
default { tasks_max = 64
    namespaces = { user, mount }
    hide_processes = yes }
EOF
)
iso_service isot-pol "$C"
: >"$ISO_SYSLOG_FILE"
# a subshell moved into the job first, as pam_slurm_adopt moves sshd
out=$(echo "$BASHPID" >"$SL/step_extern/cgroup.procs" &&
	run isot-pol isot_pa sh -c 'cat /proc/self/cgroup; test -e /proc/1 && echo proc1-seen' 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "slurm: the session stays in the job's cgroup" ":/$SLJOB/step_extern$" "$out"
expect_nomatch "  ... and is not moved to the user's" "/$ROOT/" "$out"
expect_match "  ... nor sandboxed (the host's /proc)" "^proc1-seen$" "$out"
expect_log "  ... and the log says why" "result=slurm-job: the session is in Slurm job 42's cgroup"
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
expect_match "slurm: the same user outside a job is confined" "/$ROOT/user-$UA/session-" "$out"

# --- scope: "!name" un-exempts ---
C=$(iso_conf negation <<EOF
cgroup_root = "$ROOT"
exempt_groups = { "isot_pgrp" }
exempt_users = { "!isot_pb" }
default { tasks_max = 64 }
EOF
)
iso_service isot-pol "$C"
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
expect_nomatch "exempt group: a member is left alone" "/$ROOT/" "$out"
out=$(run isot-pol isot_pb cat /proc/self/cgroup 2>&1)
expect_match "\"!isot_pb\": the negated member is confined" "/$ROOT/user-$(id -u isot_pb)/" "$out"

# --- failure policy per class ---
# cgroup class: a quota under the kernel's 1 ms minimum per period
C=$(iso_conf cg-allow <<EOF
cgroup_root = "$ROOT"
on_error = deny
on_cgroup_error = allow
default { cpu_quota = 0.5% }
EOF
)
iso_service isot-pol "$C"
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
rc=$?
expect_eq "on_cgroup_error = allow: a cgroup failure lets the session in" 0 "$rc"
expect_nomatch "  ... unconfined" "/$ROOT/" "$out"
expect_log "  ... and the log names the class" "error=cgroup result=allowed-unconfined"
C=$(iso_conf cg-deny <<EOF
cgroup_root = "$ROOT"
on_error = allow
on_cgroup_error = deny
default { cpu_quota = 0.5% }
EOF
)
iso_service isot-pol "$C"
out=$(run isot-pol isot_pa true 2>&1)
rc=$?
expect_eq "on_cgroup_error = deny wins over on_error = allow" 20 "$rc"
expect_match "  ... and the user is told the class" "cgroup error: " "$out"
# config class: a broken file, on_config_error over on_error
C=$(iso_conf cfg-allow <<EOF
on_error = deny
on_config_error = allow
default { cpu_quota = fifty }
EOF
)
iso_service isot-pol "$C"
run isot-pol isot_pa true >/dev/null 2>&1
expect_eq "on_config_error = allow: a broken config lets the session in" 0 "$?"
C=$(iso_conf cfg-deny <<EOF
on_error = allow
on_config_error = deny
default { cpu_quota = fifty }
EOF
)
iso_service isot-pol "$C"
out=$(run isot-pol isot_pa true 2>&1)
expect_eq "on_config_error = deny wins over on_error = allow" 20 "$?"
expect_match "  ... told as a config error with file:line" "config error: .*cfg-deny\.conf:3:" "$out"
# a broken file still exempts the users its exempt lists name, the groups
# of exempt_groups too (an admin's sudo group), "!name" entries included
C=$(iso_conf cfg-exempt <<EOF
on_error = deny
exempt_users = { "!isot_pb" }
exempt_groups = { isot_pgrp }
default { cpu_quota = fifty }
EOF
)
iso_service isot-pol "$C"
: >"$ISO_SYSLOG_FILE"
run isot-pol isot_pa true >/dev/null 2>&1
expect_eq "a broken config: a user of a group in exempt_groups is let in" 0 "$?"
expect_log "  ... exempt, and the log says why" \
	"open user=isot_pa uid=$UA: config unusable .*exempt \(listed in exempt_users or exempt_groups"
run isot-pol isot_pb true >/dev/null 2>&1
expect_eq "  ... not one of its members that exempt_users takes back (\"!isot_pb\")" 20 "$?"
run isot-pol isot_pc true >/dev/null 2>&1
expect_eq "  ... nor a user outside the group" 20 "$?"
# namespace class: a multi-threaded PAM application cannot join a mount ns
for pol in allow deny; do
	C=$(iso_conf "ns-$pol" <<EOF
cgroup_root = "$ROOT"
on_error = $([ $pol = allow ] && echo deny || echo allow)
on_namespace_error = $pol
default {
    tasks_max = 64
    namespaces = { user, pid, mount }
}
EOF
)
	iso_service isot-pol "$C"
	out=$(ISO_HARNESS_THREADS=1 run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
	rc=$?
	if [ $pol = allow ]; then
		expect_eq "on_namespace_error = allow: a failed join lets the session in" 0 "$rc"
		expect_nomatch "  ... unconfined (the placement was undone)" "/$ROOT/" "$out"
	else
		expect_eq "on_namespace_error = deny: a failed join refuses the session" 20 "$rc"
	fi
	check "  ... and leaves no leaf behind ($pol)" wait_gone test -e "$PIDS/$ROOT/user-$UA"
done

# --- session_max_time: killed on time ---
C=$(iso_conf maxtime <<EOF
cgroup_root = "$ROOT"
default {
    tasks_max = 64
    session_max_time = 3s
}
EOF
)
iso_service isot-pol "$C"
t0=$(date +%s%N)
run isot-pol isot_pc sh -c 'sleep 60; echo survived' >"$ISO_TMP/mt" 2>&1
rc=$?
t=$((($(date +%s%N) - t0) / 1000000))
echo "     session_max_time = 3s: the session ended after $t ms (status $rc)"
check "session_max_time = 3s ends the session after 3 s, not before" test "$t" -ge 2900
# the upper bound leaves room for an emulated VM's slow start and close:
# what it tells apart is a kill at the deadline from the 60 s sleep
check "  ... and well before its 60 s sleep (< 30 s)" test "$t" -lt 30000
expect_nomatch "  ... its processes never got further" "survived" "$(cat "$ISO_TMP/mt")"
check "  ... no process of the user left" wait_gone sh -c "pgrep -u isot_pc -x sleep >/dev/null"
check "  ... its cgroup is cleaned up though no close came" wait_gone test -e "$PIDS/$ROOT/user-$UC"
expect_log "  ... and the log says why" "session_max_time of 3 s reached"

# --- session_max_time of a per-session, kept sandbox whose job outlives
# the logout: at the deadline the job and its sandbox end (the watcher
# follows the closed session's leftover leaf "left-<sid>"). The deadline
# counts from the open, before the sandbox is made: 10 s, not 3, leaves
# an emulated VM time to see the sandbox outlive the logout first ---
C=$(iso_conf maxtime-ps <<EOF
cgroup_root = "$ROOT"
default {
    tasks_max = 64
    session_max_time = 10s
    namespaces = { user, pid, mount }
    sandbox = per-session
    on_logout = keep
}
EOF
)
iso_service isot-pol "$C"
run isot-pol isot_pc sh -c 'setsid sleep 60 </dev/null >/dev/null 2>&1 &' >/dev/null 2>&1
check "per-session keep: the job's sandbox outlives the logout" \
	sh -c "ls /run/pam_isolate/user-$UC.s-*.holder >/dev/null 2>&1"
WAIT_TENTHS=300 check "  ... until session_max_time: the job is killed" \
	wait_gone sh -c "pgrep -u isot_pc -x sleep >/dev/null"
check "  ... and its per-session sandbox ends with it" \
	wait_gone sh -c "ls /run/pam_isolate/user-$UC.s-*.holder >/dev/null 2>&1"
check "  ... and its cgroup" wait_gone test -e "$PIDS/$ROOT/user-$UC"

# --- private /dev/shm, cgroup namespace and view, no_new_privs ---
# not under /run: it is mounted nosuid in the VM lane
mkdir -p /usr/local/libexec
SUID=$(mktemp -d /usr/local/libexec/isot-suid.XXXXXX)
chmod 0755 "$SUID"
on_exit "rm -rf '$SUID'"
cp /usr/bin/id "$SUID/id"
chmod 4755 "$SUID/id"
echo host >/dev/shm/isot_host_shm_$$
on_exit "rm -f /dev/shm/isot_host_shm_$$"
C=$(iso_conf polish <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = 20%
    tasks_max = 64
    namespaces = { user, pid, mount }
    private_shm = yes
    cgroup_ns = yes
    no_new_privs = yes
}
user "isot_pb" { no_new_privs = no }
EOF
)
iso_service isot-pol "$C"
# another user's live session: its cgroup must not be visible
run isot-pol isot_pc sleep 3 >/dev/null 2>&1 &
other=$!
sleep 1
probe='echo "cg=$(grep -E "cpu:|^0::" /proc/self/cgroup)"; echo "shm=$(ls -A /dev/shm | tr "\n" " ")"; touch /dev/shm/made-inside
echo "users=$(ls '"$CPU"' | grep -c "^user-")"; echo "quota=$(cat '"$CPU"'/cpu.cfs_quota_us '"$CPU"'/cpu.max 2>/dev/null | head -1)"
echo "nnp=$(grep NoNewPrivs /proc/self/status | tr -dc 0-9)"; echo "euid=$('"$SUID"'/id -u)"'
out=$(run isot-pol isot_pa sh -c "$probe" 2>&1)
wait $other
echo "$out" | sed 's/^/     | /'
if iso_is_v2; then
	expect_match "cgroup_ns: /proc/self/cgroup reads 0::/" "^cg=0::/$" "$out"
else
	expect_match "cgroup_ns: /proc/self/cgroup reads N:cpu:/" "^cg=[0-9]+:cpu:/$" "$out"
fi
expect_match "cgroup_ns: no user's cgroup dir is visible, only the own one's content" "^users=0$" "$out"
expect_match "cgroup_ns: the own limits are readable" "^quota=20000" "$out"
expect_match "private_shm: /dev/shm is empty inside" "^shm=$" "$out"
check "private_shm: nothing made inside shows up on the host" test ! -e /dev/shm/made-inside
expect_match "no_new_privs is set in the session" "^nnp=1$" "$out"
expect_match "no_new_privs: a setuid-root binary gains nothing" "^euid=$UA$" "$out"
out=$(run isot-pol isot_pb sh -c "$probe" 2>&1)
expect_match "no_new_privs = no in a user rule: setuid works again" "^euid=0$" "$out"

# --- memory (cgroup v2 only: the memory hierarchy of this build machine
# supervises the machine itself and is never touched) ---
# --- drop-ins (issue 17): <config>.d/*.conf, each error at its file:line ---
C=$(iso_conf dropin <<EOF
cgroup_root = "$ROOT"
default { tasks_max = 64 }
EOF
)
mkdir -m 0755 "$C.d"
cat >"$C.d/50-pa.conf" <<EOF
# one file per concern, as configuration management writes them
user "isot_pa" {
    cpu_quota = 30%
}
EOF
chmod 0644 "$C.d/50-pa.conf"
iso_service isot-pol "$C"
out=$(run isot-pol isot_pa sh -c "cat /proc/self/cgroup; cat $CPU/$ROOT/user-$UA/cpu.cfs_quota_us $CPU/$ROOT/user-$UA/cpu.max 2>/dev/null | head -1" 2>&1)
expect_match "drop-in: its rule confines the login" "/$ROOT/user-$UA/session-" "$out"
expect_match "drop-in: with the drop-in's quota (30%)" "^30000" "$(printf '%s\n' "$out" | tail -1)"
run_ctl() { OUT=$("$ISO_BUILD/isolatectl" "$@" 2>"$ISO_TMP/ctl.err"); RC=$?; ERR=$(cat "$ISO_TMP/ctl.err"); }
run_ctl explain -c "$C" isot_pa
expect_match "drop-in: explain names the file the value came from" \
	"cpu_quota +30% +user isot_pa \($C.d/50-pa.conf:2\)" "$OUT"
printf 'user "isot_pb" {\n    cpu_quota = fifty\n}\n' >"$C.d/60-bad.conf"
chmod 0644 "$C.d/60-bad.conf"
run_ctl check-config "$C"
expect_eq "drop-in: an error names the drop-in's file and line" \
	"1 $C.d/60-bad.conf:2: cpu_quota: invalid value \"fifty\" (expected a percentage like \"50%\" or \"12.5%\", or \"max\")" "$RC $ERR"
: >"$ISO_SYSLOG_FILE"
out=$(run isot-pol isot_pc cat /proc/self/cgroup 2>&1)
expect_nomatch "drop-in: a broken drop-in refuses the login (on_error = deny)" "/$ROOT/" "$out"
expect_log "drop-in: the log names the drop-in's file and line" "60-bad.conf:2: cpu_quota"
rm -f "$C.d/60-bad.conf"
chmod 0666 "$C.d/50-pa.conf"
run_ctl check-config "$C"
expect_match "drop-in: a group/world-writable drop-in is refused like the main file" \
	"$C.d/50-pa.conf: refusing group/world-writable config \(mode 0666\)" "$RC $ERR"
chmod 0644 "$C.d/50-pa.conf"
chmod 0777 "$C.d"
run_ctl check-config "$C"
expect_match "drop-in: a world-writable drop-in directory is refused" \
	"refusing config in group/world-writable directory $C.d " "$ERR"
chmod 0755 "$C.d"
# a drop-in's "+=" adds to the main file's lists as its "=" does: its
# take-back of one member of an exempt group holds
C=$(iso_conf dropin-ex <<EOF
cgroup_root = "$ROOT"
exempt_groups = { isot_pgrp }
default { tasks_max = 64 }
EOF
)
mkdir -m 0755 "$C.d"
printf 'exempt_users += { "!isot_pb" }\n' >"$C.d/50-takeback.conf"
chmod 0644 "$C.d/50-takeback.conf"
iso_service isot-pol "$C"
out=$(run isot-pol isot_pa cat /proc/self/cgroup 2>&1)
expect_nomatch "drop-in +=: a member of the exempt group is exempt" "/$ROOT/" "$out"
out=$(run isot-pol isot_pb cat /proc/self/cgroup 2>&1)
expect_match "drop-in +=: the member it takes back is confined" "/$ROOT/user-$(id -u isot_pb)/session-" "$out"

if iso_is_v2 && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	C=$(iso_conf mem <<EOF
cgroup_root = "$ROOT"
default {
    memory_max = 256M
    memory_high = 192M
    swap_max = 0
}
EOF
)
	iso_service isot-pol "$C"
	out=$(run isot-pol isot_pa sh -c 'd=/sys/fs/cgroup/'"$ROOT"'/user-$(id -u); cat $d/memory.max $d/memory.high $d/memory.swap.max' 2>&1 | tr '\n' ' ')
	expect_eq "memory_max, memory_high, swap_max written" "268435456 201326592 0 " "$out"
	# a session holding 48M (it says so once it does, and holds until
	# killed: an emulated VM is slow to get there); then a rule of 16M:
	# clamped to the usage
	run isot-pol isot_pa perl -e '$| = 1; $x = "a" x (48 << 20); print "held\n"; sleep 600' \
		>"$ISO_TMP/hold" 2>&1 &
	holder_job=$!
	check "a session holds 48M" wait_for 120 sh -c 'grep -qx held "$1" || ! kill -0 "$2"' sh "$ISO_TMP/hold" "$holder_job"
	check "  ... (it runs)" kill -0 "$holder_job"
	C=$(iso_conf mem-low <<EOF
cgroup_root = "$ROOT"
default { memory_max = 16M }
EOF
)
	iso_service isot-pol "$C"
	out=$(run isot-pol isot_pa cat /sys/fs/cgroup/$ROOT/user-$UA/memory.max 2>&1)
	check "memory_max below the usage is clamped to it (read $out > 16M)" test "${out:-0}" -gt $((16 << 20))
	expect_log "  ... and the clamp is logged" "memory_max 16777216 is below the"
	pkill -u isot_pa -x perl
	wait $holder_job
	out=$(run isot-pol isot_pa cat /sys/fs/cgroup/$ROOT/user-$UA/memory.max 2>&1)
	expect_eq "  ... the next login, usage gone, gets the configured 16M" "16777216" "$out"
	# an allocation over memory_max is OOM-killed in the session; the next
	# login works
	C=$(iso_conf mem-oom <<EOF
cgroup_root = "$ROOT"
default {
    memory_max = 32M
    swap_max = 0
}
EOF
)
	iso_service isot-pol "$C"
	out=$(run isot-pol isot_pa sh -c 'perl -e "\$x = \"a\" x (64 << 20); print qq(survived\n)"; echo "status=$?"; cat /sys/fs/cgroup/'"$ROOT"'/user-$(id -u)/memory.events' 2>&1)
	echo "$out" | sed 's/^/     | /'
	expect_match "a 64M allocation under memory_max = 32M is OOM-killed (SIGKILL)" "^status=137$" "$out"
	expect_match "  ... memory.events counts it" "^oom_kill [1-9]" "$out"
	out=$(run isot-pol isot_pa sh -c 'echo next-login-ok' 2>&1)
	expect_match "  ... and the next login works" "^next-login-ok$" "$out"
else
	echo "     (memory keys: exercised in the cgroup v2 VM lane; never on this host's memory hierarchy)"
fi

iso_finish
