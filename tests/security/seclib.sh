# Shared by the security suites (tests/security/test_*.sh): the attack
# client, running it as a test user, snapshots of everything an attack
# must not change, and the closing table. Source after ../lib.sh.
# shellcheck shell=bash

SEC_ROWS=()

# The tools the attacks need, built by tests/security/build.sh into a
# world-readable directory of their own (the checkout may not be reachable
# for the test users), with a setuid copy of the helper and a private
# /etc/security. Sets SEC_BIN, SEC_HELPER, SEC_ETC, SEC_SYSCONF, SEC_RUNDIR.
#
# Everything the suite runs goes through sec_ns: a private mount namespace
# where SEC_ETC is bind-mounted over /etc/security and SEC_BIN/libexec over
# the helper's directory, so that the config non-root callers get (the
# compiled-in path) is ours, and nothing outside the suite sees it (nor
# can another suite running meanwhile swap it under us).
sec_tools() {
	local d
	sh "$ISO_TOP/tests/security/build.sh" || { iso_log "cannot build the attack client"; exit 2; }
	d=/tmp
	findmnt -n -o OPTIONS -T /tmp | grep -qw nosuid && d=/usr/local/libexec
	SEC_BIN=$(mktemp -d "$d/isot-sec-bin.XXXXXX")
	on_exit "rm -rf '$SEC_BIN'"
	chmod 0755 "$SEC_BIN"
	cp "$ISO_BUILD/tests/isoattack" "$ISO_BUILD/tests/evil_preload.so" "$SEC_BIN/"
	mkdir -m 0755 "$SEC_BIN/lib" "$SEC_BIN/libexec" "$SEC_BIN/etc-security"
	# what LD_LIBRARY_PATH would make the loader pick instead of the real
	# libraries of the helper
	cp "$SEC_BIN/evil_preload.so" "$SEC_BIN/lib/libconfuse.so.2"
	cp "$SEC_BIN/evil_preload.so" "$SEC_BIN/lib/libcap.so.2"
	chmod -R a+rX "$SEC_BIN"
	install -m 4755 -o root -g root "$ISO_BUILD/pam-isolate-helper" "$SEC_BIN/libexec/pam-isolate-helper"
	SEC_HELPER=$SEC_BIN/libexec/pam-isolate-helper
	SEC_RUNDIR=$(strings "$ISO_BUILD/pam-isolate-helper" | grep -m1 '^/.*pam_isolate$' || echo /run/pam_isolate)
	SEC_SYSDIR=$(dirname "$(strings "$ISO_BUILD/pam-isolate-helper" | grep -m1 '/isolate\.conf$' || echo /etc/security/isolate.conf)")
	[ -d "$SEC_SYSDIR" ] && cp -a "$SEC_SYSDIR"/. "$SEC_BIN/etc-security/" 2>/dev/null
	rm -f "$SEC_BIN/etc-security/isolate.conf"
	SEC_ETC=$SEC_BIN/etc-security
	SEC_SYSCONF=$SEC_ETC/isolate.conf
	ISO_RUNDIR=$SEC_RUNDIR
}

# sec_setup NAME USER...: how every security suite starts: root, the
# installed helper, the attack tools (sec_tools), a cgroup subtree of its
# own (SEC_ROOT=isot_NAME_<pid>) and the test users (their uids in
# SEC_UIDS), all removed at exit. Sets CPU and PIDS, the cgroup mounts of
# those controllers.
sec_setup() {
	local name=$1 u
	shift
	iso_need_root
	iso_setup
	iso_install_helper
	sec_tools
	SEC_ROOT=isot_${name}_$$
	on_exit "iso_cgroup_cleanup $SEC_ROOT"
	SEC_UIDS=()
	for u in "$@"; do
		iso_user "$u"
		SEC_UIDS+=("$(id -u "$u")")
	done
	on_exit "iso_kill_holders $*"
	CPU=$(iso_cg_mount cpu)
	PIDS=$(iso_cg_mount pids)
}

