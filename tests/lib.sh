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
		rm -f "/run/pam_isolate/user-$uid.lock"
	done
}

# Removes our cgroup subtree (test runs use their own cgroup_root name).
iso_cgroup_cleanup() {
	local root=$1 d
	for d in /sys/fs/cgroup/cpu /sys/fs/cgroup/pids /sys/fs/cgroup/memory /sys/fs/cgroup; do
		[ -d "$d/$root" ] || continue
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
