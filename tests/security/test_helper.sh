#!/bin/bash
# The setuid helper under attack by the people who can run it: an
# unprivileged user (refused before the request is read, whatever they
# send or set up), and a root caller (sshd, su) started by a user from a
# hostile process: argv, fds, umask, rlimits, signal state, protocol
# messages; planted symlinks and wrong modes in the state dir; configs a
# user could edit; a helper SIGKILLed at random points. Every refused
# attack must leave the state dir, our cgroup subtree and the decoy files
# exactly as they were. Root only; SECURITY.md is the list of what must
# hold.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/seclib.sh"
# In the cgroup v2 VM lane (ISO_LANE=v2, under emulation, where one helper
# call takes seconds) only what depends on the cgroup version runs: a
# legitimate call in a hostile process (cgroup dirs it makes, their modes)
# and the SIGKILL loop. Input handling, rlimits, configs and the state
# dir do not depend on it and run on the host lane.
FULL=1
[ "${ISO_LANE:-}" = v2 ] && FULL=0
full() { [ "$FULL" = 1 ]; }

sec_setup sec isot_sa isot_sb isot_sk
UA=$(id -u isot_sa)
UB=$(id -u isot_sb)
UK=$(id -u isot_sk)

sec_conf sec 50% 256 "on_error = deny"
H() { sec_harness isot-sec "$@"; }

DECOY=$(mktemp -d /run/isot-sec-decoy.XXXXXX)
on_exit "rm -rf '$DECOY'"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$DECOY/passwd"
chmod 0644 "$DECOY/passwd"
echo "keep me" >"$DECOY/holder-target"
MARK=/tmp/isot_sec_marker_$$
on_exit "rm -f '$MARK'"
SEC_DECOYS=("$DECOY/passwd" "$DECOY/holder-target" "$MARK")

# nothing of a user left (poll: the holder and cgroups go asynchronously)
wait_clean() { wait_for 5 sec_user_clean "$1"; }
# close_as USER OUT: a root caller's close of the session OUT opened
close_as() { sec_attack_root --user "$1" --op close --sid "$(sid_of "$2")" --origin "$(origin_of "$2")" >/dev/null; }

# A live session of isot_sa the whole time: the attacks aim at it.
H isot_sa sleep 600 >/dev/null 2>&1 &
LIVE=$!
on_exit "pkill -KILL -u isot_sa sleep; wait $LIVE"
for _ in $(seq 1 100); do [ -n "$(holder_pid isot_sa)" ] && break; sleep 0.1; done
check "setup: isot_sa has a live confined session" test -n "$(holder_pid isot_sa)"
HOLDER_A=$(holder_pid isot_sa)

if full; then
# ---------------------------------------------------------------------------
# identity and config choice
# Non-root callers: refused right after the peer check, whatever they ask
sec_attack "non-root: act for another user" "$NONROOT" \
	sec_attack_as isot_sb --user isot_sa
sec_attack "non-root: act for itself" "$NONROOT" \
	sec_attack_as isot_sb --user isot_sb
sec_attack "non-root: hostile argv" "$NONROOT" \
	sec_attack_as isot_sb --user isot_sa --argv0 /bin/sh --arg --user=isot_sb \
	--arg "conf=$DECOY/passwd" --arg --version-not
sec_attack "non-root: conf= override" "$NONROOT" \
	sec_attack_as isot_sa --user isot_sa --conf "$CONF"
sec_attack "non-root: close with an origin (leave the cgroup)" "$NONROOT" \
	sec_attack_as isot_sb --user isot_sb --op close --sid 0123456789abcdef --origin "cpu:/;pids:/"
sec_attack "non-root: root's name" "$NONROOT" sec_attack_as isot_sb --user root
sec_attack "non-root: garbage request" "$NONROOT" sec_attack_as isot_sb --raw-len 5
sec_attack "non-root: no request at all (EOF)" "$NONROOT" sec_attack_as isot_sb --no-send
sec_attack "non-root: 1000 fds, signals blocked, timer armed" "$NONROOT" \
	sec_attack_as isot_sb --user isot_sb --open-fds 1000 --block-signals --itimer-ms 5
# a timer that fires before the helper's main runs (1 ms: the exec takes
# longer), its SIGALRM blocked and so pending: still one clear refusal
sec_attack "non-root: SIGALRM pending across the exec" "$NONROOT" \
	sec_attack_as isot_sb --user isot_sb --block-signals --itimer-ms 1
for n in 4 16; do
	sec_attack "non-root: RLIMIT_NOFILE $n" "$NONROOT|noreply" sec_attack_as isot_sb --user isot_sb --nofile "$n"
