#!/bin/bash
# End to end over a real sshd: CPU burners started over ssh are held to the
# user's quota, and three users logged in at once each get their own rule
# (user section, group section, default) and cannot see each other.
# Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_e2e_need sshd ssh ssh-keygen ssh-keyscan unshare
iso_e2e_install || { fail "make install into a temporary PREFIX"; iso_finish; exit 1; }

ROOT=isot_e2l_$$
on_exit "iso_e2e_cgroup_cleanup $ROOT"
iso_group isot_e2grp
iso_ssh_user isot_e2d              # default rule: 20%
iso_ssh_user isot_e2g -G isot_e2grp # group rule: 50%
iso_ssh_user isot_e2u              # user rule: 30%
on_exit "iso_kill_holders isot_e2d isot_e2g isot_e2u"
CPU=$(iso_cg_mount cpu)
PIDS=$(iso_cg_mount pids)

CONF=$(iso_conf limits <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 20%
    cpu_weight = 50
    tasks_max = 64
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = keep
}
group "isot_e2grp" { cpu_quota = 50% }
user "isot_e2u" { cpu_quota = 30% }
EOF
)
iso_service isot-sshd "$CONF"
iso_sshd_start isot-sshd || { fail "sshd starts" "$(tail -5 "$ISO_TMP/sshd.log" 2>/dev/null)"; iso_finish; exit 1; }

# The remote side: two burners for 3 s under bash's time, and the user
# cgroup's cpu.stat (nr_periods, nr_throttled, throttled_time) around them.
# This v1 cpu hierarchy has no usage counter (cpuacct is a separate,
# unmanaged hierarchy), so usage comes from time, throttling from cpu.stat.
burn() {
	cat <<EOF
c=$CPU/$ROOT/user-\$(id -u)
stat() { awk '{ printf "%s=%s ", \$1, \$2 }' \$c/cpu.stat; echo; }
echo "quota=\$(cat \$c/cpu.cfs_quota_us) period=\$(cat \$c/cpu.cfs_period_us) shares=\$(cat \$c/cpu.shares) pids_max=\$(cat $PIDS/$ROOT/user-\$(id -u)/pids.max 2>/dev/null)"
echo "before \$(stat)"
TIMEFORMAT="time %3R %3U %3S"
{ time (timeout 3 sh -c "while :; do :; done" & timeout 3 sh -c "while :; do :; done" & wait); } 2>&1
echo "after \$(stat)"
echo "ns=\$(readlink /proc/self/ns/pid)"
echo "users=\$(ps -e -o user= | sort -u | tr '\n' ' ')"
echo "tmp=\$(ls -A /tmp | tr '\n' ' ')"
echo "\$(id -un)-was-here" >/tmp/mine
EOF
}
# usage OUT: CPU used by the burners, in CPUs (user+sys / real)
usage() { echo "$1" | awk '/^time / { printf "%.3f", ($3 + $4) / $2 }'; }
# delta OUT KEY: growth of a cpu.stat counter over the burn
delta() { echo "$1" | awk -v k="$2" '/^(before|after) / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) v[$1] = kv[2] } } END { printf "%.0f\n", v["after"] - v["before"] }'; }

# --- one user's burners are held to the quota ---
out=$(iso_ssh isot_e2d "$(burn)" </dev/null 2>&1)
rc=$?
expect_eq "burner session over ssh runs" 0 "$rc"
echo "$out" | sed 's/^/     | /'
u=$(usage "$out")
per=$(delta "$out" nr_periods)
thr=$(delta "$out" nr_throttled)
tt=$(delta "$out" throttled_time)
echo "     measured: 2 burners x 3 s under cpu_quota=20%: $u CPUs (time); cpu.stat: $thr of $per periods throttled, throttled_time +$((tt / 1000000)) ms"
expect_match "the user cgroup has the default rule's limits" "^quota=20000 period=100000 shares=512 pids_max=64$" "$out"
check "usage $u <= 0.30 of a CPU (quota 0.20 + 0.10 tolerance)" awk -v u="$u" 'BEGIN { exit !(u <= 0.30) }'
check "the burners did run (usage $u >= 0.10)" awk -v u="$u" 'BEGIN { exit !(u >= 0.10) }'
check "cpu.stat: the cgroup was throttled in most periods ($thr of $per)" \
	awk -v t="$thr" -v p="$per" 'BEGIN { exit !(p >= 10 && t >= p / 2) }'

# --- three users at once, each with its own rule ---
# (a fresh sandbox for isot_e2d, whatever its first logout left)
iso_kill_holders isot_e2d 2>/dev/null
for u in isot_e2d isot_e2g isot_e2u; do
	iso_ssh "$u" "$(burn)" </dev/null >"$ISO_TMP/out.$u" 2>&1 &
	eval "pid_$u=$!"
done
for u in isot_e2d isot_e2g isot_e2u; do
	eval "wait \$pid_$u"
	expect_eq "$u: concurrent session succeeds" 0 "$?"
done
declare -A want=([isot_e2d]=20000 [isot_e2g]=50000 [isot_e2u]=30000)
declare -A rule=([isot_e2d]=default [isot_e2g]="group isot_e2grp" [isot_e2u]="user isot_e2u")
for u in isot_e2d isot_e2g isot_e2u; do
	out=$(cat "$ISO_TMP/out.$u")
	q=${want[$u]}
	lim=$(awk -v q="$q" 'BEGIN { printf "%.2f", q / 100000 + 0.10 }')
	use=$(usage "$out")
	echo "     measured: $u (${rule[$u]} rule, quota $((q / 1000))%): $use CPUs; throttled $(delta "$out" nr_throttled) of $(delta "$out" nr_periods) periods"
	expect_match "$u gets the ${rule[$u]} rule (cfs_quota_us=$q)" "^quota=$q period=100000 " "$out"
	check "$u: usage $use <= $lim" awk -v u="$use" -v l="$lim" 'BEGIN { exit !(u <= l) }'
	check "$u: its burners ran (usage $use >= 0.05)" awk -v u="$use" 'BEGIN { exit !(u >= 0.05) }'
	expect_match "$u sees only its own processes (and root's holder)" "^users=(root $u |$u root )$" "$out"
	expect_match "$u sees an empty private /tmp" "^tmp=$" "$out"
done
nss=$(cat "$ISO_TMP"/out.* | grep '^ns=' | sort -u | wc -l)
expect_eq "the three users are in three different pid namespaces" 3 "$nss"
# Each user's file stays in that user's own /tmp (or went with its sandbox).
for u in isot_e2d isot_e2g isot_e2u; do
	out=$(iso_ssh "$u" 'cat /tmp/mine 2>/dev/null; ls -A /tmp' </dev/null 2>&1)
	expect_nomatch "$u never sees another user's /tmp file" "isot_e2[dgu]-was-here" "$(echo "$out" | grep -v "^$u-was-here$")"
done
check "no user's /tmp file reached the host's /tmp" test ! -e /tmp/mine

iso_finish
