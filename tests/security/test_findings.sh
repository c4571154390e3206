#!/bin/bash
# The second security review's findings ("Security round 2" in
# SECURITY.md), one test each; each failed on the code before the fix:
#  1. a non-root caller, by direct exec or through the module, gets
#     nothing made;
#  2. a root caller inside a sandbox (without and with `user`) neither
#     drops the holder's record nor acts on a pid;
#  3. a leaf of more than 1,100 processes killed at logout: every one of
#     them dies, a decoy whose pid is the prefix where a fixed buffer cut
#     the list does not;
#  5. root processes we leave (the holder) start from the defaults, not
#     from the caller's oom_score_adj, nice, policy, affinity, RLIMIT_CPU;
#     none becomes the child of a user's subreaper;
#  6. the namespaces handed out and joined belong to root (unit test:
#     tests/unit/test_nsfd.c);
#  7. the peer check refuses a connected socket and a peer pid 0;
#  8. the shipped config gives /tmp and /var/tmp no more than a quarter of
#     the RAM (it ships private_tmp = disk: none at all).
# (4, session_max_time as a systemd timer, is tested in
# tests/systemd/test_systemd.sh; 9, a written threat model, is SECURITY.md.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/seclib.sh"
sec_setup fnd isot_fa isot_fb isot_fk
UA=$(id -u isot_fa)
UB=$(id -u isot_fb)
UK=$(id -u isot_fk)
holders_now() { pgrep -x isolate-holder | sort | tr '\n' ' '; }
# nothing of a user left (the clean-up worker of a close is asynchronous)
wait_clean() { wait_for 10 sec_user_clean "$1"; }
# holder_left UID: a holder record of UID is there (a function, so that a
# wait evaluates it each time, not once)
holder_left() { [ -n "$(holder_pid "$1")" ]; }

sec_conf fnd 50% 256
H() { sec_harness isot-fnd "$@"; }

# ---------------------------------------------------------------------------
# 1. non-root callers
before_h=$(holders_now)
sec_attack "1 non-root caller, direct exec: open" "$NONROOT" sec_attack_as isot_fa --user isot_fa
sec_attack "1 non-root caller, direct exec: open for another user" "$NONROOT" \
	sec_attack_as isot_fa --user isot_fb
sec_attack "1 non-root caller, direct exec: close" "$NONROOT" \
	sec_attack_as isot_fa --user isot_fa --op close --sid 0123456789abcdef
# through the module, in a PAM application that does not run as root
cat >/etc/pam.d/isot-fnd-nr <<EOT
auth     required pam_permit.so
account  required pam_permit.so
session  required pam_permit.so
session  required $ISO_MODULE
EOT
on_exit "rm -f /etc/pam.d/isot-fnd-nr"
nr_module() { sec_ns setpriv --reuid="$UA" --regid="$(id -g isot_fa)" --init-groups -- \
	pamtester isot-fnd-nr isot_fa open_session close_session 2>&1; echo "rc=$?"; }
sec_attack "1 non-root PAM application: the module ignores the session" 'rc=0' nr_module
# other suites' holders may end meanwhile: no new one is what counts
new_h=$(comm -13 <(printf '%s\n' $before_h | sort) <(printf '%s\n' $(holders_now) | sort) | tr '\n' ' ')
expect_eq "1 ... no holder started by any of it" "" "$new_h"
check "1 ... no state file of the user" test -z "$(ls "$SEC_RUNDIR"/user-"$UA".* 2>/dev/null)"
check "1 ... no cgroup of the user" test ! -e "$CPU/$SEC_ROOT/user-$UA"

# ---------------------------------------------------------------------------
# 7. the peer check
sec_attack "7 a connected socket (SO_PEERCRED names the listener)" \
	'socket with a name.*noreply|noreply.*' sec_attack_root --user isot_fa --connected
out=$(sec_attack_root --user isot_fa --connected 2>&1)
expect_match "7 ... refused by the peer check, not later" 'socket with a name, not one end of a socketpair' "$out"
sec_attack "7 a peer outside our pid namespace (pid 0)" 'noreply' \
	sec_attack_root --user isot_fa --child-pidns