done
sec_attack "socket handed to a grandchild (peer != parent)" 'helper=1 noreply.*' \
	sec_attack_root --user isot_sb --wrong-parent
sec_attack "fd 3 not a socket" 'not the protocol socket' \
	sec_as isot_sb sh -c "exec '$SEC_HELPER' 3</dev/null"
sec_attack "no fd 3 at all" 'not the protocol socket' \
	sec_as isot_sb sh -c "exec 3>&-; exec '$SEC_HELPER'"

# ---------------------------------------------------------------------------
# garbage on the socket, from a root caller (what a user cannot send: the
# module builds every request)
sec_attack "request: 5 bytes" 'helper=1 noreply' sec_attack_root --raw-len 5
sec_attack "request: empty datagram" 'helper=1 noreply' sec_attack_root --raw-len 0
sec_attack "request: one byte short" 'helper=1 noreply' sec_attack_root --raw-len 1459
sec_attack "request: one byte long" 'helper=1 noreply' sec_attack_root --raw-len 1461
sec_attack "request: 64 KiB" 'helper=1 noreply' sec_attack_root --raw-len 65536
sec_attack "request: right size, random bytes" 'helper=1 noreply' sec_attack_root --raw-len 1460
sec_attack "request: wrong version" 'helper=1 noreply' sec_attack_root --user isot_sb --version 99
sec_attack "request: the previous version (1)" 'helper=1 noreply' sec_attack_root --user isot_sb --version 1
sec_attack "request: unknown op" 'helper=1 noreply' sec_attack_root --user isot_sb --op 7
sec_attack "request: reserved flags set" 'helper=1 noreply' sec_attack_root --user isot_sb --flags 1
sec_attack "request: user field not NUL-terminated" 'helper=1 noreply' \
	sec_attack_root --user "$(printf 'isot_sb%.0s' $(seq 1 10))"
sec_attack "request: with SCM_RIGHTS fds attached" 'helper=1 noreply' \
	sec_attack_root --user isot_sb --send-fds
sec_attack "request: none (EOF)" 'helper=1 noreply' sec_attack_root --no-send
sec_attack "user name with path characters" 'result=denied.*invalid user' \
	sec_attack_root --user ../../etc/isot_sb
sec_attack "service name with shell characters" 'result=denied.*invalid user or service' \
	sec_attack_root --user isot_sb --service 'ssh;id'
sec_attack "close with a session id that is a path" 'result=denied.*invalid session id' \
	sec_attack_root --user isot_sb --op close --sid ../../../etc

fi

# ---------------------------------------------------------------------------
# a legitimate request in a hostile process: it works, and nothing hostile
# reaches privileged code or outlives the call
hostile_ok() { # hostile_ok NAME CLIENT-ARGS...: open for isot_sb, check, close
	local name=$1 out hp fds env_len mode
	shift
	out=$(sec_attack_root --user isot_sb "$@")
	if ! printf '%s' "$out" | grep -q 'result=confined'; then
		fail "$name: open still works" "$(printf '%s' "$out" | tr '\n' ' ' | head -c 600)"
		sec_row "$name" "FAILED" "$(sec_reply "$out")"
		close_as isot_sb "$out"
		return
	fi
	hp=$(holder_pid isot_sb)
	# the holder closes its fds and wipes its environ area (the caller's
	# strings, to NULs) once it reads the helper's commit, which may come
	# a moment after the reply: polled, up to 5 s
	for _ in $(seq 50); do
		fds=$(ls /proc/"$hp"/fd 2>/dev/null | sort -n | tr '\n' ' ')
		env_len=$(tr -d '\0' </proc/"$hp"/environ 2>/dev/null | wc -c)
		[ "$fds" = "0 1 2 " ] && [ "$env_len" = 0 ] && break
		sleep 0.1
	done
	mode=$( (find "$SEC_RUNDIR"/user-"$UB".* "$CPU/$SEC_ROOT/user-$UB" -perm /022 2>/dev/null) | head -3)
	close_as isot_sb "$out"
	if [ "$fds" != "0 1 2 " ] || [ "$env_len" != 0 ] || [ -n "$mode" ] || [ -e "$MARK" ] ||
		! wait_clean isot_sb; then
		fail "$name: nothing leaks" "holder fds: $fds" "holder environ bytes: $env_len" \
			"group/world-writable: $mode" "marker: $(cat "$MARK" 2>/dev/null)" \
			"left: $(ls "$SEC_RUNDIR"/user-"$UB".* "$CPU/$SEC_ROOT/user-$UB" 2>&1 | tr '\n' ' ')"
		sec_row "$name" "LEAK" "fds=$fds env=$env_len"
		rm -f "$MARK"
		return
	fi
	pass "$name"
	sec_row "$name" "confined as normal" "holder fds {0,1,2}, empty environ, no g/o-writable file, no marker, all gone after close"
}
hostile_ok "umask 0" --umask 0
if full; then
# A user's environment reaches the helper only by a direct exec (the module
# passes an empty one): refused, and the loader ran nothing of theirs.
sec_attack "non-root, hostile env: LD_PRELOAD" "$NONROOT" \
	sec_attack_as isot_sb --user isot_sb --env "LD_PRELOAD=$SEC_BIN/evil_preload.so" --env "ISOT_MARKER=$MARK"
