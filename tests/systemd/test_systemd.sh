#!/bin/bash
# The systemd cgroup backend (cgroup_backend = systemd, helper/systemd.c),
# for real: runs INSIDE the systemd VM (tests/run-systemd-lane.sh:
# tests/vm/run-vm.sh --systemd). Sessions open through a PAM stack with
# pam_loginuid, pam_systemd, then pam_isolate, as on a systemd host;
# logind puts them in user-UID.slice/session-N.scope, we must leave them
# there, put the limits on the slice through systemd, keep the sandbox,
# place the holder in a scope of the user's slice, and leave nothing
# behind at logout.
# shellcheck disable=SC2016  # the sh -c scripts are single-quoted on purpose
. "$(dirname "$0")/../lib.sh"
iso_need_root
if [ ! -d /run/systemd/system ] || [ "$(hostname)" != pam-isolate-vm ]; then
	# it adds users, PAM services and runs sessions through logind
	iso_log "run me in the systemd VM: tests/vm/run-vm.sh --systemd bash $0"
	exit 2
fi
iso_setup
iso_install_helper

ROOT=isot_sd_$$ # cgroupfs subtree name: must never appear on this host
# no subuid ranges: the VM's overlay /etc/subuid is not ours to grow
iso_user isot_sd -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
iso_user isot_sk -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
iso_user isot_st -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
on_exit "iso_kill_holders isot_sd isot_sk isot_st"
UD=$(id -u isot_sd)
UK=$(id -u isot_sk)
UT=$(id -u isot_st)

CONF=$(iso_conf systemd <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 20%
    tasks_max = 64
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = kill
}
user "isot_sk" { on_logout = keep }
user "isot_st" { session_max_time = 15s }
EOF
)
FORCED=$(iso_conf forced <<EOF
cgroup_backend = systemd
default { tasks_max = 64 }
EOF
)
# The stack of a systemd host: pam_loginuid, pam_systemd, then us, last.
sd_service() { # NAME CONF [with_systemd]
	cat >"/etc/pam.d/$1" <<EOT
auth     required pam_permit.so
account  required pam_permit.so
session  required pam_loginuid.so
${3:+session  required pam_systemd.so}
session  required $ISO_MODULE conf=$2
EOT
	on_exit "rm -f '/etc/pam.d/$1'"
}
sd_service isot-sd "$CONF" yes
sd_service isot-nosd "$FORCED"
sd_service isot-forced "$FORCED" yes
H() { "$ISO_HARNESS" isot-sd "$@"; }

# A directory the sessions (as their user) report into; /run is shared
# with the sandbox, /tmp is not.
OUT=$(mktemp -d /run/isot-sd-out.XXXXXX)
chmod 1777 "$OUT"
on_exit "rm -rf '$OUT'"
echo outside >/tmp/isot_sd_marker

holder_units() { systemctl list-units --all --plain --no-legend 'isolate-holder-*' 2>/dev/null | awk '{ print $1 }'; }
no_holder_unit() { [ -z "$(holder_units)" ]; }
no_session_of() { ! loginctl list-sessions --no-legend 2>/dev/null | awk '{ print $3 }' | grep -qx "$1"; }
no_state_of() { ! ls /run/pam_isolate/user-"$1".* >/dev/null 2>&1; }

# --- a session through pam_systemd + pam_isolate, observed from both sides ---
# The session reports what it sees, then waits for the word to log out.
H isot_sd sh -c "cat /proc/self/cgroup >$OUT/cg; ps -e -o pid=,comm= >$OUT/ps;
	ls -A /tmp >$OUT/tmp; echo mine >/tmp/isot_sd_inside; : >$OUT/ready;
	while [ ! -e $OUT/stop ]; do sleep 0.2; done" >"$OUT/h1.log" 2>&1 &
h1=$!
wait_for 90 eval 'test -e "$OUT/ready" || ! kill -0 '"$h1"
if [ ! -e "$OUT/ready" ]; then
	fail "the session started" "$(cat "$OUT/h1.log")"
	: >"$OUT/stop"
	wait "$h1"
	iso_finish
	exit 1
fi
pass "the session started"
sessions=$(loginctl list-sessions --no-legend)
echo "     loginctl list-sessions (during the session):"
loginctl list-sessions 2>&1 | sed 's/^/     | /'
loginctl show-session "$(echo "$sessions" | awk -v u=isot_sd '$3 == u { print $1; exit }')" \
	-p Name -p Scope -p State -p Class -p Type 2>&1 | sed 's/^/     | /'
