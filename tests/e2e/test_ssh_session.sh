#!/bin/bash
# End to end over a real sshd on 127.0.0.1: what a user who logs in with
# ssh sees (cgroup, processes, /tmp), a pty, exit codes, scp and sftp, and
# what the module costs per login. Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_e2e_need sshd ssh scp sftp ssh-keygen ssh-keyscan unshare
iso_e2e_install || { fail "make install into a temporary PREFIX"; iso_finish; exit 1; }

ROOT=isot_e2e_$$
on_exit "iso_e2e_cgroup_cleanup $ROOT"
iso_ssh_user isot_e2s
iso_ssh_user isot_e2o
on_exit "iso_kill_holders isot_e2s isot_e2o"
U=isot_e2s
UID_U=$(id -u $U)
CPU=$(iso_cg_mount cpu)
wait_gone() { # poll up to 5 s for CMD to fail
	local i
	for i in $(seq 1 50); do "$@" || return 0; sleep 0.1; done
	return 1
}

CONF=$(iso_conf e2e <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 20%
    tasks_max = 128
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    tmp_size = 64M
    on_logout = keep
}
EOF
)
iso_service isot-sshd "$CONF"
PAMFILE=/etc/pam.d/isot-sshd
cp "$PAMFILE" "$ISO_TMP/pam-with"
grep -v pam_isolate "$PAMFILE" >"$ISO_TMP/pam-without"
iso_sshd_start isot-sshd || { fail "sshd starts" "$(tail -5 "$ISO_TMP/sshd.log" 2>/dev/null)"; iso_finish; exit 1; }
pass "private sshd listens on 127.0.0.1:$ISO_SSH_PORT (PAM service isot-sshd)"

echo "host-only" >/tmp/isot_e2e_marker_$$
on_exit "rm -f /tmp/isot_e2e_marker_$$"

# --- what the user sees ---
out=$(iso_ssh $U 'cat /proc/self/cgroup; echo "--ps"; ps -e -o pid=,user=,comm=; echo "--tmp"; ls -la /tmp; echo "fs=$(stat -f -c %T /tmp)"; echo made >/tmp/made-in-session' 2>&1)
rc=$?
echo "$out" | sed 's/^/     | /'
expect_eq "ssh login with a command succeeds" 0 "$rc"
expect_match "the shell is in the user's cpu cgroup" "^[0-9]+:cpu:/$ROOT/user-$UID_U/session-[0-9a-f]{16}$" "$out"
expect_match "and in the user's pids cgroup" "^[0-9]+:pids:/$ROOT/user-$UID_U/session-[0-9a-f]{16}$" "$out"
expect_nomatch "memory hierarchy untouched (no memory limit configured)" "memory:/$ROOT" "$out"
ps_lines=$(echo "$out" | sed -n '/^--ps$/,/^--tmp$/p' | sed '1d;$d')
expect_match "PID 1 of the session is the sandbox holder" "^ +1 root +isolate-holder$" "$ps_lines"
others=$(echo "$ps_lines" | grep -Ev "^ +1 root +isolate-holder$" | grep -Ev "^ +[0-9]+ $U " || true)
expect_eq "ps -e lists only the user's processes (and the holder)" "" "$others"
expect_match "ps -e shows the user's sshd and shell" "isot-sshd" "$ps_lines"
expect_match "/tmp is a private tmpfs" "^fs=tmpfs$" "$out"
expect_nomatch "the host's /tmp content is not visible" "isot_e2e_marker" "$out"
check "a file made in the session's /tmp is not in the host's /tmp" test ! -e /tmp/made-in-session

out=$(iso_ssh isot_e2o 'ls -A /tmp; ps -e -o user=' 2>&1)
expect_nomatch "another user's session does not see the first user's /tmp or processes" "made-in-session|$U" "$out"

# keep + nothing running: the sandbox goes with the last session (sshd
# closes the PAM session before it reaps its session child: that zombie
# must not count as a running process).
check "keep: nothing left running -> the sandbox is removed after the ssh logout" \
	wait_gone test -e "/run/pam_isolate/user-$UID_U.user.holder"
