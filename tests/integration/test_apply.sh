#!/bin/bash
# isolatectl apply, for real: a live session's quota goes 50% -> 25% with
# no new login; --dry-run writes nothing; a config check-config refuses is
# refused; apply waits for the user lock; exempt and idle users are left
# alone; the change is logged to authpriv. Then what a user sees without
# root: status and explain of their own, from inside their session, and
# the login message. Root only; cpu and pids on the host, and in the v2
# VM lane the memory_max clamp too.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
CTL=$ISO_BUILD/isolatectl
[ -x "$CTL" ] || { iso_log "build first: make all"; exit 2; }
iso_install_helper
iso_syslog_start
# the config is 0644 in a 0755 directory, as installed: users read it
iso_pubdir

ROOT=isot_ap_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_group isot_apg
iso_user isot_ap1 -G isot_apg
iso_user isot_ap2
iso_user isot_ap3
on_exit "iso_kill_holders isot_ap1 isot_ap2 isot_ap3"
CPU=$(iso_cg_mount cpu)
PIDS=$(iso_cg_mount pids)
U1=$(id -u isot_ap1)
U3=$(id -u isot_ap3)

run() {
	"$@" >"$ISO_TMP/out" 2>"$ISO_TMP/err"
	RC=$?
	OUT=$(cat "$ISO_TMP/out")
	ERR=$(cat "$ISO_TMP/err")
}
quota() {
	if iso_is_v2; then cut -d' ' -f1 "$CPU/$ROOT/user-$1/cpu.max"; else cat "$CPU/$ROOT/user-$1/cpu.cfs_quota_us"; fi
}
# conf QUOTA TASKS [EXTRA]: the service's config, rewritten in place
conf() {
	cat >"$ISO_PUB/apply.conf" <<EOF
cgroup_root = "$ROOT"
cgroup_backend = cgroupfs
exempt_users = { "root" ${3:-} }
login_message = yes
default {
    cpu_quota = 10%
}
group "isot_apg" {
    cpu_quota = $1
    tasks_max = $2
}
user "isot_ap3" {
    cpu_quota = 40%
    namespaces = { user, pid, mount }
    private_tmp = yes
}
EOF
	chmod 0644 "$ISO_PUB/apply.conf"
}
CONF=$ISO_PUB/apply.conf
conf 50% 64
iso_service isot-apply "$CONF"
H() { "$ISO_HARNESS" isot-apply "$@"; }

# ---------------------------------------------------------------- a live session
H isot_ap1 sleep 600 >/dev/null 2>"$ISO_TMP/s1.err" &
sess=$!
on_exit "kill $sess 2>/dev/null"
spid() { pgrep -u isot_ap1 -x sleep; }
check "a session of isot_ap1 runs" wait_for 10 spid
spid=$(spid)
leaf=$(grep -l "^$spid\$" "$CPU/$ROOT/user-$U1"/session-*/cgroup.procs)
check "in its session leaf" test -n "$leaf"
expect_eq "login: quota 50%" 50000 "$(quota "$U1")"
expect_match "login message: the one-line summary of the limits" \
	"pam: pam_isolate: your limits here: 0.5 CPU, 64 tasks \(rule: group isot_apg\)" "$(cat "$ISO_TMP/s1.err")"
grep 'your limits' "$ISO_TMP/s1.err" >"$ISO_TMP/login.txt"

# ---------------------------------------------------------------- dry run
conf 25% 32
run "$CTL" apply -c "$CONF" --dry-run
expect_eq "apply --dry-run: exit 0" 0 "$RC"
expect_match "apply --dry-run: says it writes nothing" "^dry run: nothing is written$" "$OUT"
expect_match "apply --dry-run: the quota change" "^isot_ap1 +cpu_quota 50% -> 25%$" "$OUT"
expect_match "apply --dry-run: the tasks change" "^isot_ap1 +tasks_max 64 -> 32$" "$OUT"
expect_eq "apply --dry-run: the kernel still has 50%" 50000 "$(quota "$U1")"
printf '%s\n' "$OUT" >"$ISO_TMP/dry.txt"

