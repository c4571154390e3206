#!/bin/bash
# Core, for real: sessions through a real PAM stack land in the per-user
# cgroup with the configured limits, on this machine's cgroup layout (v1
# cpu + pids here; v2 in the VM lane). Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_install_helper

ROOT=isot_core_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_group isot_grp
iso_user isot_a
iso_user isot_g -G isot_grp
iso_user isot_u -G isot_grp
iso_user isot_ex
iso_user isot_m
CPU=$(iso_cg_mount cpu)
PIDS=$(iso_cg_mount pids)
UA=$(id -u isot_a)

CONF=$(iso_conf core <<EOF
cgroup_root = "$ROOT"
on_error = deny
exempt_users = { "isot_ex" }
default {
    cpu_quota = "20%"
    cpu_weight = 50
    tasks_max = 64
}
group "isot_grp" { cpu_quota = 50% }
user "isot_u" { cpu_quota = "30%" }
user "isot_m" { tasks_max = 1000 }
EOF
)
iso_service isot-core "$CONF"
H() { "$ISO_HARNESS" isot-core "$@"; }

# The user cgroup's limit files, as the session itself reads them.
limits_of() {
	local u="\$(id -u)"
	if iso_is_v2; then
		echo "cat $CPU/$ROOT/user-$u/cpu.max $CPU/$ROOT/user-$u/cpu.weight $PIDS/$ROOT/user-$u/pids.max"
	else
		echo "cat $CPU/$ROOT/user-$u/cpu.cfs_quota_us $CPU/$ROOT/user-$u/cpu.cfs_period_us $CPU/$ROOT/user-$u/cpu.shares $PIDS/$ROOT/user-$u/pids.max"
	fi
}

# --- a session lands in user-<uid>/session-<id> ---
out=$(H isot_a cat /proc/self/cgroup 2>&1)
rc=$?
expect_eq "open+close through PAM succeeds" 0 "$rc"
if iso_is_v2; then
	expect_match "session child is in the v2 session leaf" "^0::/$ROOT/user-$UA/session-[0-9a-f]{16}$" "$out"
else
	expect_match "session child is in the cpu session leaf" "^[0-9]+:cpu:/$ROOT/user-$UA/session-[0-9a-f]{16}$" "$out"
	expect_match "session child is in the pids session leaf" "[0-9]+:pids:/$ROOT/user-$UA/session-[0-9a-f]{16}" "$out"
	expect_nomatch "memory hierarchy untouched (no memory limit configured)" "memory:/$ROOT" "$out"
fi
check "close removed the user cgroup" test ! -e "$CPU/$ROOT/user-$UA"
check "close removed the lock file" test ! -e "/run/pam_isolate/user-$UA.lock"

# --- the limits of the matching rule are in the cgroup files ---
out=$(H isot_a sh -c "$(limits_of)" 2>&1 | tr '\n' ' ')
if iso_is_v2; then
	expect_eq "default rule: cpu.max, cpu.weight, pids.max" "20000 100000 50 64 " "$out"
else
	expect_eq "default rule: cfs_quota_us, cfs_period_us, cpu.shares, pids.max" "20000 100000 512 64 " "$out"
fi
out=$(H isot_g sh -c "$(limits_of)" 2>&1 | head -1 | cut -d' ' -f1)
expect_eq "group rule applies to a group member" "50000" "$out"
out=$(H isot_u sh -c "$(limits_of)" 2>&1 | head -1 | cut -d' ' -f1)
expect_eq "user rule wins over the group rule" "30000" "$out"

# --- exempt users (and root, always) are untouched ---
out=$(H isot_ex cat /proc/self/cgroup 2>&1)
rc=$?
expect_eq "exempt user's session opens" 0 "$rc"
expect_nomatch "exempt user not placed in our subtree" "$ROOT" "$out"
check "no cgroup made for the exempt user" test ! -e "$CPU/$ROOT/user-$(id -u isot_ex)"
out=$(H root cat /proc/self/cgroup 2>&1)
expect_nomatch "root is never placed" "$ROOT" "$out"

