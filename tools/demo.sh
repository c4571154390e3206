#!/bin/sh
# `sudo make demo`: one sandboxed session through a real PAM stack, shown
# from inside (what the user sees) and from outside (what the host sees),
# then everything the demo made is removed again, also on failure or ^C.
#
# It makes: a user isot_demo, a policy in a root-only directory under
# /run, a PAM service /etc/pam.d/isot-demo that loads build/pam_isolate.so
# by absolute path, and the setuid helper at the path compiled into that
# module (an existing one is put back afterwards). The cgroups live in a
# subtree of their own (cgroup_root "isolate_demo"); only cpu and pids
# are limited.
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd)
B=$TOP/build
USER_NAME=isot_demo
SERVICE=isot-demo
ROOT=isolate_demo
RUN=/run/pam_isolate
QUOTA=20
BURN=3

if [ -t 1 ]; then
	BOLD=$(printf '\033[1m')
	OFF=$(printf '\033[0m')
else
	BOLD=
	OFF=
fi
say() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$OFF"; }
show() { printf '%s$ %s%s\n' "$BOLD" "$*" "$OFF"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: sudo make demo"

# ---- build what is missing ----
if [ ! -x "$B/pam_isolate.so" ] || [ ! -x "$B/pam-isolate-helper" ] || [ ! -x "$B/isolatectl" ]; then
	make -s all || die "build failed"
fi
if [ ! -x "$B/tests/session_harness" ]; then
	make -s tests || die "building the test harness failed"
fi
HELPER=$(grep -a -o '/[[:alnum:]_./-]*/pam-isolate-helper' "$B/pam_isolate.so" | head -n 1)
[ -n "$HELPER" ] || die "cannot find the helper path in $B/pam_isolate.so"

# ---- clean-up, whatever happens from here on ----
DIR=
SESSION=
HELPER_SAVED=
HELPER_PUT=
USER_MADE=
PAM_MADE=

cg_mounts() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo /sys/fs/cgroup
	else
		# cpu and pids only: the demo never limits memory, and the
		# memory hierarchy is not ours to touch
		for c in cpu pids; do
			awk -v c="$c" '$0 ~ / - cgroup / { n = split($NF, o, ",");
				for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' \
				/proc/self/mountinfo
		done
	fi
}

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	trap - EXIT INT TERM
	say "Cleaning up"
	if [ -n "$SESSION" ] && kill -0 "$SESSION" 2>/dev/null; then
		kill "$SESSION" 2>/dev/null
		wait "$SESSION" 2>/dev/null
	fi
	uid=$(id -u "$USER_NAME" 2>/dev/null)
	if [ -n "$USER_MADE" ] && [ -n "$uid" ]; then
		pkill -KILL -u "$USER_NAME" 2>/dev/null
		for f in "$RUN/user-$uid".*.holder; do
			[ -e "$f" ] || continue
			pid=$(cut -d' ' -f1 "$f")
			# only a holder, never whatever reused its pid
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = isolate-holder ] && kill -KILL "$pid"
		done
		[ -n "$DIR" ] && "$B/isolatectl" gc -c "$DIR/demo.conf" "$USER_NAME" >/dev/null 2>&1
		rm -f "$RUN/user-$uid".*.holder "$RUN/user-$uid.lock"
	fi
	for m in $(cg_mounts); do
		[ -d "$m/$ROOT" ] && find "$m/$ROOT" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	if [ -n "$USER_MADE" ]; then
		userdel -r "$USER_NAME" >/dev/null 2>&1
		getent group "$USER_NAME" >/dev/null && groupdel "$USER_NAME"
		echo "removed user $USER_NAME"
	fi
	if [ -n "$PAM_MADE" ]; then
		rm -f "/etc/pam.d/$SERVICE"
		echo "removed /etc/pam.d/$SERVICE"
	fi
	if [ -n "$HELPER_SAVED" ]; then
		mv -f "$HELPER_SAVED" "$HELPER" && echo "put back the helper that was at $HELPER"
	elif [ -n "$HELPER_PUT" ]; then
		rm -f "$HELPER"
		rmdir "$(dirname "$HELPER")" 2>/dev/null
		echo "removed $HELPER"
	fi
	[ -n "$DIR" ] && rm -rf "$DIR" && echo "removed $DIR"
	left=""
	for m in $(cg_mounts); do [ -e "$m/$ROOT" ] && left="$left $m/$ROOT"; done
	id "$USER_NAME" >/dev/null 2>&1 && left="$left user:$USER_NAME"
	if [ -n "$left" ]; then
		echo "demo: could not remove:$left" >&2
	else
		echo "nothing of the demo is left"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- set-up ----