# sec_conf NAME CPU_QUOTA TASKS_MAX [LINE...]: the suites' config (sets
# CONF): every user under SEC_ROOT in a sandbox (user, pid and mount
# namespaces, private /tmp) killed at logout; the LINEs go before the
# default section. It becomes the config non-root callers get
# (sec_system_conf) and that of the PAM service isot-NAME.
sec_conf() {
	local name=$1 quota=$2 tasks=$3 l top="cgroup_root = \"$SEC_ROOT\""
	shift 3
	for l in "$@"; do top="$top"$'\n'"$l"; done
	CONF=$(
		iso_conf "$name" <<EOT
$top
default {
    cpu_quota = $quota
    tasks_max = $tasks
    namespaces = { user, pid, mount }
    private_tmp = yes
    on_logout = kill
}
EOT
	)
	sec_system_conf "$CONF"
	iso_service "isot-$name" "$CONF"
}

# sec_user_clean USER: nothing of USER (a name or a uid) is left: no
# cgroup under SEC_ROOT, no state file (lock, holder record).
sec_user_clean() {
	local uid=$1
	case $uid in *[!0-9]*) uid=$(id -u "$uid") ;; esac
	[ ! -e "$CPU/$SEC_ROOT/user-$uid" ] && [ -z "$(ls "$SEC_RUNDIR"/user-"$uid".* 2>/dev/null)" ]
}

# sec_ns CMD...: CMD in the suite's private mount namespace (see above).
sec_ns() {
	unshare -m --propagation private bash -c '
		mount --bind "$1" "$2" || exit 125
		[ -d "$3" ] && { mount --bind "$4" "$3" || exit 125; }
		shift 4
		exec "$@"' isot-ns "$SEC_ETC" "$SEC_SYSDIR" "$(dirname "$ISO_HELPER_DST")" "$SEC_BIN/libexec" "$@"
}

# sec_harness SERVICE USER [CMD...]: a PAM session through the harness;
# its module runs our setuid copy and reads our config (sec_ns).
sec_harness() { sec_ns "$ISO_HARNESS" "$@"; }

# sec_system_conf FILE: the config non-root callers get (the compiled-in
# path, inside sec_ns) becomes FILE.
sec_system_conf() { install -m 0644 -o root -g root "$1" "$SEC_SYSCONF"; }

# sec_as USER CMD...: CMD with the user's uid, gid and groups and no PAM
# session (like a cron job or a process started before login).
sec_as() {
	local u=$1
	shift
	setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --init-groups -- "$@"
}

# sec_attack_as USER ARGS...: the attack client as USER, output on stdout.
sec_attack_as() {
	local u=$1
	shift
	(cd / && sec_ns setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --init-groups -- \
		"$SEC_BIN/isoattack" --helper "$SEC_HELPER" "$@" 2>&1)
}

# sec_attack_root ARGS...: the client as a root caller (sshd, su...).
sec_attack_root() { (cd / && sec_ns "$SEC_BIN/isoattack" --helper "$SEC_HELPER" "$@" 2>&1); }

# What an attack must not change: the state dir (names, types, modes,
# owners, sizes and the holder records), every directory of our cgroup
# subtree with its mode, owner and limit files, and the decoy files.
sec_snapshot() {
	local d f dir
	if [ -d "$SEC_RUNDIR" ]; then
		stat -c 'run %n %F %a %U' "$SEC_RUNDIR"
		# only our test users' entries: other suites may run meanwhile
		for u in "${SEC_UIDS[@]}"; do
			find "$SEC_RUNDIR" -mindepth 1 -name "user-$u.*" -printf 'run %p %y %m %u %s\n'
			for f in "$SEC_RUNDIR"/user-"$u".*.holder; do
				[ -f "$f" ] && echo "holder $f $(cat "$f" 2>/dev/null)"
			done
		done | sort
	fi
	for d in "$(iso_cg_mount cpu)" "$(iso_cg_mount pids)"; do
		[ -d "$d/$SEC_ROOT" ] || continue
		# the subtree's root and <root>/daemons come and go with the
		# tree being idle (cg_rmdir_root): the users' dirs are what counts
		find "$d/$SEC_ROOT" -mindepth 1 -type d -not -path "$d/$SEC_ROOT/daemons*" | sort | while read -r dir; do
			echo "cg $dir $(stat -c '%a %U' "$dir")"
			for f in cpu.cfs_quota_us cpu.cfs_period_us cpu.shares cpu.max cpu.weight pids.max \
				notify_on_release cgroup.clone_children cgroup.subtree_control; do
				[ -f "$dir/$f" ] && echo "cg $dir/$f $(stat -c '%a %U' "$dir/$f") $(tr '\n' ' ' <"$dir/$f")"
			done
		done
	done | sort -u
	for f in "${SEC_DECOYS[@]}"; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			echo "decoy $f $(stat -c '%F %a %U %s' "$f") $(find "$f" -mindepth 1 2>/dev/null | wc -l) $( [ -f "$f" ] && md5sum <"$f")"
		else
			echo "decoy $f absent"
		fi
	done
}
SEC_DECOYS=()
SEC_UIDS=()