sec_attack "non-root, hostile env: LD_LIBRARY_PATH, PATH, IFS, TZ, GLIBC_TUNABLES" "$NONROOT" \
	sec_attack_as isot_sb --user isot_sb \
	--env "LD_LIBRARY_PATH=$SEC_BIN/lib" --env "ISOT_MARKER=$MARK" --env "PATH=$SEC_BIN:/nonexistent" \
	--env "IFS=/" --env "TZ=../../../../etc/shadow" --env "GLIBC_TUNABLES=glibc.malloc.check=3" \
	--env "LD_AUDIT=$SEC_BIN/evil_preload.so" --env "MALLOC_PERTURB_=165" --env "NLSPATH=/etc/shadow"
check "  ... and no preloaded code ran (no marker)" test ! -e "$MARK"
# The caller's environment is wiped before anything: a holder started
# with 800 KB of it shows none (root caller: su started from it).
hostile_ok "hostile env: 8 values of 100 KB" --env-big A=102400 --env-big B=102400 \
	--env-big C=102400 --env-big D=102400 --env-big PATH=102400 --env-big LANG=102400 \
	--env-big HOME=102400 --env-big XDG_X=102400
hostile_ok "fds 0-2 closed" --close-stdio
hostile_ok "1000 extra fds open" --open-fds 1000
hostile_ok "all signals blocked and ignored" --block-signals --ignore-signals
hostile_ok "ITIMER_REAL armed to fire mid-call (5 ms)" --itimer-ms 5
hostile_ok "huge argv[0]" --argv0 "$(head -c 100000 /dev/zero | tr '\0' x)"

fi

# rlimits: the call works, or fails before it changed anything
rlimit_case() { # rlimit_case NAME CLIENT-ARGS...
	local name=$1 before out after
	shift
	before=$(sec_snapshot)
	out=$(sec_attack_root --user isot_sb "$@")
	if printf '%s' "$out" | grep -q 'result=confined'; then
		close_as isot_sb "$out"
		if wait_clean isot_sb; then
			pass "$name: works, then closes cleanly"
			sec_row "$name" "confined as normal" "all gone after close"
		else
			fail "$name: works, then closes cleanly" "$(ls "$SEC_RUNDIR"/user-"$UB".* 2>&1)"
			sec_row "$name" "LEFT STATE" "after close"
		fi
		return
	fi
	after=$(sec_snapshot)
	if [ "$before" = "$after" ] && printf '%s' "$out" | grep -Eq 'noreply|result=denied'; then
		pass "$name: refused with nothing half-made"
		sec_row "$name" "$(sec_reply "$out")" "state dir + cgroup tree identical"
	else
		fail "$name: refused with nothing half-made" "$(printf '%s' "$out" | tr '\n' ' ' | head -c 400)" \
			"$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -10)"
		sec_row "$name" "HALF-MADE" "$(sec_reply "$out")"
		close_as isot_sb "$out"
	fi
}
if full; then
for n in 4 5 6 8 10 12 16; do
	rlimit_case "RLIMIT_NOFILE $n" --nofile "$n"
done
rlimit_case "RLIMIT_NPROC 1" --nproc 1
rlimit_case "RLIMIT_NPROC 0" --nproc 0
rlimit_case "RLIMIT_FSIZE 0" --fsize 0
rlimit_case "RLIMIT_FSIZE 10" --fsize 10

