#!/bin/bash
# End to end over a real sshd: 20 parallel ssh logins of 5 users all
# succeed, each session lands in its user's cgroup and sandbox, and with
# on_logout = kill nothing is left once they end. Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_e2e_need sshd ssh ssh-keygen ssh-keyscan unshare
iso_e2e_install || { fail "make install into a temporary PREFIX"; iso_finish; exit 1; }

ROOT=isot_e2p_$$
on_exit "iso_e2e_cgroup_cleanup $ROOT"
USERS=(isot_e2p1 isot_e2p2 isot_e2p3 isot_e2p4 isot_e2p5)
for u in "${USERS[@]}"; do iso_ssh_user "$u"; done
on_exit "iso_kill_holders ${USERS[*]}"
CPU=$(iso_cg_mount cpu)

CONF=$(iso_conf parallel <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 20%
    tasks_max = 256
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = kill
}
EOF
)
iso_service isot-sshd "$CONF"
iso_sshd_start isot-sshd || { fail "sshd starts" "$(tail -5 "$ISO_TMP/sshd.log" 2>/dev/null)"; iso_finish; exit 1; }
HOSTNS=$(readlink /proc/self/ns/pid)

# the sessions end once released: a fixed hold could end before the
# last of 20 logins has started on a loaded machine
REL=$(mktemp -d /run/isot-parrel.XXXXXX)
chmod 755 "$REL"
on_exit "rm -rf '$REL'"
# shellcheck disable=SC2016
probe='echo "user=$(id -un)"; grep -E "^[0-9]+:(cpu|pids):" /proc/self/cgroup; echo "pidns=$(readlink /proc/self/ns/pid)"; echo "mntns=$(readlink /proc/self/ns/mnt)"; echo "tmpfs=$(stat -f -c %T /tmp)"; echo "users=$(ps -e -o user= | sort -u | tr "\n" " ")"; touch /tmp/s.$$; setsid sleep 300 </dev/null >/dev/null 2>&1 & i=0; while [ ! -e '"$REL"'/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done; echo done'

t0=$(date +%s%N)
pids=()
n=0
for round in 1 2 3 4; do
	for u in "${USERS[@]}"; do
		n=$((n + 1))
		iso_ssh "$u" "$probe" </dev/null >"$ISO_TMP/par.$n.$u" 2>&1 &
		pids+=($!)
	done
done
# while they run (all 20 have printed their probe; each holds its session
# until released, up to 60 s): 20 session leaves, one holder per user
for i in $(seq 1 600); do
	[ "$(grep -l '^pidns=' "$ISO_TMP"/par.* 2>/dev/null | wc -l)" -ge 20 ] && break
	sleep 0.1
done
leaves=$(find "$CPU/$ROOT" -mindepth 2 -maxdepth 2 -type d -name 'session-*' 2>/dev/null | wc -l)
holders=()
for u in "${USERS[@]}"; do
	h=$(cut -d' ' -f1 "/run/pam_isolate/user-$(id -u "$u").user.holder" 2>/dev/null)
	[ -n "$h" ] && holders+=("$h")
done
touch "$REL/go"
okc=0
for p in "${pids[@]}"; do wait "$p" && okc=$((okc + 1)); done
t1=$(date +%s%N)
echo "     20 parallel logins (each holds its session until all have started) done in $(((t1 - t0) / 1000000)) ms; $leaves session leaves seen while they ran"
expect_eq "all 20 parallel ssh logins succeed" 20 "$okc"
expect_eq "20 session leaves exist while they run" 20 "$leaves"
expect_eq "one sandbox holder per user while they run" 5 "${#holders[@]}"

bad=0
for f in "$ISO_TMP"/par.*; do
	u=${f##*.}
	uid=$(id -u "$u")
	out=$(cat "$f")
	if ! printf '%s\n' "$out" | grep -Eq "^[0-9]+:cpu:/$ROOT/user-$uid/session-[0-9a-f]{16}$" ||
		! printf '%s\n' "$out" | grep -Eq "^[0-9]+:pids:/$ROOT/user-$uid/session-[0-9a-f]{16}$" ||
		! printf '%s\n' "$out" | grep -qx "user=$u" ||
		! printf '%s\n' "$out" | grep -qx "tmpfs=tmpfs" ||
		! printf '%s\n' "$out" | grep -Eqx "users=(root $u |$u root )" ||
		printf '%s\n' "$out" | grep -qx "pidns=$HOSTNS" ||
		! printf '%s\n' "$out" | grep -qx done; then
		bad=$((bad + 1))
		echo "     wrong session output in $(basename "$f"):"
		echo "$out" | sed 's/^/     | /'
	fi
done
expect_eq "every session: its user's cgroup leaf, a sandbox pid ns, private /tmp, only its own processes" 0 "$bad"
for u in "${USERS[@]}"; do
	n=$(cat "$ISO_TMP"/par.*."$u" | grep '^pidns=' | sort -u | wc -l)
	expect_eq "$u: its 4 sessions share one sandbox" 1 "$n"
done
n=$(cat "$ISO_TMP"/par.* | grep '^pidns=' | sort -u | wc -l)
expect_eq "5 users: 5 different sandboxes" 5 "$n"

# --- after the last logout: nothing left (on_logout = kill) ---
# Every session left a `setsid sleep 300` behind; kill must take it too.
t0=$(date +%s%N)
ISO_WAIT_S=15 iso_wait_clean "$ROOT" "${USERS[@]}"
t1=$(date +%s%N)
left=$(iso_leftovers "$ROOT" "${USERS[@]}")
echo "     leftovers after the last logout: $left (settled after $(((t1 - t0) / 1000000)) ms)"
expect_match "no user process left (the sessions' background sleeps were killed)" "procs=0$" "$left"
expect_match "no sandbox holder left in our cgroups" "holders=0 " "$left"
check "no cgroup dir left under cgroup_root" expect_match_q "cgroups=0 " "$left"
check "no state file left in /run/pam_isolate" expect_match_q "state=0 " "$left"
live_holders() {
	local h n=0
	for h in "${holders[@]}"; do
		ps -o stat= -p "$h" 2>/dev/null | grep -qv '^Z' && n=$((n + 1))
	done
	echo $n
}
for i in $(seq 1 150); do [ "$(live_holders)" -eq 0 ] && break; sleep 0.1; done
t2=$(date +%s%N)
echo "     the holders seen during the sessions: $(live_holders) alive $(((t2 - t0) / 1000000)) ms after the last logout"
expect_eq "the 5 holders seen during the sessions are gone" 0 "$(live_holders)"

iso_finish