# --- a CPU burner gets about its quota (20%), not more ---
# bash's time reports the CPU the two burners used and the wall time they
# ran (3 s here, longer under emulation in the VM lane); at 20% of one CPU
# that is 0.2 of the wall. Tolerance: <= quota + 10 points, and it did run.
burn='TIMEFORMAT="%3R %3U %3S"; time (timeout 3 sh -c "while :; do :; done" & timeout 3 sh -c "while :; do :; done" & wait)'
out=$(H isot_a bash -c "$burn" 2>&1 | tail -1)
used=$(echo "$out" | awk '{ printf "%.3f", ($2 + $3) / $1 }')
echo "     measured: 2 burners for 3 s under cpu_quota=20%: $used of one CPU (wall user sys: $out)"
check "burner held to its quota (usage $used <= 0.30)" awk -v u="$used" 'BEGIN { exit !(u <= 0.30) }'
check "burner did run (usage $used >= 0.10)" awk -v u="$used" 'BEGIN { exit !(u >= 0.10) }'

# --- two sessions of one user, at once, share the user cgroup: the first
# holds until the second is done (a file releases it) ---
REL=$(mktemp -d /run/isot-corerel.XXXXXX)
chmod 755 "$REL"
on_exit "rm -rf '$REL'"
H isot_a sh -c 'grep -E "cpu:|^0::" /proc/self/cgroup; i=0
	while [ ! -e '"$REL"'/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done' >"$ISO_TMP/s1" 2>&1 &
p1=$!
check "a first session runs" wait_for 60 grep -q . "$ISO_TMP/s1"
H isot_a sh -c 'grep -E "cpu:|^0::" /proc/self/cgroup' >"$ISO_TMP/s2" 2>&1
check "  ... and still runs when a second has ended" kill -0 $p1
touch "$REL/go"
wait $p1
u1=$(sed -E 's|.*(/user-[0-9]+)/.*|\1|' "$ISO_TMP/s1")
u2=$(sed -E 's|.*(/user-[0-9]+)/.*|\1|' "$ISO_TMP/s2")
expect_match "the first session is in the user's cgroup" "^/user-$UA$" "$u1"
expect_eq "two sessions share the user cgroup" "$u1" "$u2"
check "two sessions get different leaves" test "$(cat "$ISO_TMP/s1")" != "$(cat "$ISO_TMP/s2")"

# --- 10 parallel opens of one user ---
okc=$(iso_parallel 10 "$ISO_TMP/par" H isot_a sh -c "grep -q '/$ROOT/user-$UA/session-' /proc/self/cgroup && sleep 0.3")
expect_eq "10 parallel sessions of one user all confined" 10 "$okc"
check "no leftover leaves after 10 parallel sessions" test ! -e "$CPU/$ROOT/user-$UA"
check "no leftover lock files" test ! -e "/run/pam_isolate/user-$UA.lock"

# --- pamtester drives the same hooks ---
out=$(pamtester -v isot-core isot_a open_session close_session 2>&1)
expect_match "pamtester open_session close_session" "session has successfully been closed" "$out"
check "pamtester left no cgroup" test ! -e "$CPU/$ROOT/user-$UA"

# --- a broken config: on_error = deny refuses with file:line ---
BAD=$(iso_conf broken <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = fifty
}
EOF
)
iso_service isot-bad "$BAD"
out=$("$ISO_HARNESS" isot-bad isot_a true 2>&1)
rc=$?
expect_eq "broken config (deny) refuses the session" 20 "$rc"
expect_match "the user is told file:line and the bad value" "broken\.conf:3:.*cpu_quota.*fifty" "$out"
out=$("$ISO_HARNESS" isot-bad root true 2>&1)
expect_eq "root still logs in with a broken config" 0 "$?"
BADX=$(iso_conf broken-exempt <<EOF
cgroup_root = "$ROOT"
exempt_users = { "root", "isot_ex" }
default {
    cpu_quota = fifty
}
EOF
)
iso_service isot-badx "$BADX"
out=$("$ISO_HARNESS" isot-badx isot_ex cat /proc/self/cgroup 2>&1)
expect_eq "an exempt_users user still logs in with a broken config" 0 "$?"
expect_nomatch "  ... untouched" "$ROOT" "$out"
"$ISO_HARNESS" isot-badx isot_a true >/dev/null 2>&1
expect_eq "  ... while a user it does not list is refused" 20 "$?"
iso_user isot_sys -r
out=$("$ISO_HARNESS" isot-bad isot_sys cat /proc/self/cgroup 2>&1)
expect_eq "a system account (uid $(id -u isot_sys) < 1000) still works with a broken config" 0 "$?"
expect_nomatch "  ... unconfined" "$ROOT" "$out"

