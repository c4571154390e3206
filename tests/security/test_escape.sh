#!/bin/bash
# A confined user trying to get out: from inside a session (write the
# cgroup's limit files, move into a parent's or another user's cgroup,
# make sub-cgroups, mount a cgroup hierarchy of their own, join the
# holder's namespaces) and from outside it on the host (signal, ptrace,
# inspect or setns into a holder). test_sandbox.sh covers kill/ptrace of
# the holder and umount from inside; this covers the rest. Every attempt
# must fail and leave limits, cgroup membership and holders as they were.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/seclib.sh"
sec_setup esc isot_ea isot_eb
UA=$(id -u isot_ea)
UB=$(id -u isot_eb)

sec_conf esc 30% 200
H() { sec_harness isot-esc "$@"; }

# Both users keep a session open the whole time.
for u in isot_ea isot_eb; do
	H "$u" sleep 600 >/dev/null 2>&1 &
	on_exit "pkill -KILL -u $u sleep"
done
# the holder's record is written before the caller's leaf is made: wait
# for both users' holders and session leaves
leaf_of() { find "$CPU/$SEC_ROOT/user-$1" -maxdepth 1 -name 'session-*' 2>/dev/null | head -1; }
for _ in $(seq 1 200); do
	[ -n "$(holder_pid "$UA")" ] && [ -n "$(holder_pid "$UB")" ] &&
		[ -n "$(leaf_of "$UA")" ] && [ -n "$(leaf_of "$UB")" ] && break
	sleep 0.1
done
HA=$(holder_pid "$UA")
HB=$(holder_pid "$UB")
LEAF_B=$(leaf_of "$UB")
check "setup: both users have a live sandboxed session" test -n "$HA" -a -n "$HB" -a -n "$(leaf_of "$UA")" -a -n "$LEAF_B"
if iso_is_v2; then QUOTA=cpu.max; else QUOTA=cpu.cfs_quota_us; fi

# expect_refused NAME OUTPUT: OUTPUT has the line "NAME: refused"
expect_refused() {
	local line
	line=$(printf '%s\n' "$2" | grep -m1 -F "$1: " || true)
	if [ "$line" = "$1: refused" ]; then
		pass "$1"
		sec_row "$1" "refused" "limits, cgroup membership, holders unchanged (checked below)"
	else
		fail "$1" "got: ${line:-no output}"
		sec_row "$1" "NOT REFUSED" "${line:-no output}"
	fi
}

# ---------------------------------------------------------------------------
# from inside a session of isot_ea
before=$(sec_snapshot)
ATTACKS=$(cat <<EOF
try() { n=\$1; shift; if "\$@" >/dev/null 2>&1; then echo "\$n: done"; else echo "\$n: refused"; fi; }
U=\$(id -u)
me=\$(grep -E '(:cpu:|^0::)' /proc/self/cgroup)
echo "cgroup-before: \$me"
leaf=$CPU\$(echo "\$me" | cut -d: -f3)
try "write own user cgroup $QUOTA" sh -c "echo max > $CPU/$SEC_ROOT/user-\$U/$QUOTA"
try "write own user cgroup pids.max" sh -c "echo max > $PIDS/$SEC_ROOT/user-\$U/pids.max"
try "write own session leaf $QUOTA" sh -c "echo max > \$leaf/$QUOTA"
try "move into own user cgroup (parent)" sh -c "echo \\\$\\\$ > $CPU/$SEC_ROOT/user-\$U/cgroup.procs"
try "move into the cgroup_root" sh -c "echo \\\$\\\$ > $CPU/$SEC_ROOT/cgroup.procs"
try "move into the root cgroup" sh -c "echo \\\$\\\$ > $CPU/cgroup.procs"
try "move into another user's session leaf" sh -c "echo \\\$\\\$ > $LEAF_B/cgroup.procs"
try "make a sub-cgroup in own leaf" mkdir "\$leaf/escape"
try "make a cgroup beside own user cgroup" mkdir "$CPU/$SEC_ROOT/isot-escape"
if [ -e "$CPU/release_agent" ]; then
	try "write the v1 release_agent" sh -c "echo /tmp/x > $CPU/release_agent"
	try "set notify_on_release on own cgroup" sh -c "echo 1 > $CPU/$SEC_ROOT/user-\$U/notify_on_release"
	try "mount a v1 hierarchy in an own user ns" unshare -Urm sh -c "mount -t cgroup -o pids none /mnt"
fi
try "mount cgroup2 in an own user+cgroup ns, raise pids.max" unshare -UrmC sh -c "mount -t cgroup2 none /mnt && echo max > /mnt/pids.max"
try "join the holder's user ns (nsenter -t 1 -U)" nsenter -t 1 -U true
try "join the holder's namespaces with setns as root of an own user ns" unshare -Ur nsenter -t 1 -m -p true
echo "cgroup-after: \$(grep -E '(:cpu:|^0::)' /proc/self/cgroup)"
EOF
)
out=$(H isot_ea bash -c "$ATTACKS" 2>&1)
echo "$out" | sed 's/^/     | /'
for n in "write own user cgroup $QUOTA" "write own user cgroup pids.max" "write own session leaf $QUOTA" \
	"move into own user cgroup (parent)" "move into the cgroup_root" "move into the root cgroup" \
	"move into another user's session leaf" "make a sub-cgroup in own leaf" \
	"make a cgroup beside own user cgroup" "mount cgroup2 in an own user+cgroup ns, raise pids.max" \
	"join the holder's user ns (nsenter -t 1 -U)" \
	"join the holder's namespaces with setns as root of an own user ns"; do
	expect_refused "$n" "$out"