expect_match "loginctl lists the session" "^ *[0-9a-z]+ +$UD +isot_sd( |$)" "$sessions"
SID=$(echo "$sessions" | awk -v u=isot_sd '$3 == u { print $1; exit }')
cg=$(cat "$OUT/cg")
echo "     the session's /proc/self/cgroup: $cg"
expect_eq "the session stays in its logind scope" "0::/user.slice/user-$UD.slice/session-$SID.scope" "$cg"
expect_eq "logind's scope of the session is that one" "Scope=session-$SID.scope" \
	"$(loginctl show-session "$SID" -p Scope)"
props=$(systemctl show -p CPUQuotaPerSecUSec,TasksMax "user-$UD.slice")
echo "     systemctl show -p CPUQuotaPerSecUSec,TasksMax user-$UD.slice:"
echo "$props" | sed 's/^/     | /'
expect_eq "the slice has the configured quota and tasks limit" \
	"$(printf 'CPUQuotaPerSecUSec=200ms\nTasksMax=64')" "$props"
expect_eq "systemd wrote them to the slice's cgroup" "20000 100000 64" \
	"$(cat "/sys/fs/cgroup/user.slice/user-$UD.slice/cpu.max" "/sys/fs/cgroup/user.slice/user-$UD.slice/pids.max" | tr '\n' ' ' | sed 's/ $//')"
# ps in the sandbox: its init (the holder), the session's shell, ps
expect_eq "ps -e in the session shows the holder as PID 1" "1 isolate-holder" "$(head -1 "$OUT/ps" | sed 's/^ *//')"
expect_nomatch "ps -e in the session shows nothing of the host" "systemd|dbus|logind|bash|session_harn" "$(cat "$OUT/ps")"
expect_eq "the session's /tmp is private and empty" "" "$(cat "$OUT/tmp")"
check "a file the session made in /tmp is not in the host's /tmp" test ! -e /tmp/isot_sd_inside
hpid=$(holder_pid "$UD")
expect_eq "the holder is in its scope in the user's slice" \
	"0::/user.slice/user-$UD.slice/isolate-holder-$UD.scope" "$(cat "/proc/$hpid/cgroup" 2>&1)"
expect_eq "systemd has the holder scope active in user-$UD.slice" \
	"$(printf 'Slice=user-%s.slice\nActiveState=active' "$UD")" \
	"$(systemctl show -p Slice,ActiveState "isolate-holder-$UD.scope")"
expect_journal "the log says which backend and why" "cgroup backend systemd \(auto: systemd runs and the session is in /user.slice/user-$UD.slice/session-$SID.scope\)" \
	-t pam_isolate
check "nothing was written into cgroupfs by hand (no $ROOT subtree)" test ! -e "/sys/fs/cgroup/$ROOT"
# isolatectl metrics and top read the user's slice
mx=$("$ISO_BUILD/isolatectl" metrics -c "$CONF" isot_sd 2>&1)
echo "$mx" | grep -v '^#' | grep 'user="isot_sd"' | sed 's/^/     | /'
L="user=\"isot_sd\",uid=\"$UD\",rule=\"default\""
expect_match "metrics: isot_sd on the systemd backend" "^pam_isolate_user_info\{$L,backend=\"systemd\"\} 1$" "$mx"
expect_match "metrics: the slice's quota, 0.2 CPUs" "^pam_isolate_cpu_quota_cpus\{$L\} 0\.2$" "$mx"
expect_match "metrics: one live session scope" "^pam_isolate_sessions\{$L\} 1$" "$mx"
expect_match "metrics: the sandbox runs" "^pam_isolate_sandbox\{$L\} 1$" "$mx"
expect_match "metrics: the slice's CPU counter" "^pam_isolate_cpu_seconds_total\{$L\} [0-9.e-]+$" "$mx"
top=$("$ISO_BUILD/isolatectl" top -c "$CONF" -b -n 1 -d 0.5 2>&1)
echo "$top" | sed 's/^/     | /'
expect_match "top -b -n 1: isot_sd's row (default rule, 1 session, 20%)" "^isot_sd +default +1 +[0-9.]+ +20% " "$top"