say "Setting up"
DIR=$(mktemp -d /run/isolate-demo.XXXXXX) || die "mktemp failed"
chmod 0700 "$DIR"
CONF=$DIR/demo.conf
cat >"$CONF" <<EOF
# pam_isolate demo policy (tools/demo.sh; removed when the demo ends)
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = $QUOTA%
    tasks_max = 100
    namespaces = { user, pid, mount }
    private_tmp = yes
    on_logout = kill
}
EOF
chmod 0644 "$CONF"
show "cat $CONF"
cat "$CONF"
show "isolatectl check-config $CONF"
"$B/isolatectl" check-config "$CONF" || die "the demo config is invalid"

if id "$USER_NAME" >/dev/null 2>&1; then
	# left over by an interrupted demo: the name is ours
	pkill -KILL -u "$USER_NAME" 2>/dev/null
	userdel -r "$USER_NAME" >/dev/null 2>&1
fi
USER_MADE=1
useradd -m -s /bin/sh "$USER_NAME" || die "useradd failed"
UID_DEMO=$(id -u "$USER_NAME")
echo "made user $USER_NAME (uid $UID_DEMO)"

PAM_MADE=1
cat >"/etc/pam.d/$SERVICE" <<EOF
auth     required pam_permit.so
account  required pam_permit.so
session  required $B/pam_isolate.so conf=$CONF
EOF
show "cat /etc/pam.d/$SERVICE"
cat "/etc/pam.d/$SERVICE"

# Whatever is at the helper's path goes back there at the end.
if cp -a "$HELPER" "$HELPER.isot-demo-saved" 2>/dev/null; then
	HELPER_SAVED=$HELPER.isot-demo-saved
elif [ -e "$HELPER" ]; then
	die "cannot back up $HELPER"
else
	HELPER_PUT=1
fi
install -d -m 0755 "$(dirname "$HELPER")"
install -m 4755 -o root -g root "$B/pam-isolate-helper" "$HELPER" || die "cannot install the helper"
echo "installed the setuid helper at $HELPER"

# ---- the session ----
# What the user runs: a look around, then a CPU burner for BURN seconds,
# measured from the CPU time of the shell's children. It is fed
# on stdin, so `ps` shows "sh -s" rather than the script.
sed -e "s/@BURN@/$BURN/g" -e "s/@QUOTA@/$QUOTA/g" >"$DIR/inside.sh" <<'EOF'
show() { printf '$ %s\n' "$*"; }
show id
id
show "ps -e -o pid,user,args"
ps -e -o pid,user:12,args
show "touch /tmp/hello-from-demo; ls -A /tmp"
touch /tmp/hello-from-demo
ls -A /tmp
show "cat /proc/self/cgroup"
grep -E '^0::|[:,](cpu|pids)[:,]' /proc/self/cgroup
echo @@READY@@
# The window holds the burner and nothing else: both ends are read with
# shell builtins only (no date or awk in it, which would count too).
# CPU: cutime + cstime of this shell (fields 16, 17 of /proc/$$/stat, in
# clock ticks), i.e. of its waited-for children; wall: /proc/uptime.
hz=$(getconf CLK_TCK)
snap() {
	read -r up _ </proc/uptime
	read -r stat </proc/$$/stat
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $stat
	ticks=$((${16} + ${17}))
}
snap
up0=$up c0=$ticks
timeout @BURN@ sh -c 'while :; do :; done'
snap
awk -v c="$((ticks - c0))" -v hz="$hz" -v t0="$up0" -v t1="$up" 'BEGIN {
	printf "a CPU burner ran %.1f s and got %.2f s of CPU: %.0f%% of one CPU (quota @QUOTA@%%:\n", \
		t1 - t0, c / hz, 100 * c / hz / (t1 - t0)
	print "a ceiling, not a share: a busy machine may give less)" }'