# --- a broken config that says on_error = allow: unconfined ---
BADA=$(iso_conf broken-allow <<EOF
cgroup_root = "$ROOT"
on_error = allow
default {
    cpu_quota = fifty
}
EOF
)
iso_service isot-bada "$BADA"
out=$("$ISO_HARNESS" isot-bada isot_a cat /proc/self/cgroup 2>&1)
rc=$?
expect_eq "broken config (allow) lets the session open" 0 "$rc"
expect_nomatch "and leaves it unconfined" "$ROOT" "$out"

# --- the helper missing: module default is deny, on_error=allow arg lets in ---
mv "$ISO_HELPER_DST" "$ISO_HELPER_DST.away"
on_exit "[ -e '$ISO_HELPER_DST.away' ] && mv -f '$ISO_HELPER_DST.away' '$ISO_HELPER_DST'"
out=$("$ISO_HARNESS" isot-core isot_a true 2>&1)
expect_eq "missing helper: session refused by default" 20 "$?"
expect_match "missing helper: the user reads that it cannot be executed, and why" \
	"cannot execute $ISO_HELPER_DST: No such file or directory" "$out"
iso_service isot-noh "$CONF" on_error=allow
"$ISO_HARNESS" isot-noh isot_a true >/dev/null 2>&1
expect_eq "missing helper with on_error=allow: session opens" 0 "$?"
mv -f "$ISO_HELPER_DST.away" "$ISO_HELPER_DST"
out=$(H isot_a cat /proc/self/cgroup 2>&1)
expect_match "helper back: the next login is confined again" "/$ROOT/user-$UA/session-" "$out"

# --- posix_spawn refused (EPERM: a seccomp filter older than clone3): the
# module falls back to fork and exec, and the login is confined as ever ---
if gcc -shared -fPIC -o "$ISO_TMP/nospawn.so" "$ISO_TOP/tests/integration/nospawn.c" 2>"$ISO_TMP/gcc.err"; then
	out=$(LD_PRELOAD="$ISO_TMP/nospawn.so" "$ISO_HARNESS" isot-core isot_a cat /proc/self/cgroup 2>&1)
	expect_match "posix_spawn refused: the login falls back to fork and is confined" "/$ROOT/user-$UA/session-" "$out"
	mv "$ISO_HELPER_DST" "$ISO_HELPER_DST.away"
	out=$(LD_PRELOAD="$ISO_TMP/nospawn.so" "$ISO_HARNESS" isot-core isot_a true 2>&1)
	mv -f "$ISO_HELPER_DST.away" "$ISO_HELPER_DST"
	expect_match "  ... and there a missing helper is still named as such" \
		"cannot execute $ISO_HELPER_DST: No such file or directory" "$out"
else
	fail "cannot build the posix_spawn shim: $(cat "$ISO_TMP/gcc.err")"
fi