# ---------------------------------------------------------------------------
# the config: only a root-owned file in root-owned, non-writable dirs
cp "$CONF" "$ISO_TMP/userowned.conf"
chown isot_sb "$ISO_TMP/userowned.conf"
cp "$CONF" "$ISO_TMP/worldw.conf"
chmod 0666 "$ISO_TMP/worldw.conf"
mkdir -m 0777 "$ISO_TMP/wwdir"
cp "$CONF" "$ISO_TMP/wwdir/in.conf"
ln -s "$CONF" "$ISO_TMP/link.conf"
sec_attack "root caller, config owned by a user" 'result=denied.*owned by uid' \
	sec_attack_root --user isot_sb --conf "$ISO_TMP/userowned.conf"
sec_attack "root caller, config world-writable" 'result=denied.*writable' \
	sec_attack_root --user isot_sb --conf "$ISO_TMP/worldw.conf"
sec_attack "root caller, config in a world-writable dir" 'result=denied.*writable directory' \
	sec_attack_root --user isot_sb --conf "$ISO_TMP/wwdir/in.conf"
sec_attack "root caller, config is a symlink" 'result=denied' \
	sec_attack_root --user isot_sb --conf "$ISO_TMP/link.conf"
sec_attack "root caller, relative conf= path" 'result=denied.*absolute' \
	sec_attack_root --user isot_sb --conf "isolate.conf"
chmod 0666 "$SEC_SYSCONF"
sec_attack "system config made world-writable" 'result=denied.*writable' \
	sec_attack_root --user isot_sb
chmod 0644 "$SEC_SYSCONF"
chown isot_sb "$SEC_SYSCONF"
sec_attack "system config owned by a user" 'result=denied.*owned by uid' \
	sec_attack_root --user isot_sb
chown root "$SEC_SYSCONF"

# ---------------------------------------------------------------------------
# the state dir: symlinks and wrong modes, in a private mount namespace
# with its own /run so that nothing else on the machine sees them
in_fake_run() { # in_fake_run SETUP-SCRIPT AS-USER CLIENT-ARGS...: prints the client's output
	local setup=$1 u=$2
	shift 2
	sec_ns bash -c '
		set -e
		mount -t tmpfs -o mode=0755 isot-run /run
		mkdir -m 0700 /run/decoy
		echo original >/run/decoy/victim
		eval "$1"
		shift
		set +e
		"$@"
		echo "decoy-after: $(ls -A /run/decoy | tr "\n" " ")| $(cat /run/decoy/victim) | $(stat -c "%a %U" /run/decoy)"
	' isot-fake-run "$setup" "$SEC_BIN/isoattack" --helper "$SEC_HELPER" --user "$u" "$@" 2>&1
}
R=$SEC_RUNDIR
fake_run_attack() { # NAME SETUP EXPECT-RE
	sec_attack "$1" "$3"'.*decoy-after: victim \| original \| 700 root' in_fake_run "$2" isot_sb
}
fake_run_attack "state dir is a symlink to a root dir" "ln -s /run/decoy $R" \
	"result=denied.*state directory.*(symlink|owned by root)"
fake_run_attack "state dir mode 0755" "mkdir -m 0755 $R" "result=denied.*mode 0700.*0755"
fake_run_attack "state dir owned by the user" "mkdir -m 0700 $R; chown isot_sb $R" \
	"result=denied.*owned by root.*uid $UB"
fake_run_attack "lock file is a symlink to /etc/passwd-like file" \
	"mkdir -m 0700 $R; ln -s /run/decoy/victim $R/user-$UB.lock" "result=denied.*lock"
fake_run_attack "lock file is a hard link to another file" \
	"mkdir -m 0700 $R; ln /run/decoy/victim $R/user-$UB.lock" "result=denied.*lock"
fake_run_attack "lock file is a FIFO" "mkdir -m 0700 $R; mkfifo -m 0600 $R/user-$UB.lock" \
	"result=denied.*lock"