iso_kill_holders $U isot_e2o 2>/dev/null

# --- ssh -t gets a working pty ---
out=$(iso_ssh -tt $U 'tty; test -t 0 && test -t 1 && echo pty-ok' 2>&1 </dev/null | tr -d '\r'; exit "${PIPESTATUS[0]}")
rc=$?
expect_eq "ssh -tt succeeds" 0 "$rc"
expect_match "tty prints a /dev/pts device" "^/dev/pts/[0-9]+$" "$out"
expect_match "stdin and stdout are the pty" "^pty-ok$" "$out"
echo "     pty: $(echo "$out" | head -1)"
out=$(printf 'echo via-pty-$((6*7))\nexit 7\n' | iso_ssh -tt $U 2>&1 | tr -d '\r'; exit "${PIPESTATUS[1]}")
rc=$?
expect_match "an interactive shell on the pty runs typed commands" "via-pty-42" "$out"
expect_eq "and its exit status comes back" 7 "$rc"

# --- exit codes come back unchanged ---
for code in 0 1 42 200; do
	iso_ssh $U "exit $code" </dev/null >/dev/null 2>&1
	expect_eq "ssh '... exit $code' returns $code" "$code" "$?"
done
iso_ssh $U 'false' </dev/null >/dev/null 2>&1
expect_eq "a failing remote command's status comes back (false -> 1)" 1 "$?"

# --- scp and sftp ---
head -c 200000 /dev/urandom >"$ISO_TMP/payload"
sum=$(sha256sum <"$ISO_TMP/payload" | cut -d' ' -f1)
HOME_U=$(getent passwd $U | cut -d: -f6)
iso_scp $U "$ISO_TMP/payload" R:payload.bin </dev/null 2>&1
expect_eq "scp (sftp protocol) to the home directory succeeds" 0 "$?"
check "the file lands in the user's home on the host, intact" \
	test "$(sha256sum <"$HOME_U/payload.bin" 2>/dev/null | cut -d' ' -f1)" = "$sum"
expect_eq "and belongs to the user" "$U" "$(stat -c %U "$HOME_U/payload.bin" 2>/dev/null)"
iso_scp $U -O "$ISO_TMP/payload" R:payload-legacy.bin </dev/null 2>&1
expect_eq "scp -O (legacy scp protocol) succeeds" 0 "$?"
check "the legacy copy lands intact" \
	test "$(sha256sum <"$HOME_U/payload-legacy.bin" 2>/dev/null | cut -d' ' -f1)" = "$sum"
rm -f "$ISO_TMP/back.bin"
iso_scp $U R:payload.bin "$ISO_TMP/back.bin" </dev/null 2>&1
check "scp back from the server returns the same bytes" \
	test "$(sha256sum <"$ISO_TMP/back.bin" 2>/dev/null | cut -d' ' -f1)" = "$sum"

cat >"$ISO_TMP/batch" <<EOF
mkdir sftpdir
put $ISO_TMP/payload sftpdir/p.bin
ls -l sftpdir
get sftpdir/p.bin $ISO_TMP/sftp-back.bin
put $ISO_TMP/payload /tmp/sftp-in-tmp.bin
ls /tmp
EOF
out=$(iso_sftp $U "$ISO_TMP/batch" </dev/null 2>&1)
rc=$?
echo "$out" | sed 's/^/     | /'
expect_eq "sftp batch (mkdir, put, ls, get) succeeds" 0 "$rc"
check "sftp put lands in the home directory" \
	test "$(sha256sum <"$HOME_U/sftpdir/p.bin" 2>/dev/null | cut -d' ' -f1)" = "$sum"
check "sftp get returns the same bytes" \
	test "$(sha256sum <"$ISO_TMP/sftp-back.bin" 2>/dev/null | cut -d' ' -f1)" = "$sum"
