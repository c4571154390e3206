#!/bin/bash
# mode = audit, for real: a group under audit is placed and accounted in
# its user cgroup like an enforced one, but gets no limit and no
# namespace; isolatectl report then shows what the rule would have done
# (a burner above the would-be cpu_quota). The same user under enforce
# gets the quota and the sandbox. Root only; cpu and pids only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_install_helper

CTL=$ISO_BUILD/isolatectl
ROOT=isot_au_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_group isot_aug
iso_user isot_au -G isot_aug
iso_user isot_ae
on_exit "iso_kill_holders isot_au isot_ae"
UA=$(id -u isot_au)
CPU=$(iso_cg_mount cpu)
if [ "$CPU" = /sys/fs/cgroup ]; then
	quota() { cut -d' ' -f1 "$CPU/$ROOT/user-$1/cpu.max"; }
	NOLIMIT=max
else
	quota() { cat "$CPU/$ROOT/user-$1/cpu.cfs_quota_us"; }
	NOLIMIT=-1
fi

# one group audited, the rest (and the top level) enforced
rules() {
	cat <<EOF
cgroup_root = "$ROOT"
mode = $1
default {
    cpu_quota = 20%
    tasks_max = 64
    namespaces = { user, pid, mount }
    private_tmp = yes
    on_logout = keep
}
EOF
}
CONF=$( (rules enforce; echo 'group "isot_aug" { mode = audit }') | iso_conf audit)
ECONF=$(rules enforce | iso_conf enforce)
iso_service isot-au "$CONF"
iso_service isot-ae "$ECONF"

echo hostfile >/tmp/isot_audit_marker_$$
on_exit "rm -f /tmp/isot_audit_marker_$$"
HOST_PIDNS=$(readlink /proc/self/ns/pid)

# --- explain and status show the mode ---
out=$("$CTL" explain -c "$CONF" isot_au 2>&1)
expect_match "explain: the audited group's user shows mode audit" "^Mode: +audit" "$out"
expect_match "explain: the mode key comes from the group section" "^  mode +audit +group isot_aug" "$out"
out=$("$CTL" explain -c "$CONF" isot_ae 2>&1)
expect_match "explain: a user outside the group is enforced" "^Mode: +enforce" "$out"
out=$("$CTL" explain -c "$(rules audit | iso_conf top)" isot_ae 2>&1)
expect_match "explain: a top-level mode = audit reaches every section" "^  mode +audit +top level" "$out"

# The sessions below burn CPU from their first command until the test
# has read what it needs and ends them (timeout only guards a test that
# dies): an emulated VM is too slow for a fixed burn of a few seconds.
# shellcheck disable=SC2016
BURN='timeout 300 sh -c "while :; do :; done" &'
# (or the session has ended: the checks then say what is missing)
burning() { wait_for 60 sh -c 'pgrep -u isot_au -x timeout >/dev/null || ! kill -0 "$1"' sh "$sp"; }

# --- an audited session: placed and accounted, no quota, no namespace ---
"$ISO_HARNESS" isot-au isot_au sh -c "$BURN"'
	echo "pidns=$(readlink /proc/self/ns/pid)"
	echo "procs=$(ps -e -o pid= | wc -l)"
	ls /tmp | grep -q isot_audit_marker && echo "tmp=host" || echo "tmp=private"
	cat /proc/self/cgroup
	wait; true' >"$ISO_TMP/audit" 2>&1 &
