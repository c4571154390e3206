#!/bin/bash
# The package on a systemd host as admins run it (issue 16): runs INSIDE
# the systemd VM (tests/run-package-vm.sh: tests/vm/run-vm.sh --systemd,
# user@.service not masked). Installs the .deb that `make deb` built with
# dpkg -i, enables the profile with pam-auth-update, starts the real
# ssh.service on port 22 of lo and logs in with ssh: Debian's own sshd
# stack (pam_loginuid, common-session with pam_systemd then pam_isolate,
# then pam_motd, pam_mail, pam_limits, pam_env, pam_selinux), lingering
# users with their user@.service, the shipped isolate.conf.
# Also measures `ssh user@127.0.0.1 true` with the profile off and on,
# alternated in this one boot (the closing note of issue 16 quotes it).
# Not named test_*.sh: tests/run-package.sh must not run it on the host.
# Usage (in the VM): bash tests/package/vm_ssh.sh PATH/libpam-isolate_*.deb
# shellcheck disable=SC2016  # the probe is single-quoted on purpose
ISO_SUITE=package-vm
. "$(dirname "$0")/../lib.sh"
iso_need_root
if [ ! -d /run/systemd/system ] || [ "$(hostname)" != pam-isolate-vm ]; then
	# it installs a package, enables it in /etc/pam.d and starts sshd
	iso_log "run me in the systemd VM: sh tests/run-package-vm.sh"
	exit 2
fi
DEB=${1:-}
[ -f "$DEB" ] || { iso_log "usage: $0 libpam-isolate_VERSION_ARCH.deb"; exit 2; }
LOGINS=${PKGVM_LOGINS:-3}
T0=$(date +%s%N)
ms() { echo $((($(date +%s%N) - T0) / 1000000)); }
step() { printf '\n---- [%5d ms] %s\n' "$(ms)" "$*"; }

trap 'iso_cleanup' EXIT
trap 'iso_cleanup; exit 130' INT TERM
ISO_TMP=$(mktemp -d /run/isot-pkgvm.XXXXXX)
chmod 0700 "$ISO_TMP"
on_exit "rm -rf '$ISO_TMP'"