# The session id and origin in the client's output (for the close).
sid_of() { printf '%s\n' "$1" | sed -n 's/.* sid=\([0-9a-f]*\) .*/\1/p' | head -1; }
origin_of() { printf '%s\n' "$1" | sed -n 's/^origin //p' | head -1; }
# What a refused non-root caller reads (in the reply, or on stderr when
# the helper answered before the request was sent).
NONROOT='serves PAM applications that run as root, and its caller runs as uid'

# sec_row ATTACK RESULT ASSERTION: one line of the closing table.
sec_row() { SEC_ROWS+=("$1"$'\t'"$2"$'\t'"$3"); }

# sec_reply OUTPUT: the client's result line, shortened for the table.
sec_reply() {
	local l
	l=$(printf '%s\n' "$1" | grep -m1 -E '^helper=')
	[ -n "$l" ] || l=$(printf '%s\n' "$1" | grep -m1 .)
	printf '%s\n' "$l" | sed -E 's/ sid=[^ ]*//; s/ status=[^ ]* class=[^ ]* nfds=[^ ]*//; s/ msg=(.{0,72}).*/ msg=\1/; s/^(.{0,110}).*/\1/'
}

# sec_attack NAME EXPECT_RE CMD...: runs one attack that must be refused.
# Passes when CMD's output matches EXPECT_RE and a snapshot taken before
# equals one taken after.
sec_attack() {
	local name=$1 re=$2 before after out
	shift 2
	before=$(sec_snapshot)
	out=$("$@" 2>&1)
	after=$(sec_snapshot)
	if ! printf '%s' "$out" | tr '\n' ' ' | grep -Eq -- "$re"; then
		fail "$name: refused" "expected: $re" "got: $(printf '%s' "$out" | tr '\n' ' ' | head -c 600)"
		sec_row "$name" "NOT REFUSED" "expected /$re/"
		return 1
	fi
	if [ "$before" != "$after" ]; then
		fail "$name: nothing changed" "$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -20)"
		sec_row "$name" "refused, but state CHANGED" "snapshot differs"
		return 1
	fi
	pass "$name"
	sec_row "$name" "$(sec_reply "$out")" "state dir + cgroup tree + decoys identical"
}

# sec_expect_same NAME BEFORE: passes when a snapshot taken now equals
# BEFORE (one taken before the attacks).
sec_expect_same() {
	local after
	after=$(sec_snapshot)
	if [ "$2" = "$after" ]; then
		pass "$1"
	else
		fail "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$after") | head -20)"
	fi
}

sec_table() {
	printf '\n%s: attack table\n' "$ISO_SUITE"
	printf '%s\n' "${SEC_ROWS[@]}" | awk -F'\t' '
		{ a[NR] = $1; b[NR] = $2; c[NR] = $3; if (length($1) > w) w = length($1) }
		END { for (i = 1; i <= NR; i++) printf "  %-*s | %s | %s\n", w, a[i], b[i], c[i] }'
	return 0
}

# Holder processes on the host (their pids), for leak checks.
sec_holders() { pgrep -x isolate-holder | sort -n | tr '\n' ' '; }