# A symlinked holder record is replaced, never followed: the call works
# (open and close inside the same private /run).
out=$(sec_ns bash -c '
	mount -t tmpfs -o mode=0755 isot-run /run
	mkdir -m 0700 /run/decoy /run/pam_isolate
	echo original >/run/decoy/victim
	ln -s /run/decoy/victim "/run/pam_isolate/user-$1.user.holder"
	o=$("$3" --helper "$4" --user "$5" 2>&1)
	echo "$o"
	echo "record-after: $(stat -c %F "/run/pam_isolate/user-$1.user.holder" 2>&1)"
	sid=$(echo "$o" | sed -n "s/.* sid=\([0-9a-f]*\) .*/\1/p")
	origin=$(echo "$o" | sed -n "s/^origin //p")
	"$3" --helper "$4" --user "$5" --op close --sid "$sid" --origin "$origin" 2>&1
	echo "decoy-after: $(ls -A /run/decoy | tr "\n" " ")| $(cat /run/decoy/victim) | $(stat -c "%a %U" /run/decoy)"
' isot-holder-link "$UB" "$(id -g isot_sb)" "$SEC_BIN/isoattack" "$SEC_HELPER" isot_sb 2>&1)
if printf '%s' "$out" | grep -q 'result=confined' &&
	printf '%s' "$out" | grep -q 'record-after: regular file' &&
	printf '%s' "$out" | grep -q 'decoy-after: victim | original | 700 root' && wait_clean isot_sb; then
	pass "holder record is a symlink: replaced by a file, target untouched"
	sec_row "holder record is a symlink elsewhere" "$(sec_reply "$out")" "symlink replaced by a root file; target unchanged; all gone after close"
else
	fail "holder record is a symlink: replaced by a file, target untouched" "$(printf '%s' "$out" | tr '\n' ' ' | head -c 800)"
	sec_row "holder record is a symlink elsewhere" "FAILED" "-"
fi
fi

# ---------------------------------------------------------------------------
# SIGKILL at random points of an open, then a normal session must work
# The loop runs in a cgroup of its own (pids hierarchy), so that holders
# orphaned by a kill can be told from anyone else's: they stay there.
KILLCG=$(iso_cg_mount pids)/${SEC_ROOT}_killer
mkdir "$KILLCG"
on_exit "iso_cgroup_cleanup ${SEC_ROOT}_killer"
on_exit "for p in \$(cat '$KILLCG/cgroup.procs'); do kill -KILL \$p; done"
NKILL=30
full || NKILL=5
# Kill points spread over 0-50 ms, but no further than twice the time a
# whole open takes here, so that most kills land inside the call.
t0=$(date +%s%N)
out=$(sec_attack_root --user isot_sk --conf "$CONF")
t1=$(date +%s%N)
sec_attack_root --user isot_sk --conf "$CONF" --op close --sid "$(sid_of "$out")" >/dev/null
SPAN=$(((t1 - t0) / 1000 * 2))
[ "$SPAN" -gt 50000 ] && SPAN=50000
[ "$SPAN" -lt 2000 ] && SPAN=2000
HOLDERS_BEFORE=$(pgrep -x isolate-holder)
kills=$(
	echo "$BASHPID" >"$KILLCG/cgroup.procs"
	k=0
	for i in $(seq 1 "$NKILL"); do
		d=$(((RANDOM * 32768 + RANDOM) % SPAN))
		sec_attack_root --user isot_sk --conf "$CONF" --kill-after-us "$d" >"$ISO_TMP/kill.out"
		grep -q 'helper=137' "$ISO_TMP/kill.out" && k=$((k + 1))
	done
	echo "$k"
)
echo "     SIGKILL loop: delays 0-$((SPAN / 1000)) ms; $kills of $NKILL helpers died by the kill, the rest finished first"
out=$(H isot_sk sh -c 'cat /proc/self/cgroup; ps -e -o comm=' 2>&1)
rc=$?
expect_eq "after $NKILL random SIGKILLs: a normal session opens" 0 "$rc"
expect_match "  ... and is confined" ":/$SEC_ROOT/user-$UK/session-" "$out"
expect_match "  ... in a working sandbox" "isolate-holder" "$out"
if wait_clean isot_sk; then
	pass "after the kills: closing the session leaves nothing (no stale leaf counted as live)"
	sec_row "SIGKILL at random points of open (x$NKILL, $kills killed)" "next session confined" "user cgroup, lock and holder record gone after its close"
else
	fail "after the kills: closing the session leaves nothing (no stale leaf counted as live)" \
		"$(ls -R "$CPU/$SEC_ROOT/user-$UK" "$SEC_RUNDIR"/user-"$UK".* 2>&1 | head -20)"
	sec_row "SIGKILL at random points of open (x$NKILL)" "STALE STATE" "see failure"
fi
# holders started during the loop (their keepers run in our daemons
# cgroup, not the loop's) and recorded nowhere
orphans() {
	local p
	for p in $(pgrep -x isolate-holder); do
		printf '%s\n' $HOLDERS_BEFORE | grep -qx "$p" && continue
		grep -qs "^$p " "$SEC_RUNDIR"/*.holder || echo "$p"
	done
}
sleep 0.2
check "SIGKILL loop leaves no orphan isolate-holder" test -z "$(orphans)"
for p in $(orphans); do kill -KILL "$p" 2>/dev/null; done

check "the live session of isot_sa and its holder were never touched" test "$(holder_pid isot_sa)" = "$HOLDER_A"
sec_table
iso_finish