# --- a second session of the same user: shares the sandbox; its logout
# (on_logout = kill) must not take the sandbox from the first ---
# (by its command line: counting "sh" races with forks not yet exec'd)
out=$(H isot_sd sh -c 'cat /tmp/isot_sd_inside; ps -e -o args= | grep -q "[w]hile \[ ! -e" && echo sees-first' 2>&1)
expect_eq "a second session shares /tmp and sees the first session's shell" "$(printf 'mine\nsees-first')" "$out"
check "the second logout left the first session's holder alive" kill -0 "$hpid"
expect_eq "and its scope active" "ActiveState=active" "$(systemctl show -p ActiveState "isolate-holder-$UD.scope")"

# --- logout of the last session (on_logout = kill): nothing left ---
: >"$OUT/stop"
wait "$h1"
expect_eq "the first session closed cleanly" 0 "$?"
check "the holder scope is gone" wait_for 20 no_holder_unit
check "the holder is gone" wait_for 20 eval '! kill -0 '"$hpid"' 2>/dev/null'
check "logind dropped the session" wait_for 20 no_session_of isot_sd
check "no state or lock file of the user left" wait_for 10 no_state_of "$UD"
check "no process of the user left" wait_for 10 iso_no_procs isot_sd
rm -f "$OUT/stop" "$OUT/ready"

# --- a CPU burner is held to the quota (20 % of one CPU) ---
# bash's time: CPU of two burners over the wall time they ran; and the
# slice's own cpu.stat over the same span (emulation stretches `timeout 3`).
burn='s=/sys/fs/cgroup/user.slice/user-$(id -u).slice/cpu.stat
	u0=$(awk "/^usage_usec/ { print \$2 }" $s); t0=$(date +%s%N)
	TIMEFORMAT="%3R %3U %3S"
	time (timeout 3 sh -c "while :; do :; done" & timeout 3 sh -c "while :; do :; done" & wait)
	u1=$(awk "/^usage_usec/ { print \$2 }" $s); t1=$(date +%s%N)
	echo "slice $((u1 - u0)) $(((t1 - t0) / 1000))"'
out=$(H isot_sd bash -c "$burn" 2>&1)
t=$(echo "$out" | grep -E '^[0-9.]+ [0-9.]+ [0-9.]+$' | tail -1)
sl=$(echo "$out" | awk '$1 == "slice" { print $2, $3 }')
used=$(echo "$t" | awk '{ if ($1 > 0) printf "%.3f", ($2 + $3) / $1; else print "nan" }')
slice_used=$(echo "$sl" | awk '{ if ($2 > 0) printf "%.3f", $1 / $2; else print "nan" }')
echo "     measured: 2 burners for 3 s under cpu_quota=20%: $used of one CPU (wall user sys: $t);" \
	"the slice's cpu.stat: $slice_used (usage_usec span_usec: $sl)"
check "burner held to its quota (usage $used <= 0.30)" awk -v u="$used" 'BEGIN { exit !(u <= 0.30) }'
check "burner did run (usage $used >= 0.10)" awk -v u="$used" 'BEGIN { exit !(u >= 0.10) }'
check "the slice's usage agrees (slice $slice_used <= 0.30)" awk -v u="$slice_used" 'BEGIN { exit !(u <= 0.30) }'

# --- on_logout = keep: the sandbox outlives a logout while it is used,
# and goes once idle ---
H isot_sk sh -c 'setsid sleep 300 </dev/null >/dev/null 2>&1 & echo left' >/dev/null 2>&1
expect_eq "keep: a session leaving a process behind closes" 0 "$?"
check "keep: the holder scope stays while the sandbox is used" \
	test "$(systemctl show -p ActiveState "isolate-holder-$UK.scope")" = ActiveState=active
pkill -KILL -u isot_sk -x sleep
wait_for 10 eval '! pgrep -u isot_sk -x sleep >/dev/null'
H isot_sk true >/dev/null 2>&1
expect_eq "keep: the next session opens and closes" 0 "$?"
check "keep: once idle, the holder scope is gone" wait_for 20 no_holder_unit
check "keep: no state or lock file left" wait_for 10 no_state_of "$UK"