out=$(sec_attack_root --user isot_fa --child-pidns 2>&1)
expect_match "7 ... refused as peer pid 0" 'socket peer pid 0 is not our parent' "$out"

# a /proc that is not our pid namespace's (pid numbers would name others)
procns() { (cd / && sec_ns unshare -p -f "$SEC_BIN/isoattack" --helper "$SEC_HELPER" --user isot_fa 2>&1); }
sec_attack "2 /proc of another pid namespace than the helper's: refused" \
	'helper=1 noreply.*(not our parent|not the procfs)|(not our parent|not the procfs).*helper=1 noreply' procns

# ---------------------------------------------------------------------------
# 5. what root processes we leave start from
myaff=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
out=$(sec_attack_root --user isot_fb --oom 900 --nice 15 --cpu0 --sched-idle --rlimit-cpu 30:unlimited)
hp=$(holder_pid "$UB")
if [ -n "$hp" ] && printf '%s' "$out" | grep -q 'result=confined'; then
	stat_f() { awk -v n="$1" '{ sub(/^.*\) /, ""); print $(n - 2) }' /proc/"$hp"/stat; }
	expect_eq "5 holder: oom_score_adj 0 (caller: 900)" 0 "$(cat /proc/"$hp"/oom_score_adj)"
	expect_eq "5 holder: nice 0 (caller: 15)" 0 "$(stat_f 19)"
	expect_eq "5 holder: SCHED_OTHER (caller: SCHED_IDLE)" 0 "$(stat_f 41)"
	expect_eq "5 holder: every CPU (caller: CPU 0 only)" "$myaff" \
		"$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/"$hp"/status)"
	expect_match "5 holder: RLIMIT_CPU unlimited (caller: 30 s soft)" \
		'^Max cpu time +unlimited +unlimited' "$(grep '^Max cpu time' /proc/"$hp"/limits)"
	expect_eq "5 holder: a session of its own (setsid)" "$hp" "$(stat_f 6)"
else
	fail "5 open from a caller with oom_score_adj 900, nice 15, CPU 0, SCHED_IDLE, RLIMIT_CPU 30" \
		"$(printf '%s' "$out" | tr '\n' ' ' | head -c 400)"
fi
sec_attack_root --user isot_fb --op close --sid "$(sid_of "$out")" >/dev/null
wait_clean "$UB"
# a hard limit is raised back only with CAP_SYS_RESOURCE (this build
# machine's root lacks it); without, no root process is started with it
if [ $((0x$(awk '/^CapEff/ { print $2 }' /proc/self/status) >> 24 & 1)) = 1 ]; then
	out=$(sec_attack_root --user isot_fb --rlimit-cpu 30:30)
	hp=$(holder_pid "$UB")
	expect_match "5 a caller with a hard RLIMIT_CPU of 30 s: the holder's is unlimited" \
		'^Max cpu time +unlimited +unlimited' "$(grep '^Max cpu time' /proc/"$hp"/limits 2>&1)"
	sec_attack_root --user isot_fb --op close --sid "$(sid_of "$out")" >/dev/null
else
	sec_attack "5 a caller whose hard RLIMIT_CPU cannot be raised: refused, nothing made" \
		'result=denied.*hard RLIMIT_CPU' sec_attack_root --user isot_fb --rlimit-cpu 30:30
fi
wait_clean "$UB"
sec_attack "5 below a subreaper of a user (a root holder would be its child): refused" \
	'result=denied.*child subreaper' sec_attack_root --user isot_fb --subreaper-uid "$UA"
# ... nor when it becomes one only once the holder exists (after any check)
out=$(sec_attack_root --user isot_fb --late-subreaper-uid "$UA")
expect_match "5 a user's process that becomes a subreaper late: confined" 'result=confined' "$out"
expect_match "5 ... and it was given no root process (the holder's parent is its keeper)" \
	'late-subreaper adopted-root-processes=0' "$out"
sec_attack_root --user isot_fb --op close --sid "$(sid_of "$out")" >/dev/null
wait_clean "$UB"
hz=$(pgrep -x isolate-holder | while read -r p; do
	[ "$(awk '{ sub(/^.*\) /, ""); print $1 }' /proc/"$p"/stat)" = Z ] && echo "$p"; done | wc -l)