# ---------------------------------------------------------------- apply
run iso_in_override "$CTL" apply -c "$CONF"
expect_eq "apply: exit 0" 0 "$RC"
expect_match "apply: prints the quota change" "^isot_ap1 +cpu_quota 50% -> 25%$" "$OUT"
expect_match "apply: prints the tasks change" "^isot_ap1 +tasks_max 64 -> 32$" "$OUT"
expect_match "apply: the summary" "^1 changed, 0 unchanged, 0 skipped, 0 failed$" "$OUT"
printf '%s\n' "$OUT" >"$ISO_TMP/apply.txt"
expect_eq "apply: the live cgroup's quota is 25% now" 25000 "$(quota "$U1")"
expect_eq "apply: and its tasks limit 32" 32 "$(cat "$PIDS/$ROOT/user-$U1/pids.max")"
check "no relogin: the same shell still runs in the same leaf" grep -qx "$spid" "$leaf"
check "apply is logged to authpriv with the change" wait_for 10 grep -q \
	"isolatectl\[[0-9]*\]: apply user=isot_ap1 rule=group isot_apg .*: cpu_quota 50% -> 25%; tasks_max 64 -> 32" "$ISO_SYSLOG_FILE"
expect_match "the log record is authpriv.notice (facility 10, severity 5: <85>)" "<85>" \
	"$(grep 'apply user=isot_ap1' "$ISO_SYSLOG_FILE" | head -1)"

run "$CTL" apply -c "$CONF"
expect_match "apply again: no change" "^isot_ap1 +no change \(group isot_apg" "$OUT"

# ---------------------------------------------------------------- the user lock
conf 30% 32
lock=/run/pam_isolate/user-$U1.lock
# the lock is taken once the file says so (an emulated VM can take more
# than a fixed pause to get there), and held 3 s from then
flock "$lock" sh -c ": >$ISO_TMP/locked; sleep 3" &
lk=$!
check "a process holds the user lock" wait_for 30 test -e "$ISO_TMP/locked"
t0=$(date +%s%N)
run "$CTL" apply -c "$CONF"
t1=$(date +%s%N)
wait $lk
check "apply waits for the user lock an open or close holds (>= 1.5 s)" test $(((t1 - t0) / 1000000)) -ge 1500
expect_eq "and applies after it" 30000 "$(quota "$U1")"

# ---------------------------------------------------------------- mode = audit
# what a login of an audited rule gets: no limit written
sed -i '/^group "isot_apg" {/a\    mode = audit' "$CONF"
run "$CTL" apply -c "$CONF"
expect_match "audit: apply says the limits are lifted" "^isot_ap1 +mode = audit: limits lifted" "$OUT"
expect_eq "audit: the live quota is lifted (max), not enforced" "$(iso_is_v2 && echo max || echo -1)" "$(quota "$U1")"
expect_eq "audit: and tasks_max too" max "$(cat "$PIDS/$ROOT/user-$U1/pids.max")"
conf 30% 32
run "$CTL" apply -c "$CONF"
expect_eq "enforce again: 30%" 30000 "$(quota "$U1")"

# ---------------------------------------------------------------- refused configs
cat >"$ISO_TMP/bad.conf" <<EOF
cgroup_root = "$ROOT"
group "isot_apg" {
    cpu_quota = 0.5%
}
EOF
chmod 0644 "$ISO_TMP/bad.conf"
run "$CTL" apply -c "$ISO_TMP/bad.conf"
expect_eq "a config check-config refuses: exit 1" 1 "$RC"
expect_match "and it says so" "refused by check-config; nothing applied" "$ERR"
expect_eq "and nothing was written" 30000 "$(quota "$U1")"
run "$CTL" apply -c "$CONF" --json
expect_eq "--json is not for apply: exit 2" 2 "$RC"
run runuser -u isot_ap2 -- "$CTL" apply -c "$CONF"
expect_eq "apply as non-root: exit 3, says why" \
	"3 isolatectl: apply writes the users' cgroups and takes their locks: run as root" "$RC $ERR"

# ---------------------------------------------------------------- who is left alone
run "$CTL" apply -c "$CONF" isot_ap2
expect_eq "a named user with no live cgroup is skipped" \
	"0 isot_ap2     no live cgroup: skipped|0 changed, 0 unchanged, 1 skipped, 0 failed" \
	"$RC $(printf '%s' "$OUT" | paste -sd'|')"
conf 20% 32 ', "isot_ap1"'
run "$CTL" apply -c "$CONF"
expect_match "a user now exempt: left as is until logout" \
	"^isot_ap1 +now exempt \(exempt user isot_ap1\): limits left as they are until logout$" "$OUT"
expect_eq "and the quota is untouched" 30000 "$(quota "$U1")"
conf 25% 32