# --- session_max_time: a transient timer has logind end the session ---
timer_units() { systemctl list-units --all --plain --no-legend 'isolate-max-time-*' 2>/dev/null | awk '{ print $1 }'; }
no_timer_unit() { [ -z "$(timer_units)" ]; }
s=$(date +%s%N)
H isot_st true >"$OUT/h2.log" 2>&1
rc=$?
echo "     a short session with session_max_time = 15s: status $rc after $((($(date +%s%N) - s) / 1000000)) ms"
sed 's/^/     | /' "$OUT/h2.log"
expect_eq "max time: a short session opens and closes" 0 "$rc"
check "max time: its close stopped the timer" no_timer_unit
s=$(date +%s)
H isot_st sh -c ": >$OUT/ready; sleep 120" >"$OUT/h3.log" 2>&1 &
h3=$!
wait_for 60 eval 'test -e "$OUT/ready" || ! kill -0 '"$h3"
expect_match "max time: a timer for the session is active" "^isolate-max-time-[0-9]+-[0-9a-f]{16}\.timer$" "$(timer_units)"
wait "$h3"
rc=$?
el=$(($(date +%s) - s))
echo "     session_max_time = 15s: the session ended after ${el} s (status $rc)"
check "max time: logind ended the session in time (status $rc, ${el} s < 60 s)" test "$el" -lt 60 -a "$rc" -ne 0
check "max time: logind dropped the session" wait_for 20 no_session_of isot_st
check "max time: the timer is gone" wait_for 20 no_timer_unit
# the warning on the session's terminal (logind's TTY: PAM_TTY), warn s
# before the end: at once here, as 15 s is less than the 60 s it comes before
# (the terminal the user's, as login and sshd make it)
out=$(script -qec "chown isot_st \"\$(tty)\" && exec $ISO_HARNESS isot-sd isot_st sleep 120" /dev/null 2>&1 </dev/null)
echo "$out" | tr -d '\r' | grep -v '^$' | sed 's/^/     | /'
expect_match "max time: the session's terminal gets the warning" \
	"pam_isolate: this session reaches its time limit \(session_max_time\) in 14 s" "$out"
check "max time: and that session is ended too" wait_for 20 no_session_of isot_st
check "max time: its timer is gone" wait_for 20 no_timer_unit
rm -f "$OUT/ready"
iso_kill_holders isot_st
systemctl stop "isolate-holder-$UT.scope" >/dev/null 2>&1

# --- isolatectl apply: a config edit reaches a live session's slice ---
APCONF=$(iso_conf apply <<EOF
cgroup_root = "$ROOT"
login_message = yes
default {
    cpu_quota = 50%
    tasks_max = 64
}
EOF
)
sd_service isot-sdap "$APCONF" yes
"$ISO_HARNESS" isot-sdap isot_sd sh -c ": >$OUT/ready; while [ ! -e $OUT/stop ]; do sleep 0.2; done" \
	>"$OUT/h4.log" 2>&1 &
h4=$!
wait_for 60 eval 'test -e "$OUT/ready" || ! kill -0 '"$h4"
slice_cpu() { cut -d' ' -f1 "/sys/fs/cgroup/user.slice/user-$UD.slice/cpu.max"; }
expect_eq "apply: the session's slice starts at 50%" "CPUQuotaPerSecUSec=500ms 50000" \
	"$(systemctl show -p CPUQuotaPerSecUSec "user-$UD.slice") $(slice_cpu)"
expect_match "login_message: the line through a systemd host's stack" \
	"pam_isolate: your limits here: 0.5 CPU, 64 tasks \(rule: default\)" "$(cat "$OUT/h4.log")"
sess0=$(loginctl list-sessions --no-legend | awk -v u=isot_sd '$3 == u { print $1; exit }')
sed -i 's/cpu_quota = 50%/cpu_quota = 25%/' "$APCONF"
out=$("$ISO_BUILD/isolatectl" apply -c "$APCONF" --dry-run isot_sd 2>&1)
echo "$out" | sed 's/^/     | /'
expect_eq "apply --dry-run on the systemd backend: the change, nothing written" \
	"$(printf 'dry run: nothing is written\nisot_sd      cpu_quota 50%% -> 25%%\nwould be: 1 changed, 0 unchanged, 0 skipped, 0 failed')|50000" \
	"$out|$(slice_cpu)"
out=$("$ISO_BUILD/isolatectl" apply -c "$APCONF" isot_sd 2>&1)
rc=$?
echo "$out" | sed 's/^/     | /'
expect_eq "apply on the systemd backend: exit 0, the change" \
	"$(printf '0 isot_sd      cpu_quota 50%% -> 25%%\n1 changed, 0 unchanged, 0 skipped, 0 failed')" "$rc $out"