# wait_for SECONDS CMD...: polls CMD every 0.2 s (emulation is slow)
wait_for() {
	local i n=$(($1 * 5))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# ---- install, as an admin does -------------------------------------------
step "dpkg -i $(basename "$DEB")"
# The VM's / is the build machine's under a RAM overlay: a config left
# there is not this package's conffile (dpkg would ask about it).
rm -f /etc/security/isolate.conf
# man-db's trigger rebuilds its index: a minute under emulation, nothing
# this test looks at.
rm -f /var/lib/man-db/auto-update
out=$(DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" 2>&1)
rc=$?
echo "$out" | sed 's/^/     | /'
expect_eq "dpkg -i installs the package" 0 "$rc"
expect_eq "the helper is setuid root" "4755 root" "$(stat -c '%a %U' /usr/libexec/pam_isolate/pam-isolate-helper 2>&1)"
check "the config is the package's conffile" test -s /etc/security/isolate.conf
check "installing did not enable it" eval '! grep -q pam_isolate /etc/pam.d/common-session'

# ---- users: a = logs in (lingering), b = someone else on the machine ------
for u in isot_pa isot_pb; do
	userdel -r "$u" >/dev/null 2>&1 || true
	useradd -m -s /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u"
	on_exit "loginctl disable-linger '$u'; pkill -KILL -u '$u'; userdel -r '$u'"
	echo "$u:$(iso_password "$u")" | chpasswd
done
UA=$(id -u isot_pa)
UB=$(id -u isot_pb)
ssh-keygen -q -t ed25519 -N '' -C isot-pa -f "$ISO_TMP/id_pa" </dev/null
install -d -m 0700 -o isot_pa -g isot_pa /home/isot_pa/.ssh
install -m 0600 -o isot_pa -g isot_pa "$ISO_TMP/id_pa.pub" /home/isot_pa/.ssh/authorized_keys
SSH=(ssh "${ISO_SSH_COMMON[@]}" -p 22 -i "$ISO_TMP/id_pa")

step "ssh.service (the runner masks it) and lingering users"
rm -f /etc/systemd/system/ssh.service /etc/systemd/system/sshd.service
systemctl daemon-reload
on_exit "systemctl stop ssh.service"
systemctl start ssh.service
expect_eq "ssh.service is active" active "$(systemctl is-active ssh.service)"
loginctl enable-linger isot_pa isot_pb
check "user@$UA.service is up for the lingering user" wait_for 90 systemctl -q is-active "user@$UA.service"
check "user@$UB.service too" wait_for 90 systemctl -q is-active "user@$UB.service"
# someone else's plain process besides their manager
setpriv --reuid=isot_pb --regid=isot_pb --clear-groups sleep 600 </dev/null >/dev/null 2>&1 &
on_exit "kill $!"
echo host >/tmp/isot_pkg_host_marker
on_exit "rm -f /tmp/isot_pkg_host_marker"

# ---- login time, profile off / on, alternated in this boot ----------------
step "login time: ssh isot_pa@127.0.0.1 true, $LOGINS rounds of off/on"
one_login() {
	local t0 t1
	t0=$(date +%s%N)
	"${SSH[@]}" isot_pa@127.0.0.1 true </dev/null >/dev/null 2>&1 || echo "login failed" >&2
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
# pam-auth-update takes seconds under emulation: its two results are made
# once and swapped in with cp between logins (the same bytes).
pam-auth-update --enable isolate >/dev/null 2>&1
cp /etc/pam.d/common-session "$ISO_TMP/cs-on"
pam-auth-update --disable isolate >/dev/null 2>&1
cp /etc/pam.d/common-session "$ISO_TMP/cs-off"
profile() { cp "$ISO_TMP/cs-$1" /etc/pam.d/common-session; }
one_login >/dev/null # warm-up: sshd's first exec, key cache
OFF="" ON=""
for ((i = 0; i < LOGINS; i++)); do
	profile off
	OFF="$OFF $(one_login)"
	profile on
	[ "$i" = 0 ] && one_login >/dev/null # the first confined login makes the sandbox
	ON="$ON $(one_login)"
done
# and on for good, as the admin leaves it (pam-auth-update's own bytes)
profile on
off_med=$(echo "$OFF" | tr ' ' '\n' | grep . | iso_median)
on_med=$(echo "$ON" | tr ' ' '\n' | grep . | iso_median)
echo "     profile off (ms):$OFF   median $off_med"
echo "     profile on  (ms):$ON   median $on_med"
echo "LOGIN-TIME ssh true (TCG VM, same boot): profile off median ${off_med} ms, on median ${on_med} ms, $LOGINS each"

# ---- the profile's stack -----------------------------------------------------
step "the stack pam-auth-update made"
grep -E '^[^#]*session' /etc/pam.d/common-session | sed 's/^/     | /'
expect_eq "the profile puts pam_isolate last in common-session, after pam_systemd" \
	"$(printf 'pam_systemd.so\npam_isolate.so')" \
	"$(grep -E '^[^#]*session' /etc/pam.d/common-session | awk '{ print $NF }' | tail -2)"
check "common-session-noninteractive (user@.service's) is left alone" \
	eval '! grep -q pam_isolate /etc/pam.d/common-session-noninteractive'
out=$(isolatectl explain isot_pa 2>&1 | sed -n '/^PAM services/,/^$/p')
echo "$out" | sed 's/^/     | /'
svc() { echo "$out" | grep -E "^  $1 " | head -n 1; }
expect_match "explain: sshd's stack, as the profile leaves it, passes" "^  sshd +ok; after it: pam_motd" "$(svc sshd)"
expect_match "explain: login's stack passes" "^  login +ok; last in the session stack" "$(svc login)"
expect_match "explain: su's stack passes" "^  su +ok" "$(svc su)"
expect_nomatch "explain: no stack error or warning" "ERROR|WARNING|error:|warning:" "$out"

# ---- a real login, observed from both sides --------------------------------
step "a login through ssh.service with the profile on"
PROBE='echo "cg $(cat /proc/self/cgroup)"
ps -e -o user= | sort -u | sed "s/^/user /"
ls -A /tmp | sed "s/^/tmp /"; echo mine >/tmp/isot_pkg_inside
echo "userbus $(systemctl --user is-system-running 2>&1)"
echo READY; sleep 120'
"${SSH[@]}" isot_pa@127.0.0.1 "$PROBE" </dev/null >"$ISO_TMP/probe" 2>&1 &
sshpid=$!
on_exit "kill $sshpid"
wait_for 90 grep -q READY "$ISO_TMP/probe"
sed 's/^/     | /' "$ISO_TMP/probe"
probe=$(cat "$ISO_TMP/probe")
SID=$(loginctl list-sessions --no-legend | awk -v u=isot_pa '$3 == u && $1 ~ /^[0-9]+$/ { s = $1 } END { print s }')
expect_eq "the session is in its logind scope" "cg 0::/user.slice/user-$UA.slice/session-$SID.scope" \
	"$(echo "$probe" | grep '^cg ')"
conf_quota=$(isolatectl explain isot_pa 2>/dev/null | awk '$1 == "cpu_quota" { print $2 }')
conf_tasks=$(isolatectl explain isot_pa 2>/dev/null | awk '$1 == "tasks_max" { print $2 }')
S=/sys/fs/cgroup/user.slice/user-$UA.slice
cpu_max=$(cat "$S/cpu.max" 2>&1)
echo "     the shipped config: cpu_quota $conf_quota, tasks_max $conf_tasks; $S: cpu.max $cpu_max, pids.max $(cat "$S/pids.max" 2>&1)"
want_quota=$(echo "$conf_quota" | sed -n 's/^\([0-9]*\)%$/\1/p')
expect_eq "the slice has the config's CPU quota" "$((${want_quota:-0} * 1000)) 100000" "$cpu_max"
expect_eq "the slice has the config's tasks_max" "$conf_tasks" "$(cat "$S/pids.max" 2>&1)"
check "isot_pb has processes on the machine" eval 'pgrep -u isot_pb -x sleep >/dev/null'
priv=$(pgrep -f '^sshd: isot_pa \[priv\]' | head -n 1)
expect_eq "the OOM guard: sshd's root [priv] process is -1000 during the session" "-1000" \
	"$(cat "/proc/${priv:-0}/oom_score_adj" 2>&1)"
expect_eq "  ... and the session's own processes keep 0" "0" \
	"$(cat "/proc/$(pgrep -u isot_pa -x sleep | head -n 1)/oom_score_adj" 2>&1)"
expect_nomatch "other users' processes are hidden in the session" "^user (isot_pb|$UB)$" "$probe"
expect_match "the session sees its own processes" "^user isot_pa$" "$probe"
expect_nomatch "the session's /tmp is private (no host file in it)" "^tmp isot_pkg_host_marker$" "$probe"
check "a file the session made in /tmp is not in the host's /tmp" test ! -e /tmp/isot_pkg_inside
# Needs the sandbox without a pid namespace on systemd hosts (issue 16
# items 1-2): sd-bus refuses a peer in another pid namespace.
expect_match "systemctl --user is-system-running answers in the session" \
	"^userbus (running|degraded|starting)$" "$(echo "$probe" | grep '^userbus ')"
check "user@$UA.service is active with the profile on" systemctl -q is-active "user@$UA.service"
# the manager itself, asked from outside any sandbox (it runs unconfined:
# common-session-noninteractive has no pam_isolate)
out=$(XDG_RUNTIME_DIR=/run/user/$UA setpriv --reuid=isot_pa --regid=isot_pa --clear-groups \
	systemctl --user is-system-running 2>&1)
expect_match "isot_pa's user manager answers (outside the sandbox)" "^(running|degraded)$" "$out"
out=$(isolatectl status 2>&1)
echo "$out" | sed 's/^/     | /'
expect_match "isolatectl status shows the user and the live session" "^isot_pa \(uid $UA\): 1 live session" "$out"
expect_match "isolatectl status reads the user's slice" "^  cgroup +$S$" "$out"
expect_match "isolatectl status lists the session's scope" "^  (units)? +session-$SID\.scope +[1-9][0-9]* process" "$out"
expect_match "isolatectl status lists the user manager" "^ +user@$UA\.service +[1-9][0-9]* process" "$out"
expect_match "isolatectl status shows the slice's CPU quota" "^  cpu +quota $want_quota\.00% of one CPU" "$out"
expect_match "isolatectl status shows the slice's tasks limit" "^  tasks +[0-9]+ of $conf_tasks$" "$out"
out=$(isolatectl status --json 2>&1)
expect_match "isolatectl status --json: the session id from the scope" "\"session_id\": \"$SID\"" "$out"
kill "$sshpid" 2>/dev/null
wait "$sshpid" 2>/dev/null

# ---- a unit with PAMName= ------------------------------------------------------
step "systemd-run -p PAMName=login -p User=isot_pa --wait true"
out=$(timeout 120 systemd-run -q -p PAMName=login -p User=isot_pa --wait true 2>&1)
rc=$?
echo "$out" | sed 's/^/     | /'
expect_eq "a PAMName=login unit runs (exit 0)" 0 "$rc"

step "journalctl -b"
j=$(journalctl -b --no-pager -o short-monotonic 2>&1)
errs=$(echo "$j" | grep -E 'pam_isolate|pam-isolate-helper' |
	grep -Ei 'error|cannot|refus|fail|denied|not permitted' || true)
[ -n "$errs" ] && echo "$errs" | head -20 | sed 's/^/     | /'
expect_eq "no pam_isolate error in journalctl -b" "" "$errs"
check "pam_isolate did log sessions (the check above read the right log)" \
	eval 'echo "$j" | grep -q "pam_isolate"'

# ---- memory_max below what the slice uses now: set to the usage --------
# (a login must not have the kernel reclaim or OOM-kill the user's jobs)
step "memory_max below the slice's usage at a login"
MEMD=$(mktemp -d /run/isot-pkgvm-mem.XXXXXX)
chmod 1777 "$MEMD"
on_exit "rm -rf '$MEMD'"
systemd-run -q --scope -p Slice="user-$UB.slice" --uid=isot_pb -- \
	/usr/bin/python3 -c 'import sys, time; b = b"x" * (48 << 20); open(sys.argv[1], "w").close(); time.sleep(600)' \
	"$MEMD/ready" </dev/null >"$MEMD/log" 2>&1 &
mempid=$!
on_exit "kill $mempid"
wait_for 30 test -e "$MEMD/ready" || fail "the memory job started" "$(cat "$MEMD/log")"
SB=/sys/fs/cgroup/user.slice/user-$UB.slice
used=$(cat "$SB/memory.current" 2>&1)
echo "     isot_pb's slice uses $used bytes (48 MiB held by a job)"
cp /etc/security/isolate.conf "$ISO_TMP/isolate.conf.pkg"
on_exit "cp '$ISO_TMP/isolate.conf.pkg' /etc/security/isolate.conf"
printf '\nuser "isot_pb" { memory_max = 16M }\n' >>/etc/security/isolate.conf
HARN=$ISO_TOP/build/tests/session_harness
printf 'session required pam_loginuid.so\n@include common-session\n' >/etc/pam.d/isot-pkg
on_exit "rm -f /etc/pam.d/isot-pkg"
out=$("$HARN" isot-pkg isot_pb true 2>&1)
expect_eq "isot_pb's login with memory_max = 16M opens and closes" 0 "$?"
mm=$(systemctl show -p MemoryMax --value "user-$UB.slice")
echo "     user-$UB.slice MemoryMax=$mm, memory.max $(cat "$SB/memory.max" 2>&1)"
check "the slice's MemoryMax is the usage, not 16M" test "$mm" -gt $((16 << 20))
check "the job that held the memory still runs" kill -0 "$mempid"
expect_journal "the log says so" "memory_max 16777216 is below the [0-9]+ bytes the user's slice uses now" \
	-t pam_isolate -t pam-isolate-helper
cp "$ISO_TMP/isolate.conf.pkg" /etc/security/isolate.conf
kill "$mempid" 2>/dev/null

# ---- a display manager: multi-threaded, includes common-session ----------
# gdm, lightdm, sddm: the kernel refuses setns(CLONE_NEWNS) to a
# multi-threaded process, so with the shipped rule (a sandbox) and
# on_namespace_error = deny the graphical login is refused and says why;
# an admin who lists the services to confine lets it in unconfined.
step "a multi-threaded PAM application through common-session (display managers)"
printf 'session required pam_loginuid.so\n@include common-session\n' >/etc/pam.d/isot-dm
on_exit "rm -f /etc/pam.d/isot-dm"
t_dm=$(date +%s)
out=$(ISO_HARNESS_THREADS=1 "$HARN" isot-dm isot_pa true 2>&1)
rc=$?
echo "$out" | sed 's/^/     | /'
expect_eq "a multi-threaded login with the shipped rule is refused (open fails)" 20 "$rc"
expect_journal "and the log says why" "isot-dm:session.*multi-threaded application cannot change mount namespace" \
	--since "@$((t_dm - 1))"
sed -i '0,/^default/s//services = { "sshd", "login", "su", "su-l" }\ndefault/' /etc/security/isolate.conf
out=$(ISO_HARNESS_THREADS=1 "$HARN" isot-dm isot_pa true 2>&1)
expect_eq "with services = { sshd, login, su, su-l } it is let in, unconfined" 0 "$?"
out=$("${SSH[@]}" isot_pa@127.0.0.1 'cat /proc/self/cgroup; ps -e -o user= | sort -u | tr "\n" " "' </dev/null 2>&1)
expect_match "and ssh stays confined (sandbox: only own processes and the holder)" "^root isot_pa $|^isot_pa root $|^isot_pa $" "$(echo "$out" | tail -n 1)"

step "done"
iso_finish