# ---------------------------------------------------------------- sandboxed user
H isot_ap3 sleep 600 >/dev/null 2>&1 &
sess3=$!
on_exit "kill $sess3 2>/dev/null"
check "a sandboxed session of isot_ap3 runs" wait_for 10 test -s "/run/pam_isolate/user-$U3.user.holder"
check "in its leaf" wait_for 10 grep -qs . "$CPU/$ROOT/user-$U3"/session-*/cgroup.procs
sed -i 's/cpu_quota = 40%/cpu_quota = 35%/' "$CONF"
run "$CTL" apply -c "$CONF" isot_ap3
expect_match "sandboxed: the quota changes" "^isot_ap3 +cpu_quota 40% -> 35%$" "$OUT"
expect_match "sandboxed: namespaces wait for the next sandbox" \
	"^isot_ap3 +namespaces, private_tmp, tmp_size, no_new_privs: take effect at the next sandbox$" "$OUT"
expect_eq "sandboxed: 35% in the kernel" 35000 "$(quota "$U3")"

# ---------------------------------------------------------------- memory (v2 VM lane)
# memory_max below what a live user uses: the login's clamp, said so
if iso_is_v2 && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	mconf() {
		cat >"$ISO_PUB/mem.conf" <<EOF
cgroup_root = "$ROOT"
cgroup_backend = cgroupfs
user "isot_ap2" {
    memory_max = $1
}
EOF
		chmod 0644 "$ISO_PUB/mem.conf"
	}
	U2=$(id -u isot_ap2)
	mconf 256M
	iso_service isot-apmem "$ISO_PUB/mem.conf"
	"$ISO_HARNESS" isot-apmem isot_ap2 perl -e '$x = "a" x (48 << 20); sleep 600' >/dev/null 2>&1 &
	mjob=$!
	on_exit "kill $mjob 2>/dev/null"
	check "a session of isot_ap2 holds 48M" wait_for 60 eval \
		'test "$(cat "$CPU/$ROOT/user-$U2/memory.current" 2>/dev/null || echo 0)" -gt $((40 << 20)) || ! kill -0 $mjob'
	mconf 16M
	run "$CTL" apply -c "$ISO_PUB/mem.conf" --dry-run isot_ap2
	expect_match "apply --dry-run: memory_max below the usage would be clamped, as at login" \
		"^isot_ap2 +memory_max below the [0-9]+ bytes in use: would be set to the usage, as at login$" "$OUT"
	expect_eq "apply --dry-run: memory.max still 256M" 268435456 "$(cat "$CPU/$ROOT/user-$U2/memory.max")"
	run "$CTL" apply -c "$ISO_PUB/mem.conf" isot_ap2
	expect_match "apply: memory_max below the usage is clamped, and it says so" \
		"^isot_ap2 +memory_max 16777216 is below the [0-9]+ bytes in use: set to the usage, as at login" "$OUT"
	m=$(cat "$CPU/$ROOT/user-$U2/memory.max")
	check "apply: memory.max is the usage ($m), above 16M and below 256M" \
		test "$m" -gt $((16 << 20)) -a "$m" -lt 268435456
	printf '%s\n' "$OUT" >"$ISO_TMP/mem.txt"
	pkill -u isot_ap2 -x perl
	wait $mjob
fi

# ---------------------------------------------------------------- non-root
run H isot_ap1 "$CTL" status -c "$CONF"
expect_eq "status inside a session, as the user: exit 0" 0 "$RC"
expect_match "status as the user: their own rule" "^  rule +group isot_apg" "$OUT"
expect_match "status as the user: their live cgroup and quota" "quota 25.00% of one CPU" "$OUT"
expect_match "status as the user: tasks against the limit" "tasks +[1-9][0-9]* of 32" "$OUT"
expect_match "status as the user: the sandbox line says what needs root" \
	"sandbox +not shown: holder records in /run/pam_isolate are root's" "$OUT"
printf '%s\n' "$OUT" >"$ISO_TMP/status_user.txt"
run H isot_ap1 "$CTL" status -c "$CONF" isot_ap3
expect_eq "status of another user as non-root: exit 3" 3 "$RC"
expect_match "and a clear reason" "another user's status needs root" "$ERR"
run H isot_ap1 "$CTL" explain -c "$CONF"
expect_eq "explain without a user, as the user: exit 0" 0 "$RC"
expect_match "explain: oneself" "^User: +isot_ap1 \(uid $U1\)" "$OUT"

kill "$spid" 2>/dev/null
pkill -x -u isot_ap3 sleep
wait "$sess" "$sess3" 2>/dev/null
# what the issue's closing note quotes
for f in login dry apply mem status_user; do [ -e "$ISO_TMP/$f.txt" ] || continue; echo "# -- $f"; sed 's/^/# /' "$ISO_TMP/$f.txt"; done
iso_finish
