#!/bin/bash
# End to end through su and login, driven by expect on a pty: `su - user`
# from root and from another user with the target's password, and login(1)
# with a password, each through the host's real su/login binaries with our
# PAM file bind-mounted over /etc/pam.d/su or /etc/pam.d/login in a private
# mount namespace (the host's files are never touched). Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_e2e_need expect su login setpriv unshare chpasswd
iso_e2e_install || { fail "make install into a temporary PREFIX"; iso_finish; exit 1; }

ROOT=isot_e2su_$$
on_exit "iso_e2e_cgroup_cleanup $ROOT"
iso_ssh_user isot_e2t  # the target of su and login
iso_ssh_user isot_e2c  # a non-root caller of su
on_exit "iso_kill_holders isot_e2t isot_e2c"
T=isot_e2t
UID_T=$(id -u $T)
PW=$(iso_password $T)
HOSTNS=$(readlink /proc/self/ns/pid)
iso_pubdir
install -m 0644 "$(dirname "$0")/su.exp" "$(dirname "$0")/login.exp" "$ISO_PUB/"

CONF=$(iso_conf sulogin <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 25%
    tasks_max = 128
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = kill
}
EOF
)
cat >"$ISO_TMP/pam-su" <<EOF
auth     sufficient pam_rootok.so
auth     required   pam_unix.so nodelay
account  required   pam_unix.so
session  required   pam_unix.so
session  required   $ISO_MODULE conf=$CONF
EOF
# The admin's own thread count, set before the module: it must win.
echo "OMP_NUM_THREADS DEFAULT=4" >"$ISO_TMP/env.conf"
cat >"$ISO_TMP/pam-login" <<EOF
auth     required   pam_unix.so nodelay
account  required   pam_unix.so
session  required   pam_unix.so
session  required   pam_env.so conffile=$ISO_TMP/env.conf readenv=0 user_readenv=0
session  required   $ISO_MODULE conf=$CONF
EOF
chmod 0644 "$ISO_TMP/pam-su" "$ISO_TMP/pam-login" "$ISO_TMP/env.conf"

# shellcheck disable=SC2016
probe='echo "who=$(id -un)"; grep -E "^[0-9]+:(cpu|pids):" /proc/self/cgroup; echo "pidns=$(readlink /proc/self/ns/pid)"; echo "users=$(ps -e -o user= | sort -u | tr "\n" " ")"; echo "tmpfs=$(stat -f -c %T /tmp)"; echo "nproc=$(nproc) blas=${OPENBLAS_NUM_THREADS:-unset}"'
sessions() { find /sys/fs/cgroup/*/"$ROOT" -type d -name 'session-*' 2>/dev/null | wc -l; }
confined() { # confined WHAT OUTPUT
	local out
	# a pty: drop CRs and the terminal escapes bash sends (title, bracketed paste)
	out=$(printf '%s\n' "$2" | tr -d '\r' | sed -E $'s/\x1b\\][^\a]*\a//g; s/\x1b\\[[0-9;?]*[A-Za-z]//g')
	expect_line "$1: the shell runs as $T" "who=$T" "$out"
	expect_match "$1: in the user's cpu cgroup" "^[0-9]+:cpu:/$ROOT/user-$UID_T/session-[0-9a-f]{16}$" "$out"
	expect_match "$1: in the user's pids cgroup" "^[0-9]+:pids:/$ROOT/user-$UID_T/session-[0-9a-f]{16}$" "$out"
	ns=$(printf '%s\n' "$out" | grep '^pidns=')
	check "$1: in a sandbox pid namespace" test -n "$ns" -a "$ns" != "pidns=$HOSTNS"
	expect_match "$1: sees only its own processes (and root's holder)" "^users=(root $T |$T root )$" "$out"
	expect_line "$1: private /tmp" "tmpfs=tmpfs" "$out"
	# cpu_quota = 25%: one CPU's worth of threads (OpenBLAS's variable too)
	expect_match "$1: the thread-count variables say 1 CPU" "^nproc=[0-9]+ blas=1$" "$out"
}

# --- su - user, from root (pam_rootok: no password) ---
out=$(iso_in_override su="$ISO_TMP/pam-su" expect "$ISO_PUB/su.exp" $T "" "$probe" 2>&1)
rc=$?
expect_eq "su - $T from root succeeds" 0 "$rc"
confined "su from root" "$out"
expect_match "su from root: nproc honours OMP_NUM_THREADS=1 (the host has $(nproc))" "^nproc=1 " \
	"$(printf '%s\n' "$out" | tr -d '\r')"

# --- su - user, from a non-root user with the target's password ---
out=$(iso_in_override su="$ISO_TMP/pam-su" setpriv --reuid=isot_e2c --regid=isot_e2c --init-groups \
	env HOME=/ expect "$ISO_PUB/su.exp" $T "$PW" "$probe" 2>&1)
rc=$?
expect_eq "su - $T from isot_e2c with the password succeeds" 0 "$rc"
expect_match "su asked isot_e2c for the password" "[Pp]assword:" "$out"
confined "su from a user" "$out"

n0=$(sessions)
out=$(iso_in_override su="$ISO_TMP/pam-su" setpriv --reuid=isot_e2c --regid=isot_e2c --init-groups \
	env HOME=/ expect "$ISO_PUB/su.exp" $T "wrong-password" "$probe" 2>&1)
rc=$?
check "su with a wrong password is refused (su exit $rc)" test "$rc" -ne 0
expect_nomatch "and runs nothing" "who=$T" "$out"
expect_eq "and makes no session" "$n0" "$(sessions)"

# --- login(1) with the password ---
out=$(iso_in_override login="$ISO_TMP/pam-login" expect "$ISO_PUB/login.exp" $T "$PW" "$probe" 2>&1)
rc=$?
expect_eq "login $T with the password succeeds" 0 "$rc"
expect_match "the probe ran in the login shell" "^ISO_RC=0" "$(printf '%s\n' "$out" | tr -d '\r')"
confined "login" "$out"
expect_match "login: the admin's OMP_NUM_THREADS=4 (pam_env before the module) wins" "^nproc=4 " \
	"$(printf '%s\n' "$out" | tr -d '\r')"

# --- su and login wait for their child before pam_close_session: with
# on_logout = kill nothing at all is left ---
ISO_WAIT_S=10 iso_wait_clean "$ROOT" $T
left=$(iso_leftovers "$ROOT" $T)
echo "     leftovers after su and login: $left"
expect_eq "nothing left after su and login (cgroups, holders, state, processes)" \
	"cgroups=0 holders=0 state=0 procs=0" "$left"

iso_finish