# --- one helper per session: the helper that opened a session stays, in
# the cgroup the application came from, and serves the close; without it
# (killed, or a forked child closing) the close starts a helper of its own ---
if iso_is_v2; then KCG=/sys/fs/cgroup/isot_kept_$$; else KCG=$CPU/isot_kept_$$; fi
mkdir "$KCG"
on_exit "rmdir '$KCG'"
# KH CMD...: the harness, started in $KCG
KH() { sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$KCG" "$ISO_HARNESS" isot-core "$@"; }
kept_pids() { cat "$KCG/cgroup.procs" 2>/dev/null; }
# running: the session's command runs, so the open is done (the module
# reaps the opening helper first) and the kept one is there if any; the
# sessions sleep until the test ends them, as long as an emulated VM needs
# (or the session has ended: the checks then say what is missing)
running() { wait_for 60 sh -c 'pgrep -u isot_a -x sleep >/dev/null || ! kill -0 "$1"' sh "$kh"; }
end_sessions() { pkill -u isot_a -x sleep; }

KH isot_a sh -c 'sleep 60; true' >"$ISO_TMP/kept.out" 2>&1 &
kh=$!
running
kp=$(kept_pids)
expect_eq "kept: one process stays in the application's own cgroup during the session" 1 \
	"$(echo "$kp" | grep -c .)"
expect_eq "kept: it is the helper, as root, no child of the application" "pam-isolate-hel 0 1" \
	"$(ps -o comm=,uid= -p "$kp" | awk '{ print $1, $2 }') $([ "$(ps -o ppid= -p "$kp" | tr -d ' ')" != "$kh" ] && echo 1)"
expect_eq "kept: in a session of its own (no terminal's signals reach it)" "$kp" "$(ps -o sid= -p "$kp" | tr -d ' ')"
end_sessions
wait "$kh"
expect_eq "kept: the close through it succeeds" 0 "$?"
check "kept: ... and it is gone after the close" test -z "$(kept_pids)"
check "kept: ... which removed the user cgroup" test ! -e "$CPU/$ROOT/user-$UA"

KH isot_a sh -c 'sleep 60; true' >"$ISO_TMP/kept.out" 2>&1 &
kh=$!
running
kp=$(kept_pids)
[ -n "$kp" ] && kill -KILL $kp
end_sessions
wait "$kh"
expect_eq "kept helper killed: the close starts a helper of its own and succeeds" 0 "$?"
check "kept helper killed: ... the user cgroup is removed all the same" test ! -e "$CPU/$ROOT/user-$UA"

# No helper is kept where the user could freeze it while it holds a lock
# others wait on: an application whose real uid is not 0 (su), or one in
# a cgroup delegated to a user. The close then costs an exec, as before.
KCGU=${KCG}_user
mkdir "$KCGU"
on_exit "rmdir '$KCGU'"
chown isot_a "$KCGU" "$KCGU/cgroup.procs"
sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$KCGU" "$ISO_HARNESS" isot-core isot_a \
	sh -c 'sleep 60; true' >"$ISO_TMP/kept.out" 2>&1 &
kh=$!
running
expect_eq "kept: none in a cgroup delegated to a user" "" "$(cat "$KCGU/cgroup.procs")"
end_sessions
wait "$kh"
expect_eq "  ... and the close, by a helper of its own, succeeds" 0 "$?"
# real uid isot_a, effective and saved 0: what su runs as (no shell in
# between: a shell would drop the effective uid to the real one)
/usr/bin/python3 -c '
import os, sys
open(sys.argv[1] + "/cgroup.procs", "w").write(str(os.getpid()))
os.setresuid(int(sys.argv[2]), 0, 0)
os.execv(sys.argv[3], sys.argv[3:])' "$KCG" "$UA" "$ISO_HARNESS" \
	isot-core isot_a sh -c 'sleep 60; true' >"$ISO_TMP/kept.out" 2>&1 &
kh=$!
running
expect_eq "kept: none for an application whose real uid is not 0 (as su)" "" "$(kept_pids)"
end_sessions
wait "$kh"
expect_eq "  ... and the close succeeds" 0 "$?"

# the kept helper serves only the process that opened the session, as
# the kernel names the sender (SCM_CREDENTIALS): not another process that
# holds the same socket
if gcc -std=gnu11 -I"$ISO_TOP/common" -o "$ISO_TMP/kept_probe" "$ISO_TOP/tests/integration/kept_probe.c" \
	"$ISO_TOP/common/proto.c" 2>"$ISO_TMP/gcc.err"; then
	out=$("$ISO_TMP/kept_probe" "$ISO_HELPER_DST" "$CONF" isot_a isot-core 2>&1)
	rc=$?
	echo "$out" | sed 's/^/     | /'
	expect_eq "kept: the probe's steps all went as expected" 0 "$rc"
	expect_match "kept: a close from another process on the socket is refused" \
		"^close from another process: r=0 result=4 .*message=not the close of the session" "$out"
	expect_match "kept: ... which ends it, and a new helper closes the session" \
		"^a new helper's close: r=0 result=5$" "$out"
	check "kept: ... nothing of the user is left" test ! -e "$CPU/$ROOT/user-$UA"
else
	fail "cannot build the kept-helper probe: $(cat "$ISO_TMP/gcc.err")"
fi

# A kept helper is a root process left per session, as a watcher or a
# per-session holder is: the same bound per user (256 live sessions).
# The live sessions are leaves of ours, each with a process of ours in it.
UM=$(id -u isot_m)
mleaves=()
# kill_mleaves: kills what is in our leaves and removes them
kill_mleaves() {
	[ ${#mleaves[@]} -gt 0 ] || return 0
	local procs=("${mleaves[@]/%//cgroup.procs}")
	# shellcheck disable=SC2046
	kill -KILL $(cat "${procs[@]}" 2>/dev/null) 2>/dev/null
	wait_gone sh -c 'cat "$@" 2>/dev/null | grep -q .' sh "${procs[@]}"
	rmdir "${mleaves[@]}" 2>/dev/null
	mleaves=()
}
on_exit kill_mleaves
MFIFO=$ISO_TMP/mleaves.fifo
mkfifo "$MFIFO"
# mk_live FIRST LAST: leaves of ours with a process in each, made cheaply
# (one mkdir, and a subshell blocked in a read: no exec per leaf, which
# costs tens of ms under the VM lane's emulation)
mk_live() {
	local i d dirs=()
	for i in $(seq "$1" "$2"); do
		printf -v d '%s/%s/user-%s/session-%016x' "$CPU" "$ROOT" "$UM" "$i"
		dirs+=("$d")
	done
	mkdir -p "${dirs[@]}" && mleaves+=("${dirs[@]}")
	for d in "${dirs[@]}"; do
		(exec 9<>"$MFIFO" && read -r -t 300 -u 9 _) </dev/null >/dev/null 2>&1 &
		echo $! >"$d/cgroup.procs"
		disown
	done
	wait_for 20 sh -c "[ \$(cat $CPU/$ROOT/user-$UM/session-*/cgroup.procs | wc -l) -ge $2 ]" ||
		fail "setup: $2 live sessions of isot_m" "$(cat "$CPU/$ROOT/user-$UM"/session-*/cgroup.procs | wc -l) processes in its leaves"
}
# kept_count: root's helpers in $KCG (the open's own helper is reaped by
# the module before the open returns: what is left is the kept one)
kept_count() {
	local p n=0
	for p in $(kept_pids); do
		[ "$(ps -o comm=,uid= -p "$p" | awk '{ print $1, $2 }')" = "pam-isolate-hel 0" ] && n=$((n + 1))
	done
	echo "$n"
}
# kept_in_session SERVICE USER: the kept helpers while a session of USER
# runs (its command runs only once the open has replied, and a kept
# helper is forked before the reply), then the close's exit status
kept_in_session() {
	local kh n=none
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$KCG" "$ISO_HARNESS" "$1" "$2" \
		sh -c 'sleep 60; true' >"$ISO_TMP/kept.out" 2>&1 &
	kh=$!
	wait_for 20 pgrep -u "$2" -x sleep >/dev/null && n=$(kept_count)
	# counted: the session may end (its shell goes on to exit 0)
	pkill -u "$2" -x sleep
	wait "$kh"
	echo "$n rc=$?"
}
mk_live 1 255
expect_eq "kept: at 255 live sessions of the user, the 256th gets its kept helper" "1 rc=0" \
	"$(kept_in_session isot-core isot_m)"
mk_live 256 256
expect_eq "kept: at 256 live sessions, the next gets none (and its close starts a helper)" "0 rc=0" \
	"$(kept_in_session isot-core isot_m)"
kill_mleaves
H isot_m true >/dev/null 2>&1
check "  ... and a login's close removes the user's cgroups" \
	test ! -e "$CPU/$ROOT/user-$UM" -a ! -e "$PIDS/$ROOT/user-$UM"
# a rule without cgroup limits makes no leaves: nothing counts its
# sessions, so none is kept
FCONF=$(iso_conf core-free <<EOF
cgroup_root = "$ROOT"
default {
    namespaces = { user, pid, mount }
    on_logout = kill
}
EOF
)
iso_service isot-core-free "$FCONF"
on_exit "iso_kill_holders isot_m"
expect_eq "kept: none under a rule without cgroup limits (nothing counts its sessions)" "0 rc=0" \
	"$(kept_in_session isot-core-free isot_m)"

out=$(ISO_HARNESS_CLOSE=child KH isot_a true 2>&1)
expect_eq "a forked child that closes gets a helper of its own: close succeeds" 0 "$?"
check "  ... and the kept helper ended with the application (EOF)" \
	wait_gone sh -c "grep -q . '$KCG/cgroup.procs'"

out=$(ISO_HARNESS_CLOSE=none KH isot_a true 2>&1)
check "pam_end without a close: the kept helper ends (EOF), doing nothing" \
	wait_gone sh -c "grep -q . '$KCG/cgroup.procs'"
check "  ... the session is left as by any application that died (no close ran)" \
	test -e "$CPU/$ROOT/user-$UA"
out=$(H isot_a cat /proc/self/cgroup 2>&1)
expect_match "  ... and the next login works" "/$ROOT/user-$UA/session-" "$out"

iso_finish
