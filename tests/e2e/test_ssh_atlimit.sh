#!/bin/bash
# A user at their limits must still log out cleanly and log in again
# (issue 15, item 1), through the real sshd: a fork bomb fills tasks_max,
# the user kills the ssh client; sshd's [priv], which sat in the user's
# session leaf, must still run the close (it leaves the leaf through the
# cgroup fds the helper gave it at open, without a fork), on_logout = kill
# ends everything, and the user's next login works and is confined.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_e2e_need sshd ssh ssh-keygen ssh-keyscan unshare timeout
iso_e2e_install || { fail "make install into a temporary PREFIX"; iso_finish; exit 1; }

ROOT=isot_e2b_$$
on_exit "iso_e2e_cgroup_cleanup $ROOT"
iso_ssh_user isot_e2b
on_exit "iso_kill_holders isot_e2b"
U=isot_e2b
UID_U=$(id -u $U)
PIDS=$(iso_cg_mount pids)

CONF=$(iso_conf atlimit <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 50%
    tasks_max = 40
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = kill
}
EOF
)
iso_service isot-sshd "$CONF"
iso_syslog_start || { fail "syslog catcher starts"; iso_finish; exit 1; }
iso_sshd_start isot-sshd || { fail "sshd starts" "$(tail -5 "$ISO_TMP/sshd.log" 2>/dev/null)"; iso_finish; exit 1; }
mark() { wc -l <"$ISO_SYSLOG_FILE"; }
since() { tail -n +"$(($1 + 1))" "$ISO_SYSLOG_FILE"; }

m=$(mark)
# the fork bomb of TESTING.md: the client is killed while it runs
iso_ssh $U 'ulimit -t 10; timeout 25 bash -c ":(){ :|:& };:"' </dev/null >/dev/null 2>&1 &
sp=$!
full=0
for i in $(seq 1 80); do
	cur=$(cat "$PIDS/$ROOT/user-$UID_U/pids.current" 2>/dev/null || echo 0)
	[ "$cur" -ge 38 ] && full=1 && break
	sleep 0.1
done
check "the user reached tasks_max (40) with a fork bomb" test "$full" = 1
sleep 1
# the ssh client itself (a child of the background subshell)
pkill -KILL -P "$sp" 2>/dev/null
kill -KILL "$sp" 2>/dev/null
wait "$sp" 2>/dev/null
# sshd closes the session once the remote command (timeout 25) is done
gone=0
for i in $(seq 1 300); do
	[ "$(iso_live_procs $U)" -eq 0 ] && gone=1 && break
	sleep 0.2
done
check "after the client was killed, on_logout = kill left no process of the user" test "$gone" = 1
[ "$gone" = 1 ] || { echo "     log:"; since "$m" | tail -15 | sed 's/^/     | /'; ps -o pid,ppid,stat,user,args -u $U | head -5 | sed 's/^/     | /'; ps -eo pid,ppid,user,args | grep -E "sshd|isot-sshd" | grep -v grep | head -8 | sed 's/^/     | /'; }
if since "$m" | grep -q "close of session .* failed"; then
	fail "the close ran (no 'close of session ... failed' in the log)" "$(since "$m" | grep 'close of session' | head -3)"
else
	pass "the close ran (no 'close of session ... failed' in the log)"
fi
closed=0
for i in $(seq 1 50); do since "$m" | grep -q "close user=$U .*result=closed" && closed=1 && break; sleep 0.1; done
check "the close was done by the helper (its log line)" test "$closed" = 1
out=$(iso_ssh $U 'grep -E "^[0-9]+:pids:" /proc/self/cgroup' </dev/null 2>&1)
rc=$?
expect_eq "the user's next login works at once" 0 "$rc"
expect_match "  ... and is confined" ":pids:/$ROOT/user-$UID_U/session-" "$out"
WAIT_TENTHS=100 wait_gone test -e "$PIDS/$ROOT/user-$UID_U"
check "and after it nothing of the user is left" test ! -e "$PIDS/$ROOT/user-$UID_U"
iso_finish