expect_match "sftp sees /tmp of the sandbox (its own upload)" "sftp-in-tmp.bin" "$out"
check "sftp's /tmp upload did not land in the host's /tmp" test ! -e /tmp/sftp-in-tmp.bin

# scp to /tmp lands in the sandbox's /tmp: visible to later sessions of the
# same user while the sandbox lives, i.e. while a process of the user runs
# (on_logout = keep); never in the host's /tmp. Each ssh connection is a
# session: with nothing running, /tmp goes with the session's sandbox.
iso_kill_holders $U 2>/dev/null
iso_ssh $U 'setsid sleep 60 </dev/null >/dev/null 2>&1 &' </dev/null
iso_scp $U "$ISO_TMP/payload" R:/tmp/scp-in-tmp.bin </dev/null 2>&1
expect_eq "scp to /tmp succeeds" 0 "$?"
check "scp to /tmp did not write the host's /tmp" test ! -e /tmp/scp-in-tmp.bin
out=$(iso_ssh $U 'sha256sum </tmp/scp-in-tmp.bin | cut -d" " -f1; pgrep -c -x sleep' </dev/null 2>&1)
expect_eq "a later ssh session sees the scp'd /tmp file while a process keeps the sandbox" "$sum
1" "$out"
for p in $(pgrep -u $U -x sleep); do kill "$p"; done
check "the user's background process is gone" wait_gone sh -c "pgrep -u $U -x sleep >/dev/null"
# The sandbox is reaped at a logout, not when its last process dies: the
# next session still joins it, and its logout (nothing running) ends it.
out=$(iso_ssh $U 'ls -A /tmp' </dev/null 2>&1)
echo "     /tmp in the first session after the last process died: ${out:-empty}"
check "the logout after the last process died removes the sandbox" \
	wait_gone test -e "/run/pam_isolate/user-$UID_U.user.holder"
out=$(iso_ssh $U 'ls -A /tmp' </dev/null 2>&1)
expect_eq "then the next session gets a fresh, empty /tmp" "" "$out"
iso_kill_holders $U 2>/dev/null

# --- cost of a login: median of 10 ssh logins, with and without the module ---
time_logins() { # time_logins N USER: ms per login, one per line
	local i t0 t1
	for i in $(seq 1 "$1"); do
		t0=$(date +%s%N)
		iso_ssh "$2" true </dev/null >/dev/null 2>&1 || echo "login failed" >&2
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000))
	done
}
CGONLY=$(iso_conf e2e-cg <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = 20%
    tasks_max = 128
}
EOF
)
KILL=$(iso_conf e2e-kill <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = 20%
    tasks_max = 128
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = kill
}
EOF
)
cp "$ISO_TMP/pam-without" "$PAMFILE"
t_without=$(time_logins 10 $U | iso_median)
sed "s|conf=$CONF|conf=$CGONLY|" "$ISO_TMP/pam-with" >"$PAMFILE"
t_cg=$(time_logins 10 $U | iso_median)
cp "$ISO_TMP/pam-with" "$PAMFILE"
iso_kill_holders $U 2>/dev/null
t_sb=$(time_logins 10 $U | iso_median)
iso_kill_holders $U 2>/dev/null
sed "s|conf=$CONF|conf=$KILL|" "$ISO_TMP/pam-with" >"$PAMFILE"
t_kill=$(time_logins 3 $U | iso_median)
cp "$ISO_TMP/pam-with" "$PAMFILE"
echo "     login time, median of 10 'ssh user true' (informational):"
echo "       without pam_isolate:                      $t_without ms"
echo "       with pam_isolate, cgroup only:            $t_cg ms"
echo "       with pam_isolate, cgroup + sandbox, keep: $t_sb ms"
echo "       with sandbox, on_logout=kill (median of 3 back-to-back logins): $t_kill ms"
[ "$t_kill" -gt 2000 ] && echo "     note: back-to-back logins with on_logout=kill are slow: the closing helper holds the user lock"
iso_finish