expect_eq "apply: the slice's property and cgroup are 25% now" "CPUQuotaPerSecUSec=250ms 25000" \
	"$(systemctl show -p CPUQuotaPerSecUSec "user-$UD.slice") $(slice_cpu)"
check "apply: no relogin (the same session runs on)" eval 'kill -0 '"$h4"' && loginctl list-sessions --no-legend | grep -q "^ *$sess0 "'
check "apply: logged to authpriv" wait_for 10 eval 'journalctl -b --no-pager -t isolatectl 2>&1 | grep -q "apply user=isot_sd rule=default.* where=systemd slice: cpu_quota 50% -> 25%"'
: >"$OUT/stop"
wait "$h4"
expect_eq "apply: the session closes normally" 0 "$?"
rm -f "$OUT/stop" "$OUT/ready"
check "apply: logind dropped the session" wait_for 20 no_session_of isot_sd

# --- cgroup_backend = systemd without pam_systemd: refused, and why ---
out=$("$ISO_HARNESS" isot-nosd isot_sd true 2>&1)
rc=$?
expect_eq "forced systemd backend, no logind session: refused (on_error deny)" 20 "$rc"
expect_match "the user is told pam_systemd must come first" "pam_systemd must come before pam_isolate" "$out"
out=$("$ISO_HARNESS" isot-forced isot_sd cat /proc/self/cgroup 2>&1)
expect_match "forced systemd backend with pam_systemd: the session stays in its scope" \
	"^0::/user.slice/user-$UD.slice/session-[0-9a-z]+.scope$" "$out"

# --- hide_processes (the shipped form): no pid namespace, a locked
# hidepid=invisible /proc; systemctl --user and PAMName= units work ---
iso_user isot_sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0
on_exit "iso_kill_holders isot_sh"
UH=$(id -u isot_sh)
HCONF=$(iso_conf hide <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 20%
    tasks_max = 64
    namespaces = { user, mount }
    hide_processes = yes
    private_tmp = yes
    on_logout = keep
}
EOF
)
sd_service isot-sdhp "$HCONF" yes
# the lane masks the per-user manager for speed; systemctl --user needs it
um=$(readlink /etc/systemd/system/user@.service 2>/dev/null)
if [ "$um" = /dev/null ]; then
	systemctl unmask user@.service >/dev/null 2>&1
	systemctl daemon-reload
	on_exit "systemctl mask user@.service >/dev/null 2>&1; systemctl daemon-reload"
fi
t_hide=$(date +%s)
"$ISO_HARNESS" isot-sdhp isot_sh sh -c "export XDG_RUNTIME_DIR=/run/user/$UH
	ps -e -o user= | sort | uniq -c >$OUT/hps
	ls -A /tmp >$OUT/htmp
	findmnt -n -o OPTIONS /proc | tail -1 >$OUT/hopts
	unshare -Urm sh -c 'umount /proc 2>/dev/null || umount -l /proc 2>/dev/null; test -e /proc/1 && echo seen || echo hidden' >$OUT/humount 2>&1
	unshare -Urm sh -c 'mount -t proc proc /proc 2>/dev/null && echo done || echo refused' >$OUT/hmount 2>&1
	for i in \$(seq 1 150); do
		st=\$(systemctl --user is-system-running 2>&1)
		case \$st in running|degraded) break;; esac
		sleep 0.4
	done
	echo \"\$st\" >$OUT/huser
	: >$OUT/ready
	while [ ! -e $OUT/stop ]; do sleep 0.2; done" >"$OUT/h4.log" 2>&1 &
h4=$!
wait_for 120 eval 'test -e "$OUT/ready" || ! kill -0 '"$h4"
echo "     hide_processes session: ps -e -o user= | sort | uniq -c:"
sed 's/^/     | /' "$OUT/hps" 2>/dev/null
echo "     /proc options: $(cat "$OUT/hopts" 2>/dev/null); systemctl --user is-system-running: $(cat "$OUT/huser" 2>/dev/null)"
expect_match "hide: ps -e lists the user's own processes" "^ *[0-9]+ isot_sh$" "$(cat "$OUT/hps" 2>&1)"
expect_nomatch "hide: ... and nothing of root or other users" "root|messagebus|isot_sd|isot_sk" "$(cat "$OUT/hps" 2>&1)"
expect_match "hide: /proc is hidepid=invisible" "hidepid=invisible" "$(cat "$OUT/hopts" 2>&1)"
expect_eq "hide: the session's /tmp is private and empty" "" "$(cat "$OUT/htmp" 2>&1)"
expect_eq "hide: unshare -Urm: umount /proc fails (locked), nothing shows" "hidden" "$(cat "$OUT/humount" 2>&1)"
expect_eq "hide: unshare -Urm: mount -t proc fails" "refused" "$(cat "$OUT/hmount" 2>&1)"
expect_match "hide: systemctl --user is-system-running answers" "^(running|degraded)$" "$(cat "$OUT/huser" 2>&1)"
hph=$(holder_pid "$UH")
check "hide: the holder is in the host's pid namespace (no pid namespace of its own)" \
	test -n "$hph" -a "$(readlink "/proc/$hph/ns/pid")" = "$(readlink /proc/self/ns/pid)"

