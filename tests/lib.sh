# Shared by the shell test suites: results, skips, clean-up, test users,
# test PAM services, the installed helper. Source it; call iso_setup first.
# shellcheck shell=bash

set -u
ISO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ISO_BUILD="$ISO_TOP/build"
ISO_MODULE="$ISO_BUILD/pam_isolate.so"
ISO_HARNESS="$ISO_BUILD/tests/session_harness"
ISO_HELPER_DST=$(strings "$ISO_MODULE" 2>/dev/null | grep -m1 '/pam-isolate-helper$' || true)
ISO_PASSED=0
ISO_FAILED=0
ISO_SKIPPED=0
ISO_CLEANUPS=()
ISO_SUITE=${ISO_SUITE:-$(basename "$0" .sh)}

iso_log() { printf '%s\n' "$*" >&2; }

pass() { ISO_PASSED=$((ISO_PASSED + 1)); printf 'ok   %s\n' "$1"; }
fail() {
	ISO_FAILED=$((ISO_FAILED + 1))
	printf 'FAIL %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '     %s\n' "$@"
	return 0
}
# A skip is honest only outside CI: under CI=true it counts as a failure.
skip() {
	if [ "${CI:-}" = true ]; then
		fail "$1 (skipped under CI=true: $2)"
	else
		ISO_SKIPPED=$((ISO_SKIPPED + 1))
		printf 'skip %s (%s)\n' "$1" "$2"
	fi
}

# check NAME CMD...: passes when CMD exits 0
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command: $*"; fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: $2" "actual:   $3"; fi
}

# expect_match NAME REGEX TEXT
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else
		fail "$1" "expected to match: $2" "actual: $(printf '%s' "$3" | head -c 2000)"
	fi
}

# expect_log NAME REGEX: a line of the syslog catcher's file matches REGEX
# within 10 s. The catcher is a process of its own that writes what it
# receives: on a loaded or emulated machine it may not have yet when the
# login that logged has returned.
expect_log() {
	if wait_for 10 grep -Eq -- "$2" "$ISO_SYSLOG_FILE"; then pass "$1"; else
		fail "$1" "no log line matches: $2" "log: $(tail -c 2000 "$ISO_SYSLOG_FILE")"
	fi
}

# expect_journal NAME REGEX [JOURNALCTL-ARG...]: a line of this boot's
# journal (journalctl -b ARGS) matches REGEX within 20 s: journald stores
# syslog(3) records asynchronously.
expect_journal() {
	local name=$1 re=$2
	shift 2
	if wait_for 20 journal_grep "$re" "$@"; then pass "$name"; else
		fail "$name" "no journal line matches: $re" \
			"last lines: $(journalctl -b --no-pager "$@" 2>&1 | tail -n 5)"
	fi
}
journal_grep() {
	local re=$1
	shift
	journalctl -b --no-pager "$@" 2>/dev/null | grep -Eq -- "$re"
}

expect_nomatch() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		fail "$1" "must not match: $2" "actual: $(printf '%s' "$3" | head -c 2000)"
	else pass "$1"; fi
}

