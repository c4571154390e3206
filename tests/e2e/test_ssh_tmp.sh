#!/bin/bash
# /tmp and /var/tmp that last as users expect (issue 15, item 2), through
# the real sshd: scp a file to /tmp and /var/tmp, log out, let the sandbox
# go (on_logout = kill), log in again and read both back. With
# private_tmp = tmpfs (what "yes" meant before) the file goes with the
# sandbox, as isolate.conf(5) says. Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_e2e_need sshd ssh scp ssh-keygen ssh-keyscan unshare sha256sum
iso_e2e_install || { fail "make install into a temporary PREFIX"; iso_finish; exit 1; }

ROOT=isot_e2t_$$
on_exit "iso_e2e_cgroup_cleanup $ROOT"
iso_ssh_user isot_e2t
on_exit "iso_kill_holders isot_e2t"
iso_tmp_instances isot_e2t
U=isot_e2t
UID_U=$(id -u $U)

conf() {
	iso_conf "tmp-$1" <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    tasks_max = 64
    namespaces = { user, pid, mount }
    private_tmp = $1
    on_logout = kill
}
EOF
}
DISK=$(conf yes)
TMPFS=$(conf tmpfs)
iso_service isot-sshd "$DISK"
PAMFILE=/etc/pam.d/isot-sshd
iso_sshd_start isot-sshd || { fail "sshd starts" "$(tail -5 "$ISO_TMP/sshd.log" 2>/dev/null)"; iso_finish; exit 1; }
# the sandbox is gone: no holder record and no live process of the user
torn_down() {
	WAIT_TENTHS=100 wait_gone test -e "/run/pam_isolate/user-$UID_U.user.holder" &&
		WAIT_TENTHS=50 wait_gone sh -c "ps -o stat= -u $U | grep -qv Z"
}

head -c 100000 /dev/urandom | base64 >"$ISO_TMP/data.csv"
sum=$(sha256sum <"$ISO_TMP/data.csv" | cut -d' ' -f1)

# --- private_tmp = yes (disk): the file outlives the sandbox ---
iso_scp $U "$ISO_TMP/data.csv" R:/tmp/data.csv </dev/null 2>&1
expect_eq "disk: scp to /tmp succeeds" 0 "$?"
iso_scp $U -O "$ISO_TMP/data.csv" R:/var/tmp/data.csv </dev/null 2>&1
expect_eq "disk: scp -O to /var/tmp succeeds" 0 "$?"
check "disk: after logout the user's sandbox is torn down (on_logout = kill)" torn_down
out=$(iso_ssh $U 'sha256sum /tmp/data.csv /var/tmp/data.csv; stat -f -c "fs=%T" /tmp' </dev/null 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "disk: ssh in a new sandbox reads /tmp/data.csv back, intact" "^$sum +/tmp/data.csv$" "$out"
expect_match "  ... and /var/tmp/data.csv" "^$sum +/var/tmp/data.csv$" "$out"
expect_match "  ... from the host's disk, not a tmpfs" "^fs=$(stat -f -c %T /tmp)$" "$out"
check "disk: on the host it is in the user's instance, the user's file" \
	test "$(stat -c %U "/tmp/.pam_isolate/$UID_U/data.csv" 2>&1)" = $U
torn_down

# --- private_tmp = tmpfs: the file goes with the sandbox ---
sed "s|conf=$DISK|conf=$TMPFS|" "$PAMFILE" >"$PAMFILE.new" && mv "$PAMFILE.new" "$PAMFILE"
iso_scp $U "$ISO_TMP/data.csv" R:/tmp/data-tmpfs.csv </dev/null 2>&1
expect_eq "tmpfs: scp to /tmp succeeds" 0 "$?"
check "tmpfs: the sandbox is torn down" torn_down
out=$(iso_ssh $U 'cat /tmp/data-tmpfs.csv >/dev/null 2>&1 && echo read || echo gone; stat -f -c "fs=%T" /tmp' </dev/null 2>&1)
echo "$out" | sed 's/^/     | /'
expect_eq "tmpfs: the next login finds /tmp empty again" "gone
fs=tmpfs" "$out"
torn_down

iso_finish