# a unit with PAMName= (what systemctl --user -M user@ runs, too)
t_unit=$(date +%s)
out=$(timeout 120 systemd-run -q -p PAMName=isot-sdhp -p User=isot_sh --wait -P \
	sh -c 'echo ok; cat /proc/self/cgroup; readlink /proc/self/ns/mnt; ps -e -o user= | sort -u; ls -A /tmp; echo "oom $(cat /proc/self/oom_score_adj)"' 2>&1)
rc=$?
echo "     systemd-run -p PAMName=isot-sdhp -p User=isot_sh --wait -P sh -c ... (status $rc):"
echo "$out" | sed 's/^/     | /'
expect_eq "PAMName=: the unit runs and exits 0" 0 "$rc"
expect_match "PAMName=: it prints ok" "^ok$" "$out"
expect_match "PAMName=: its process is in the user's slice (the rule's limits)" \
	"^0::/user.slice/user-$UH.slice/" "$out"
expect_match "PAMName=: ... and in the user's sandbox (the holder's mount namespace)" \
	"^$(readlink "/proc/$hph/ns/mnt" 2>/dev/null | sed 's/[][]/\\&/g')$" "$out"
expect_nomatch "PAMName=: it sees no process of others, nor the host's /tmp" "^root$|isot_sd_marker" "$out"
expect_nomatch "PAMName=: no helper refusal on the unit's output" "helper|pam_isolate" "$out"
# the process that opened the session is the unit's own: no OOM guard
# (-1000 would stay with the user's code)
expect_match "PAMName=: the unit's process keeps its oom_score_adj (no OOM guard)" "^oom 0$" "$out"
sleep 2
jl=$(journalctl --no-pager -o short-monotonic --since=@"$t_unit" 2>&1 | grep -E "pam_isolate|sd-pam|run-u" | grep -iE "error|cannot|refus|fail|not permitted")
expect_eq "PAMName=: no pam_isolate error in the journal (open and (sd-pam)'s close)" "" "$jl"
ul=$(timeout 120 systemctl --user -M isot_sh@ is-system-running 2>&1)
expect_match "systemctl --user -M isot_sh@ answers (a PAMName=login unit)" "^(running|degraded)$" "$ul"
: >"$OUT/stop"
wait "$h4"
expect_eq "hide: the session closed cleanly" 0 "$?"
rm -f "$OUT/stop" "$OUT/ready"
jh=$(journalctl --no-pager --since=@"$t_hide" -p err 2>&1 | grep -E "pam_isolate")
expect_eq "hide: no pam_isolate error in the journal since the session began" "" "$jh"
loginctl terminate-user isot_sh >/dev/null 2>&1
check "hide: the holder goes with the user's slice" wait_for 40 no_holder_unit

# --- check-config and explain on a systemd host: what a pid namespace costs
out=$("$ISO_BUILD/isolatectl" check-config "$CONF" 2>&1)
expect_match "check-config warns: a pid namespace on a systemd host" \
	"warning: default: a pid namespace on a systemd host breaks systemctl --user, sd-bus peer checks and units with PAMName=" "$out"
out=$("$ISO_BUILD/isolatectl" check-config "$HCONF" 2>&1)
expect_nomatch "check-config: no such warning for hide_processes" "pid namespace on a systemd host" "$out"
out=$("$ISO_BUILD/isolatectl" explain -c "$CONF" isot_sd 2>&1)
expect_match "explain says what the pid namespace costs here" "systemd host: the pid namespace breaks systemctl --user" "$out"

check "still no $ROOT subtree anywhere" test ! -e "/sys/fs/cgroup/$ROOT"
iso_finish