done
if [ -e "$CPU/release_agent" ]; then
	for n in "write the v1 release_agent" "set notify_on_release on own cgroup" \
		"mount a v1 hierarchy in an own user ns"; do
		expect_refused "$n" "$out"
	done
fi
cg_before=$(printf '%s\n' "$out" | sed -n 's/^cgroup-before: //p')
cg_after=$(printf '%s\n' "$out" | sed -n 's/^cgroup-after: //p')
expect_eq "the session's shell is still in its own leaf afterwards" "$cg_before" "$cg_after"
expect_match "  ... which is the user's session leaf" "/$SEC_ROOT/user-$UA/session-" "$cg_after"
sec_expect_same "inside attacks: state dir, cgroup tree and limit files unchanged" "$before"
check "the user's holder is the same process" test "$(holder_pid "$UA")" = "$HA"
check "the other user's holder is the same process" test "$(holder_pid "$UB")" = "$HB"

# ---------------------------------------------------------------------------
# from the host, as the user, outside any session (cron, a daemon of theirs)
HOST=$(cat <<EOF
try() { n=\$1; shift; if "\$@" >/dev/null 2>&1; then echo "\$n: done"; else echo "\$n: refused"; fi; }
try "host: kill -9 own holder" kill -9 $HA
try "host: kill -9 another user's holder" kill -9 $HB
try "host: SIGSTOP own holder" kill -STOP $HA
try "host: ptrace own holder" sh -c "timeout 5 strace -qq -e trace=none -p $HA & sleep 0.5; grep -q 'TracerPid:[[:space:]]*[1-9]' /proc/$HA/status"
try "host: read own holder's environ" cat /proc/$HA/environ
try "host: read own holder's memory" head -c1 /proc/$HA/mem
try "host: list own holder's fds" ls /proc/$HA/fd
try "host: walk own holder's root" ls /proc/$HA/root/tmp
try "host: setns into own sandbox (nsenter --mount)" nsenter --mount=/proc/$HA/ns/mnt true
try "host: setns into own sandbox from an own user ns" unshare -Ur nsenter --mount=/proc/$HA/ns/mnt true
try "host: write own user cgroup $QUOTA" sh -c "echo max > $CPU/$SEC_ROOT/user-$UA/$QUOTA"
try "host: move into another user's session leaf" sh -c "echo \\\$\\\$ > $LEAF_B/cgroup.procs"
EOF
)
command -v strace >/dev/null || skip "ptrace of the holder from the host" "strace not installed"
before=$(sec_snapshot)
out=$(cd / && sec_as isot_ea bash -c "$HOST" 2>&1)
echo "$out" | sed 's/^/     | /'
for n in "host: kill -9 own holder" "host: kill -9 another user's holder" "host: SIGSTOP own holder" \
	"host: read own holder's environ" "host: read own holder's memory" "host: list own holder's fds" \
	"host: walk own holder's root" "host: setns into own sandbox (nsenter --mount)" \
	"host: setns into own sandbox from an own user ns" "host: write own user cgroup $QUOTA" \
	"host: move into another user's session leaf"; do
	expect_refused "$n" "$out"
done
command -v strace >/dev/null && expect_refused "host: ptrace own holder" "$out"
sec_expect_same "host attacks: state dir, cgroup tree and limit files unchanged" "$before"
check "holders still running, not stopped" sh -c "grep -q '^State:[[:space:]]*S' /proc/$HA/status && grep -q '^State:[[:space:]]*S' /proc/$HB/status"
check "holder records unchanged" test "$(holder_pid "$UA") $(holder_pid "$UB")" = "$HA $HB"

# ---------------------------------------------------------------------------
# a non-root helper call from inside a session placed by a stricter config
# (a service with its own conf=): the user runs the helper directly. Non-root
# callers are refused outright, so it can neither move the caller out of
# the stricter cgroup nor loosen the limits a root caller applied.
STRICT=$(iso_conf strict <<EOF
cgroup_root = "${SEC_ROOT}_strict"
default {
    cpu_quota = 5%
    tasks_max = 50
}
EOF
)
on_exit "iso_cgroup_cleanup ${SEC_ROOT}_strict"
iso_service isot-esc-strict "$STRICT"
out=$(sec_harness isot-esc-strict isot_ea "$SEC_BIN/isoattack" --helper "$SEC_HELPER" --user isot_ea \
	--print-cgroup 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "non-root helper call from inside a session: refused" 'serves PAM applications that run as root' "$out"
left_strict() { ! printf '%s\n' "$out" | grep -q "^cgroup .*:cpu:/${SEC_ROOT}_strict/"; }
check "non-root helper call cannot move its caller out of a stricter cgroup" \
	eval '! left_strict'
STRICT_SAME=$(iso_conf strict-same <<EOF
cgroup_root = "$SEC_ROOT"
default {
    cpu_quota = 5%
    tasks_max = 50
}
EOF
)
iso_service isot-esc-same "$STRICT_SAME"
q=$(sec_harness isot-esc-same isot_ea sh -c "'$SEC_BIN/isoattack' --helper '$SEC_HELPER' --user isot_ea >/dev/null 2>&1; cat $CPU/$SEC_ROOT/user-$UA/$QUOTA" 2>&1 | tail -1)
echo "     user cgroup $QUOTA after a root caller applied 5% and the user ran the helper: $q"
check "non-root helper call cannot raise the limits a root caller applied ($QUOTA=$q)" \
	test "$q" = 5000 -o "$q" = "5000 100000"

sec_table
iso_finish