echo "     isolate-holder zombies on the machine after that logout: $hz"
out=$(sec_attack_root --user isot_fb --subreaper-uid 0)
expect_match "5 below a root subreaper: confined as normal" 'result=confined' "$out"
sec_attack_root --user isot_fb --op close --sid "$(sid_of "$out")" >/dev/null
WAIT_TENTHS=50 wait_gone holder_left "$UB"

# ... nor in the caller's cgroup (a user's delegated one could freeze it),
# also for a rule that manages no cgroup at all
SCONF=$(iso_conf sandbox-only <<EOF
cgroup_root = "$SEC_ROOT"
default {
    namespaces = { user, pid, mount }
    on_logout = kill
}
EOF
)
out=$(sec_attack_root --user isot_fb --conf "$SCONF")
hp=$(holder_pid "$UB")
kp=$(awk '{ sub(/^.*\) /, ""); print $2 }' /proc/"$hp"/stat 2>/dev/null)
expect_match "5 a sandbox-only rule: the keeper runs in <root>/daemons, not the caller's cgroup" \
	":pids:/$SEC_ROOT/daemons\$" "$(cat /proc/"$kp"/cgroup 2>&1)"
sec_attack_root --user isot_fb --conf "$SCONF" --op close --sid "$(sid_of "$out")" >/dev/null
wait_clean "$UB"

# ---------------------------------------------------------------------------
# 2. a root caller inside a sandbox (su in a session) and the holder's
# record: no record dropped, no pid acted on, with or without `user`
for ns in "pid, mount" "user, pid, mount"; do
	tag=$(echo "$ns" | tr -d ' ,')
	NCONF=$(iso_conf "nest-$tag" <<EOF
cgroup_root = "$SEC_ROOT"
default {
    cpu_quota = 50%
    tasks_max = 256
    namespaces = { $ns }
    on_logout = kill
}
EOF
)
	iso_service "isot-fnd-$tag" "$NCONF"
	sec_harness "isot-fnd-$tag" isot_fa sleep 600 >"$ISO_TMP/nest-$tag.out" 2>&1 &
	# The record is written before the caller's leaf is made: wait for
	# both, and for a holder that lives (not the last round's, going).
	hp='' outer=''
	for _ in $(seq 1 200); do
		hp=$(holder_pid "$UA")
		outer=$(ls "$CPU/$SEC_ROOT/user-$UA" 2>/dev/null | grep '^session-' | head -1)
		[ -n "$hp" ] && [ -n "$outer" ] && kill -0 "$hp" 2>/dev/null && break
		sleep 0.1
	done
	rec=$(cat "$SEC_RUNDIR/user-$UA.user.holder" 2>/dev/null)
	if [ -z "$hp" ] || [ -z "$outer" ] || ! kill -0 "$hp" 2>/dev/null; then
		fail "2 [$ns] setup: a live session with a holder" "holder '${hp}' leaf '${outer}' record '${rec}'" "$(cat "$ISO_TMP/nest-$tag.out")"
		pkill -KILL -u isot_fa sleep
		continue
	fi
	inside() { nsenter -t "$hp" -m -p -- "$SEC_BIN/isoattack" --helper "$SEC_HELPER" --conf "$NCONF" "$@" 2>&1; }
	hs=$(pgrep -x isolate-holder | sort)
	in_open=$(inside --user isot_fa)
	expect_match "2 [$ns] open from inside: confined" 'result=confined' "$in_open"
	expect_eq "2 [$ns] ... cgroup only (no sandbox nested: no new holder)" "$hs" "$(pgrep -x isolate-holder | sort)"
	inside --user isot_fa --op close --sid "$(sid_of "$in_open")" --origin "$(origin_of "$in_open")" >/dev/null
	inside --user isot_fa --op close --sid "${outer#session-}" >/dev/null
	expect_eq "2 [$ns] closes from inside (its own and the outer session's): the record stays" \
		"$rec" "$(cat "$SEC_RUNDIR/user-$UA.user.holder" 2>/dev/null)"
	check "2 [$ns] ... and the holder lives" kill -0 "$hp"
	check "2 [$ns] ... and the outer session's processes live" sh -c "pgrep -u isot_fa -x sleep >/dev/null"
	pkill -KILL -u isot_fa sleep
	wait
	WAIT_TENTHS=150 wait_gone holder_left "$UA" ||
		fail "2 [$ns] the holder's record goes with the session" "$(cat "$SEC_RUNDIR/user-$UA.user.holder" 2>&1)"