sp=$!
check "audit: the session's burner runs" burning
sleep 3
q=$(quota "$UA")
report=$("$CTL" report -c "$CONF" isot_au 2>&1)
status=$("$CTL" status -c "$CONF" isot_au 2>&1)
pkill -u isot_au -x timeout
wait $sp
rc=$?
out=$(cat "$ISO_TMP/audit")
echo "$out" | sed 's/^/     | /'
echo "$report" | sed 's/^/     > /'
expect_eq "audit: the session opens" 0 "$rc"
expect_match "audit: the session is in its user cgroup" ":/$ROOT/user-$UA/session-" "$out"
expect_eq "audit: no cpu quota is written ($NOLIMIT)" "$NOLIMIT" "$q"
expect_line "audit: no pid namespace (the host's)" "pidns=$HOST_PIDNS" "$out"
check "audit: the session sees host processes" test "$(echo "$out" | sed -n 's/^procs=//p')" -gt 10
expect_match "audit: /tmp is the host's" "^tmp=host$" "$out"
check "audit: no sandbox holder" test -z "$(holder_pid isot_au)"
expect_match "report: names the mode and the rule" "^isot_au \(uid $UA\): mode audit.*rule group isot_aug" "$report"
expect_match "report: the burner is above the would-be 20% quota" "would-be cpu_quota 20% allows .*ABOVE by" "$report"
expect_match "report: usage well above 20% (a busy loop: near one CPU)" "= ([4-9][0-9]|1[0-9][0-9])\.[0-9]% of one CPU" "$report"
expect_match "report: says what tasks it can know" "^  tasks +(peak|now) [0-9]+" "$report"
expect_match "status: shows the mode" "^  mode +audit" "$status"
check "audit: on_logout = keep tidies the cgroup as usual" wait_gone test -e "$CPU/$ROOT/user-$UA"

# --- the same user under enforce: quota and sandbox ---
"$ISO_HARNESS" isot-ae isot_au sh -c "$BURN"'
	echo "pidns=$(readlink /proc/self/ns/pid)"
	wait; true' >"$ISO_TMP/enf" 2>&1 &
sp=$!
check "enforce: the session's burner runs" burning
sleep 2.5
q=$(quota "$UA")
report=$("$CTL" report -c "$ECONF" isot_au 2>&1)
pkill -u isot_au -x timeout
wait $sp
out=$(cat "$ISO_TMP/enf")
echo "$report" | sed 's/^/     > /'
expect_eq "enforce: the quota is written (20% of 100ms)" 20000 "$q"
check "enforce: the session has its own pid namespace" test "$(echo "$out" | sed -n 's/^pidns=//p')" != "$HOST_PIDNS"
expect_match "report: an enforced user stays within the quota" "allows .*: within" "$report"
expect_match "report: the enforced user's mode" "mode enforce" "$report"
check "enforce: nothing left after the session" wait_gone test -e "$CPU/$ROOT/user-$UA"

# --- memory peaks: only where memory is ours to use (the v2 VM lane) ---
if [ "$CPU" = /sys/fs/cgroup ]; then
	MCONF=$( (rules enforce; echo 'group "isot_aug" { mode = audit
    memory_max = 32M
    swap_max = 0 }') | iso_conf mem)
	iso_service isot-am "$MCONF"
	"$ISO_HARNESS" isot-am isot_au sh -c '
		perl -e "\$s = \"x\" x (64 << 20)" && echo "alloc=ok"
		echo allocated
		sleep 600' >"$ISO_TMP/mem" 2>&1 &
	sp=$!
	wait_for 120 sh -c 'grep -qx allocated "$1" || ! kill -0 "$2"' sh "$ISO_TMP/mem" "$sp"
	mmax=$(cat "$CPU/$ROOT/user-$UA/memory.max" 2>&1)
	report=$("$CTL" report -c "$MCONF" isot_au 2>&1)
	pkill -u isot_au -x sleep
	wait $sp
	echo "$report" | sed 's/^/     > /'
	expect_match "audit: 64M allocate though the rule says memory_max 32M" "^alloc=ok$" "$(cat "$ISO_TMP/mem")"
	expect_eq "audit: memory.max is written as max" max "$mmax"
	expect_match "report: the memory peak is above the would-be memory_max" \
		"peak [0-9.]+M \(memory.peak\) vs would-be memory_max 32.0M: ABOVE" "$report"
	check "nothing left after the session" wait_gone test -e "$CPU/$ROOT/user-$UA"
else
	echo "     (memory peak: checked in the v2 VM lane; this host's memory hierarchy is not ours)"
fi

iso_finish