# Clean-up actions run in reverse order at exit, also on failure or signal.
on_exit() { ISO_CLEANUPS+=("$*"); }
iso_cleanup() {
	local i
	for ((i = ${#ISO_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${ISO_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	ISO_CLEANUPS=()
}

iso_summary() {
	printf '\n%s: %d passed, %d failed, %d skipped\n' "$ISO_SUITE" "$ISO_PASSED" "$ISO_FAILED" "$ISO_SKIPPED"
	[ "$ISO_FAILED" -eq 0 ]
}

iso_finish() {
	iso_cleanup
	iso_summary
}

# Suites that need root: outside CI a non-root run skips the whole suite.
iso_need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "$ISO_SUITE" "needs root"
		iso_summary
		exit $?
	fi
}

iso_setup() {
	trap 'iso_cleanup' EXIT
	trap 'iso_cleanup; exit 130' INT TERM
	[ -e "$ISO_MODULE" ] || { iso_log "build first: make tests"; exit 2; }
	ISO_TMP=$(mktemp -d /run/isot-test.XXXXXX)
	chmod 0700 "$ISO_TMP"
	on_exit "rm -rf '$ISO_TMP'"
	local d
	for d in /tmp /var/tmp; do
		[ -e "$d/.pam_isolate" ] || on_exit "rmdir '$d/.pam_isolate'"
	done
	# the helper's per-host counters (and its state dir, once empty),
	# if the suite's logins made them
	[ -e /run/pam_isolate ] || on_exit "rmdir /run/pam_isolate"
	[ -e /run/pam_isolate/counters ] || on_exit "rm -f /run/pam_isolate/counters"
}

# Installs the freshly built helper setuid root at the path compiled into
# the module, keeping whatever was there to put it back afterwards.
iso_install_helper() {
	local dst=$ISO_HELPER_DST
	[ -n "$dst" ] || { iso_log "cannot find the helper path in $ISO_MODULE"; exit 2; }
	if [ -e "$dst" ] && [ ! -e "$dst.isot-saved" ]; then
		cp -a "$dst" "$dst.isot-saved"
		on_exit "mv -f '$dst.isot-saved' '$dst'"
	else
		on_exit "rm -f '$dst'; rmdir '$(dirname "$dst")' 2>/dev/null"
	fi
	install -d -m 0755 "$(dirname "$dst")"
	install -m 4755 -o root -g root "$ISO_BUILD/pam-isolate-helper" "$dst"
}

# iso_user NAME [useradd args...]: a test user, removed at exit.
iso_user() {
	local name=$1
	shift
	userdel -r "$name" >/dev/null 2>&1 || true
	useradd -m -s /bin/bash "$@" "$name"
	on_exit "pkill -KILL -u '$name'; userdel -r '$name'; groupdel '$name'"
	iso_tmp_instances "$name"
}

# iso_tmp_instances USER...: at exit, the users' private_tmp = disk
# instances go (iso_user does this for its users), and the .pam_isolate
# roots if they were not there when the suite began.
iso_tmp_instances() {
	local u
	for u in "$@"; do
		on_exit "rm -rf '/tmp/.pam_isolate/$(id -u "$u")' '/var/tmp/.pam_isolate/$(id -u "$u")'"
	done
}

iso_group() {
	groupdel "$1" >/dev/null 2>&1 || true
	groupadd "$1"
	on_exit "groupdel '$1'"
}

# iso_conf NAME <<EOF ... : writes a root-owned config in the test dir and
# prints its path.
iso_conf() {
	local f="$ISO_TMP/$1.conf"
	cat >"$f"
	chmod 0644 "$f"
	printf '%s\n' "$f"
}

# iso_service NAME CONF [MODULE ARGS...]: /etc/pam.d/NAME with pam_isolate
# last in the session stack, removed at exit.
iso_service() {
	local name=$1 conf=$2
	shift 2
	cat >"/etc/pam.d/$name" <<EOT
auth     required pam_permit.so
account  required pam_permit.so
session  required pam_permit.so
session  required $ISO_MODULE conf=$conf $*
EOT
	on_exit "rm -f '/etc/pam.d/$name'"
}

# wait_gone CMD...: polls CMD every 0.1 s until it fails (the thing is
# gone), up to WAIT_TENTHS tenths of a second (default 50 = 5 s).
wait_gone() {
	local i
	for i in $(seq 1 "${WAIT_TENTHS:-50}"); do "$@" || return 0; sleep 0.1; done
	return 1
}

# iso_parallel N OUT CMD...: runs CMD N times at once, the i-th with its
# output in OUT<i>; prints how many exited 0.
iso_parallel() {
	local n=$1 out=$2 i p okc=0 pids=()
	shift 2
	for ((i = 1; i <= n; i++)); do
		"$@" >"$out$i" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" && okc=$((okc + 1)); done
	echo "$okc"
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds, up to
# SECONDS (the VM lanes run under emulation, 10-15 times slower).
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# The helper's state directory (the Makefile's RUNDIR).
ISO_RUNDIR=/run/pam_isolate

# holder_pid USER: the pid in the record of USER's (a name or a uid)
# per-user sandbox holder; empty when there is none.
holder_pid() {
	local u=$1
	case $u in *[!0-9]*) u=$(id -u "$u" 2>/dev/null) || return 1 ;; esac
	cut -d' ' -f1 "$ISO_RUNDIR/user-$u.user.holder" 2>/dev/null
}

# Kills the sandbox holders of test users and drops their state files.
iso_kill_holders() {
	local u uid f
	for u in "$@"; do
		uid=$(id -u "$u" 2>/dev/null) || continue
		for f in /run/pam_isolate/user-"$uid".*.holder; do
			[ -e "$f" ] || continue
			kill -KILL "$(cut -d' ' -f1 "$f")" 2>/dev/null
			rm -f "$f"
		done
		find /run/pam_isolate -maxdepth 1 -name 'mntns-*' -lname "user-$uid.*" -delete 2>/dev/null
		rm -f "/run/pam_isolate/user-$uid.lock"
	done
}

# Removes our cgroup subtree (test runs use their own cgroup_root name).
iso_cgroup_cleanup() {
	local root=$1 d i
	for d in /sys/fs/cgroup/cpu /sys/fs/cgroup/pids /sys/fs/cgroup/memory /sys/fs/cgroup; do
		[ -d "$d/$root" ] || continue
		# the keepers, watchers and clean-up workers of <root>/daemons
		# finish on their own once the holders and sessions are gone
		for i in $(seq 1 100); do
			grep -q . "$d/$root/daemons/cgroup.procs" 2>/dev/null || break
			sleep 0.1
		done
		find "$d/$root" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
}

# The cgroup mount of a controller on this machine (v1) or the v2 mount.
iso_cg_mount() {
	local ctrl=$1
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo /sys/fs/cgroup
	else
		awk -v c="$ctrl" '$0 ~ / - cgroup / { n=split($NF, o, ","); for (i=1;i<=n;i++) if (o[i]==c) { print $5; exit } }' /proc/self/mountinfo
	fi
}

iso_is_v2() { [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; }

# --- e2e helpers ---
# Real logins (tests/e2e): a private sshd on loopback whose PAM service name
# comes from a symlink, ssh keys for test users, a syslog catcher, su and
# login through a PAM file bind-mounted in a private mount namespace.
ISO_SSH_PORT=${ISO_SSH_PORT:-2222}
ISO_SSHD_PID=
ISO_SYSLOG_SOCK=
ISO_SYSLOG_FILE=
ISO_KEYS=

# iso_e2e_install: the module and helper the e2e suites log in through:
# `make install` of this tree into a temporary PREFIX (the helper path is
# compiled in), so the host's install and other suites' helper at the real
# path are never touched. tests/run-e2e.sh does it once and exports
# ISO_E2E_PREFIX; a suite run on its own does it itself. Uninstalled and
# removed at exit. Sets ISO_MODULE and ISO_HELPER_DST.
iso_e2e_install() {
	local pfx=${ISO_E2E_PREFIX:-}
	if [ -z "$pfx" ]; then
		pfx=$(mktemp -d /run/isot-e2e-prefix.XXXXXX)
		chmod 0755 "$pfx"
		on_exit "rm -rf '$pfx'"
		on_exit "iso_e2e_make '$pfx' uninstall"
		if ! iso_e2e_make "$pfx" all install >"$pfx/make.log" 2>&1; then
			iso_log "make install into $pfx failed:" "$(tail -20 "$pfx/make.log")"
			return 1
		fi
	fi
	ISO_MODULE=$pfx/lib/security/pam_isolate.so
	ISO_HELPER_DST=$pfx/libexec/pam_isolate/pam-isolate-helper
	[ -x "$ISO_HELPER_DST" ] && [ -u "$ISO_HELPER_DST" ] && [ -e "$ISO_MODULE" ]
}
# iso_e2e_make PREFIX TARGET...: make with every path inside PREFIX, from
# this tree (or from ISO_E2E_SRC, e.g. a `git archive HEAD` export).
iso_e2e_make() {
	local pfx=$1
	shift
	make -C "${ISO_E2E_SRC:-$ISO_TOP}" -s -j"$(nproc)" B="$pfx/build" PREFIX="$pfx" \
		PAMDIR="$pfx/lib/security" SYSCONFDIR="$pfx/etc" "$@"
}

# iso_e2e_need CMD...: the tools a suite needs (skip, or fail under CI).
iso_e2e_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		skip "$ISO_SUITE" "$c not installed (make deps)"
		iso_finish
		exit $?
	done
}

# Public keys live in a root-owned 0755 dir of their own: sshd reads a
# user's authorized keys as that user, and $ISO_TMP is 0700.
iso_e2e_keys() {
	[ -n "$ISO_KEYS" ] && return 0
	ISO_KEYS=$(mktemp -d /run/isot-keys.XXXXXX)
	chmod 0755 "$ISO_KEYS"
	on_exit "rm -rf '$ISO_KEYS'"
}

# iso_ssh_key NAME: a key pair for an existing account (root too); the
# public half is the account's only authorized key for the test sshd.
iso_ssh_key() {
	iso_e2e_keys
	rm -f "$ISO_TMP/id_$1" "$ISO_TMP/id_$1.pub"
	ssh-keygen -q -t ed25519 -N '' -C "isot-$1" -f "$ISO_TMP/id_$1" </dev/null >/dev/null
	install -m 0644 "$ISO_TMP/id_$1.pub" "$ISO_KEYS/$1"
}

# iso_ssh_user NAME [useradd args...]: a test user with a key and a password
# (the password is the name reversed + "-Pw1", for su and login).
iso_ssh_user() {
	iso_user "$@"
	iso_ssh_key "$1"
	echo "$1:$(iso_password "$1")" | chpasswd
}
iso_password() { printf '%s-Pw1' "$(echo "$1" | rev)"; }

ISO_SSH_COMMON=(-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o BatchMode=yes -o LogLevel=ERROR -o IdentitiesOnly=yes -o ConnectTimeout=10
	-o ServerAliveInterval=5 -o ServerAliveCountMax=6)

# iso_ssh [ssh options...] USER [COMMAND...]: logs in as USER with its key.
iso_ssh() {
	local opts=()
	while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do opts+=("$1"); shift; done
	local u=$1
	shift
	ssh "${ISO_SSH_COMMON[@]}" -p "$ISO_SSH_PORT" -i "$ISO_TMP/id_$u" "${opts[@]}" "$u@127.0.0.1" "$@"
}
# iso_scp USER ARGS...: scp as USER (remote paths written as R:path).
iso_scp() {
	local u=$1 a args=()
	shift
	for a in "$@"; do args+=("${a/#R:/$u@127.0.0.1:}"); done
	scp -q "${ISO_SSH_COMMON[@]}" -P "$ISO_SSH_PORT" -i "$ISO_TMP/id_$u" "${args[@]}"
}
# iso_sftp USER BATCHFILE: sftp as USER running a batch file.
iso_sftp() {
	sftp -q "${ISO_SSH_COMMON[@]}" -P "$ISO_SSH_PORT" -i "$ISO_TMP/id_$1" -b "$2" "$1@127.0.0.1"
}

# iso_syslog_start: catches syslog(3) records (there is no syslog daemon
# here) on a datagram socket in $ISO_TMP. Processes that should log into it
# must run with that socket bind-mounted over /dev/log in a private mount
# namespace (iso_sshd_start and iso_in_override do that). If /dev/log does
# not exist, an empty file is made as the mount point and removed at exit.
iso_syslog_start() {
	ISO_SYSLOG_SOCK=$ISO_TMP/log.sock
	ISO_SYSLOG_FILE=$ISO_TMP/syslog.txt
	: >"$ISO_SYSLOG_FILE"
	cat >"$ISO_TMP/syslog.py" <<'PYEOF'
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        d = s.recv(65536).rstrip(b"\0\n").replace(b"\n", b" ")
        f.write(b"%.3f " % time.time() + d + b"\n")
PYEOF
	if [ ! -e /dev/log ]; then
		: >/dev/log
		on_exit "[ -f /dev/log ] && [ ! -s /dev/log ] && rm -f /dev/log"
	fi
	/usr/bin/python3 "$ISO_TMP/syslog.py" "$ISO_SYSLOG_SOCK" "$ISO_SYSLOG_FILE" &
	on_exit "kill $!"
	local i
	for i in $(seq 1 50); do [ -S "$ISO_SYSLOG_SOCK" ] && return 0; sleep 0.1; done
	iso_log "syslog catcher did not start"
	return 1
}

# iso_in_override [SVC=FILE...] CMD...: runs CMD in a private mount
# namespace where each /etc/pam.d/SVC is FILE and /dev/log is the catcher.
iso_in_override() {
	local script='set -e' i=1 args=()
	while [ $# -gt 0 ] && [ "${1#*=}" != "$1" ]; do
		case ${1%%=*} in '' | */* | *' '*) break ;; esac
		script="$script; mount --bind \"\$$i\" /etc/pam.d/${1%%=*}"
		args+=("${1#*=}")
		i=$((i + 1))
		shift
	done
	if [ -n "$ISO_SYSLOG_SOCK" ]; then
		script="$script; mount --bind \"\$$i\" /dev/log"
		args+=("$ISO_SYSLOG_SOCK")
		i=$((i + 1))
	fi
	script="$script; shift $((i - 1)); exec \"\$@\""
	unshare -m --propagation private sh -c "$script" sh "${args[@]}" "$@"
}

# iso_sshd_start SERVICE: a private sshd on 127.0.0.1:$ISO_SSH_PORT whose
# PAM service is SERVICE (write /etc/pam.d/SERVICE first, e.g. with
# iso_service). Runs in its own mount namespace (/dev/log = the catcher if
# started); sshd's own log goes to $ISO_TMP/sshd.log. Stopped at exit.
iso_sshd_start() {
	local svc=$1 link=/usr/local/sbin/$1 sshd i
	sshd=$(command -v sshd || echo /usr/sbin/sshd)
	mkdir -p /run/sshd
	chmod 0755 /run/sshd
	iso_e2e_keys
	[ -e "$ISO_TMP/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$ISO_TMP/hostkey" </dev/null >/dev/null
	if ss -ltn "sport = :$ISO_SSH_PORT" | grep -q LISTEN; then
		iso_log "port $ISO_SSH_PORT is busy"
		return 1
	fi
	ln -sfn "$sshd" "$link"
	on_exit "rm -f '$link'"
	cat >"$ISO_TMP/sshd_config" <<EOT
Port $ISO_SSH_PORT
ListenAddress 127.0.0.1
HostKey $ISO_TMP/hostkey
PidFile none
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AuthorizedKeysFile $ISO_KEYS/%u
StrictModes no
UseDNS no
MaxStartups 100:30:200
MaxSessions 50
LoginGraceTime 30
PrintMotd no
PrintLastLog no
AcceptEnv none
LogLevel VERBOSE
Subsystem sftp /usr/lib/openssh/sftp-server
EOT
	"$sshd" -t -f "$ISO_TMP/sshd_config" || return 1
	ISO_SSHD_LOG=$ISO_TMP/sshd.log
	if [ -n "$ISO_SYSLOG_SOCK" ]; then
		# a simple command, so that $! is sshd itself (unshare and sh exec)
		unshare -m --propagation private sh -c 'mount --bind "$1" /dev/log && shift && exec "$@"' \
			sh "$ISO_SYSLOG_SOCK" "$link" -D -f "$ISO_TMP/sshd_config" -E "$ISO_SSHD_LOG" 2>>"$ISO_SSHD_LOG" &
	else
		"$link" -D -f "$ISO_TMP/sshd_config" -E "$ISO_SSHD_LOG" 2>>"$ISO_SSHD_LOG" &
	fi
	ISO_SSHD_PID=$!
	on_exit "iso_sshd_stop $ISO_SSHD_PID"
	for i in $(seq 1 100); do
		kill -0 "$ISO_SSHD_PID" 2>/dev/null || break
		ssh-keyscan -T 1 -p "$ISO_SSH_PORT" 127.0.0.1 2>/dev/null | grep -q ssh-ed25519 && return 0
		sleep 0.1
	done
	iso_log "sshd did not come up:" "$(tail -5 "$ISO_SSHD_LOG" 2>/dev/null)"
	return 1
}

# Stops our sshd and the per-connection sshd processes it forked, by pid;
# gives connections that are still closing their session 5 s to finish.
iso_sshd_stop() {
	local pid=$1 kids i
	for i in $(seq 1 50); do
		kids=$(pgrep -P "$pid" 2>/dev/null)
		[ -z "$kids" ] && break
		sleep 0.1
	done
	kill -TERM "$pid" $kids 2>/dev/null
	for i in $(seq 1 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" $kids 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# live (non-zombie) processes of a user on the host
iso_live_procs() { ps -o pid=,stat= -u "$1" 2>/dev/null | awk '$2 !~ /^Z/' | wc -l; }
# iso_no_procs USER: no live process of USER is left on the host
iso_no_procs() { [ "$(iso_live_procs "$1")" -eq 0 ]; }

# iso_proc_live PID: the process exists, is no zombie and is not exiting
# (PF_EXITING: a killed holder, as init of its pid namespace, lingers in
# exit until every task of the namespace is reaped).
iso_proc_live() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] || return 1
	set -- $st
	case $1 in Z | X) return 1 ;; esac
	[ $(($7 & 0x4)) -eq 0 ]
}

# iso_holders ROOT: pids of live sandbox holders that sit in our subtree
iso_holders() {
	local root=$1 p
	for p in $(pgrep -x isolate-holder 2>/dev/null); do
		grep -q ":/$root/" "/proc/$p/cgroup" 2>/dev/null || continue
		iso_proc_live "$p" && echo "$p"
	done
}

# expect_line NAME LINE TEXT: TEXT has LINE as one whole line (fixed string)
expect_line() {
	if printf '%s\n' "$3" | grep -qxF -- "$2"; then pass "$1"; else
		fail "$1" "expected the line: $2" "actual: $(printf '%s' "$3" | head -c 2000)"
	fi
}

# iso_leftovers ROOT USER...: prints "cgroups=N holders=N state=N procs=N"
# for what is left of the given users under cgroup_root ROOT.
iso_leftovers() {
	local root=$1 u uid cg=0 st=0 pr=0 ho d
	shift
	for d in /sys/fs/cgroup/*/"$root"; do
		[ -d "$d" ] && cg=$((cg + $(find "$d" -mindepth 1 -type d | wc -l)))
		# <root>/daemons is a fixture of the tree: left only when busy
		[ -d "$d/daemons" ] && ! grep -q . "$d/daemons/cgroup.procs" 2>/dev/null && cg=$((cg - 1))
	done
	for u in "$@"; do
		uid=$(id -u "$u" 2>/dev/null) || continue
		st=$((st + $(find /run/pam_isolate -maxdepth 1 -name "user-$uid.*" 2>/dev/null | wc -l)))
		# the mount namespace markers of the user's holders
		st=$((st + $(find /run/pam_isolate -maxdepth 1 -name "mntns-*" -lname "user-$uid.*" 2>/dev/null | wc -l)))
		pr=$((pr + $(iso_live_procs "$u")))
	done
	ho=$(iso_holders "$root" | wc -l)
	echo "cgroups=$cg holders=$ho state=$st procs=$pr"
}

# iso_wait_clean ROOT USER...: polls (up to ISO_WAIT_S, 10 s) until
# nothing is left.
iso_wait_clean() {
	local end=$(($(date +%s) + ${ISO_WAIT_S:-10}))
	while :; do
		[ "$(iso_leftovers "$@")" = "cgroups=0 holders=0 state=0 procs=0" ] && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# iso_pubdir: a root-owned 0755 dir for files test users must read
# (expect scripts run as a test user); sets ISO_PUB. Call it directly,
# not in $(...).
iso_pubdir() {
	if [ -z "${ISO_PUB:-}" ]; then
		ISO_PUB=$(mktemp -d /run/isot-pub.XXXXXX)
		chmod 0755 "$ISO_PUB"
		on_exit "rm -rf '$ISO_PUB'"
	fi
}

# expect_match_q REGEX TEXT: a quiet predicate for check
expect_match_q() { printf '%s' "$2" | grep -Eq -- "$1"; }

# iso_e2e_cgroup_cleanup ROOT: like iso_cgroup_cleanup, but waits (up to
# 10 s) for exiting processes (a killed holder lingers until its pid
# namespace is reaped) to leave the cgroups first.
iso_e2e_cgroup_cleanup() {
	local i
	for i in $(seq 1 100); do
		iso_cgroup_cleanup "$1"
		ls -d /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1" >/dev/null 2>&1 || return 0
		sleep 0.2
	done
	return 1
}

# iso_e2e_rmdir_wait DIR [SECONDS]: rmdir a cgroup of ours, waiting (5 s)
# for exiting processes to leave it. (On_exit actions are eval'd inside
# iso_cleanup's loop: put loops in functions with local variables.)
iso_e2e_rmdir_wait() {
	local i
	for i in $(seq 1 $((${2:-5} * 10))); do
		rmdir "$1" 2>/dev/null && return 0
		[ -d "$1" ] || return 0
		sleep 0.1
	done
	return 1
}

# iso_median: the median of the numbers on stdin
iso_median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# --- end of e2e helpers ---