done

# ---------------------------------------------------------------------------
# 8. the shipped config: /tmp and /var/tmp together no more than a quarter
# of the RAM (only cgroup_root is ours, every other line as shipped)
SHIPPED=$(sed "s/^cgroup_root = .*/cgroup_root = \"$SEC_ROOT\"/" "$ISO_TOP/config/isolate.conf" | iso_conf shipped)
iso_service isot-fnd-shipped "$SHIPPED"
mem=$(($(awk '/^MemTotal/ { print $2 }' /proc/meminfo) * 1024))
echo host >/dev/shm/isot_shm_marker_$$
on_exit "rm -f /dev/shm/isot_shm_marker_$$"
echo host >/tmp/isot_tmp_marker_$$
on_exit "rm -f /tmp/isot_tmp_marker_$$"
out=$(sec_harness isot-fnd-shipped isot_fk sh -c 'df -B1 --output=size,target /tmp /var/tmp; stat -f -c "fs %i" /tmp /var/tmp; stat -f -c "type %T" /tmp /var/tmp; ls -A /tmp | sed "s/^/tmp: /"; ls /dev/shm | sed "s/^/shm: /"' 2>&1)
expect_nomatch "8 shipped config: /dev/shm is private (the host's file is not seen)" "isot_shm_marker" "$out"
tmp=$(printf '%s\n' "$out" | awk '$2 == "/tmp" { print $1 }')
vtmp=$(printf '%s\n' "$out" | awk '$2 == "/var/tmp" { print $1 }')
echo "     shipped config: /tmp ${tmp:-?} bytes, /var/tmp ${vtmp:-?} bytes, RAM $mem bytes"
if ! printf '%s\n' "$out" | grep -q '^type tmpfs$'; then
	# private_tmp = disk: the user's instances on the host's disk
	expect_nomatch "8 shipped config: /tmp is private (the host's file is not seen)" "isot_tmp_marker" "$out"
	expect_eq "8 shipped config: /tmp and /var/tmp are on the host's disk, no RAM at all" \
		"type $(stat -f -c %T /tmp)
type $(stat -f -c %T /var/tmp)" "$(printf '%s\n' "$out" | grep '^type ')"
elif [ -n "$tmp" ] && [ "$tmp" -le $((mem / 4)) ] && [ -n "$vtmp" ] && [ "$vtmp" -le $((mem / 4)) ]; then
	pass "8 shipped config: /tmp and /var/tmp each at most a quarter of the RAM"
	expect_eq "8 ... and one file system for both (one bound for the two)" 1 \
		"$(printf '%s\n' "$out" | grep '^fs ' | sort -u | wc -l)"
else
	fail "8 shipped config: /tmp and /var/tmp each at most a quarter of the RAM" "$out"
fi
WAIT_TENTHS=50 wait_gone holder_left "$UK"

# ---------------------------------------------------------------------------
# 3. on_logout = kill with another session open: a leaf of 1,400 processes.
# The list is longer than any fixed buffer; on v1 cgroup.procs is sorted,
# so where an 8 KiB read cut it is known: a pid whose first digits were
# read as a shorter pid. A decoy of ours (outside the leaf) gets exactly
# that pid; it must survive, and everything in the leaf must die.
KCONF=$(iso_conf kill <<EOF
cgroup_root = "$SEC_ROOT"
default {
    cpu_quota = 90%
    tasks_max = 4000
    on_logout = kill
}
EOF
)
iso_service isot-fnd-kill "$KCONF"
sec_harness isot-fnd-kill isot_fk sleep 600 >/dev/null 2>&1 &
KA=$!
D=$(mktemp -d /run/isot-fnd.XXXXXX)
on_exit "rm -rf '$D'"
chmod 1777 "$D"
mkfifo -m 0666 "$D/go1" "$D/go2" "$D/go3"
used() { [ -d "/proc/$1" ]; }
# a base for the 5-digit pids such that the cut's 4-digit prefix and its
# neighbours are free (the machine's own processes stay where they are)
NB=1400
B0=""
for b in $(seq 12000 37 30000); do
	[ $((b + NB + 200)) -lt "$(cat /proc/sys/kernel/pid_max)" ] || break
	p=$(((b + 1370) / 10))
	ok=1
	for q in $(seq $((p - 15)) $((p + 15))); do used "$q" && ok=0 && break; done
	[ "$ok" = 1 ] && { B0=$b; break; }