echo @@BURNED@@
sleep 2
EOF
OUT=$DIR/session.out
say "Opening a session for $USER_NAME through PAM service $SERVICE"
show "session_harness $SERVICE $USER_NAME sh -s <inside.sh   # pam_open_session, fork, setuid, exec"
"$B/tests/session_harness" "$SERVICE" "$USER_NAME" sh -s <"$DIR/inside.sh" >"$OUT" 2>&1 &
SESSION=$!

# wait_for MARK: until the session printed MARK (or ended, or 20 s passed)
wait_for() {
	i=0
	while ! grep -q "$1" "$OUT" 2>/dev/null; do
		kill -0 "$SESSION" 2>/dev/null || return 1
		i=$((i + 1))
		[ "$i" -lt 200 ] || return 1
		sleep 0.1
	done
}
if ! wait_for @@READY@@; then
	cat "$OUT"
	die "the session did not start"
fi

say "What $USER_NAME sees, inside the session"
sed -n '/@@READY@@/q;p' "$OUT"

sleep 1 # the burner is running now
say "What the host sees, at the same moment"
CPU_MNT=$(cg_mounts | head -n 1)
UCG=$CPU_MNT/$ROOT/user-$UID_DEMO
if [ "$CPU_MNT" = /sys/fs/cgroup ]; then
	show "cat $UCG/cpu.max   # quota and period, in microseconds"
	cat "$UCG/cpu.max"
else
	show "cat $UCG/cpu.cfs_quota_us $UCG/cpu.cfs_period_us"
	cat "$UCG/cpu.cfs_quota_us" "$UCG/cpu.cfs_period_us"
fi
HP=$(cut -d' ' -f1 "$RUN/user-$UID_DEMO.user.holder" 2>/dev/null)
if [ -n "$HP" ]; then
	show "ps -o pid,ppid,user,args -p $HP   # the sandbox's PID 1, as the host sees it"
	ps -o pid,ppid,user,args -p "$HP"
fi
show "ps -o pid,ppid,user,%cpu,args -u $USER_NAME   # the user's processes, host pids"
ps -o pid,ppid,user:12,%cpu,args -u "$USER_NAME"
P=$(pgrep -u "$USER_NAME" -n)
if [ -n "$P" ]; then
	show "readlink /proc/self/ns/pid /proc/$P/ns/pid   # host's pid namespace vs the user's"
	readlink /proc/self/ns/pid "/proc/$P/ns/pid"
fi
show "ls /tmp/hello-from-demo   # the user's /tmp is not the host's"
ls /tmp/hello-from-demo 2>&1
show "isolatectl status -c $CONF $USER_NAME"
"$B/isolatectl" status -c "$CONF" "$USER_NAME"

wait_for @@BURNED@@ || die "the CPU burner did not finish"
say "The CPU burner, measured inside the session"
sed -n '/@@READY@@/,/@@BURNED@@/p' "$OUT" | grep -v '^@@'
say "The same, as the cgroup saw it"
show "isolatectl status -c $CONF $USER_NAME | grep -A1 cpu"
"$B/isolatectl" status -c "$CONF" "$USER_NAME" | grep -A1 '^  cpu'

wait "$SESSION"
rc=$?
SESSION=
say "After logout (on_logout = kill)"
[ "$rc" -eq 0 ] || echo "the session ended with status $rc"
grep '^pam:' "$OUT"
if [ -e "$UCG" ]; then echo "the user's cgroup is still there: $UCG"; else echo "the user's cgroup is gone"; fi
if [ -n "$HP" ] && [ -d "/proc/$HP" ] && ! grep -q '^State:.*Z' "/proc/$HP/status" 2>/dev/null; then
	echo "the sandbox holder (pid $HP) still runs"
else
	echo "the sandbox holder is gone"
fi

say "What the policy means for $USER_NAME"
show "isolatectl explain -c $CONF $USER_NAME"
"$B/isolatectl" explain -c "$CONF" "$USER_NAME"
exit "$rc"