done
sec_harness isot-fnd-kill isot_fk bash -c '
	echo $$ >"$1/bash.pid"
	read -r _ <"$1/go1"; for i in 1 2 3; do sleep 600 & done; echo ok >"$1/done1"
	read -r _ <"$1/go2"; for i in $(seq 1 "$2"); do sleep 600 & done; echo ok >"$1/done2"
	read -r _ <"$1/go3"' isot-kill "$D" "$NB" >/dev/null 2>&1 &
KB=$!
for _ in $(seq 1 100); do [ -s "$D/bash.pid" ] && break; sleep 0.1; done
echo 1999 >/proc/sys/kernel/ns_last_pid
echo go >"$D/go1"
for _ in $(seq 1 100); do [ -e "$D/done1" ] && break; sleep 0.05; done
echo $((${B0:-12000} - 1)) >/proc/sys/kernel/ns_last_pid
echo go >"$D/go2"
for _ in $(seq 1 300); do [ -e "$D/done2" ] && break; sleep 0.1; done
BASH_PID=$(cat "$D/bash.pid")
HARN_PID=$(awk '{ sub(/^.*\) /, ""); print $2 }' /proc/"$BASH_PID"/stat)
LEAF_B=$(grep -l "^$BASH_PID\$" "$CPU/$SEC_ROOT/user-$UK"/session-*/cgroup.procs | head -1)
LEAF_B=${LEAF_B%/cgroup.procs}
# what the close will list: the sleepers (bash exits, the harness is
# moved out before the kill)
grep -vx -e "$BASH_PID" -e "$HARN_PID" "$LEAF_B/cgroup.procs" >"$D/list"
n=$(wc -l <"$D/list")
DECOY=""
if ! iso_is_v2; then
	# bytes 0..8190 are what a read(8191) got: the entry cut there
	cut=$(head -c 8191 "$D/list" | tail -n 1)
	echo "     leaf of $n processes; an 8 KiB read ends inside pid $(sed -n "$(($(head -c 8191 "$D/list" | wc -l) + 1))p" "$D/list"), at \"$cut\""
else
	# v2 lists in no order: any listed pid's free 4-digit prefix
	cut=$(awk 'length($0) == 5 { print substr($0, 1, 4) }' "$D/list" |
		while read -r q; do used "$q" || { echo "$q"; break; }; done)
fi
if [ -n "$cut" ] && [ "${#cut}" -lt 5 ] && ! used "$cut"; then
	for _ in 1 2 3 4 5; do
		echo $((cut - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 600 &
		if [ "$!" = "$cut" ]; then DECOY=$!; break; fi
		kill -KILL $! 2>/dev/null
	done
fi
check "3 setup: a decoy of ours whose pid is a listed pid cut short ($cut)" test -n "$DECOY"
[ -n "$DECOY" ] && on_exit "kill -KILL $DECOY 2>/dev/null"
check "3 setup: more than 1,100 processes in the closing session's leaf ($n)" test "$n" -gt 1100
echo go >"$D/go3"
wait "$KB"
for _ in $(seq 1 50); do [ "$(pgrep -u isot_fk -x sleep | wc -l)" -le 1 ] && break; sleep 0.1; done
expect_eq "3 logout (kill, another session open): every process of the closing session died" 1 \
	"$(pgrep -u isot_fk -x sleep | wc -l)"
check "3 ... the other session lives" kill -0 "$KA"
[ -n "$DECOY" ] && check "3 ... and the decoy, whose pid is a prefix of a listed one, lives" kill -0 "$DECOY"
pkill -KILL -u isot_fk sleep
wait "$KA" 2>/dev/null

sec_table
iso_finish
