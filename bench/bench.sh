#!/bin/bash
# The benchmark of issue 7 (run it through bench/run or `make bench`, as
# root). Prints a markdown table and writes it to bench/results/latest.md.
# Every ratio is against a baseline measured in this same run; times are
# medians / p95 in microseconds unless a column says otherwise. What each
# row measures: bench/README.md.
#
# It makes test users isot_b0000..isot_b0500 (BENCH_QUICK=1: ..isot_b0020),
# PAM services isot-bench-*, configs in a root-only dir under /run, and
# cgroups isot_bench_*_<pid> in the cpu and pids v1 hierarchies only (or
# the v2 tree); everything goes at exit, also on failure or Ctrl-C.
# shellcheck disable=SC2086,SC2013,SC2154
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../tests/lib.sh"
export ISO_SUITE=bench
QUICK=${BENCH_QUICK:-0}
BIN=$ISO_BUILD/bench
H=$ISO_HARNESS

if [ "$QUICK" = 1 ]; then
	N_LAT=20 N_FLOOR=50 N_PEER=10 N_SCALE=10 BURN_S=2 SIZES="1 10" NUSERS=20 N_PACED=6 ROUNDS=2
	N_MEMBASE=10 N_TRACE=5
	OUT=${BENCH_OUT:-$ISO_TOP/bench/results/quick.md.tmp}
else
	N_LAT=200 N_FLOOR=300 N_PEER=100 N_SCALE=30 BURN_S=5 SIZES="1 10 100 500" NUSERS=500 N_PACED=60
	ROUNDS=4
	N_MEMBASE=100 N_TRACE=20
	OUT=${BENCH_OUT:-$ISO_TOP/bench/results/latest.md}
fi
N_PAR=20
GAP_US=50000 # paced rows: one login every 50 ms + its own time
N_MIG=60 GAP_MIG=30000 # section 7: one migration every 30 ms
N_SSH=15               # section 8: alternating ssh logins, each way
N_SDVM=9               # section 9: alternating ssh logins on the systemd VM
[ "$QUICK" = 1 ] && N_MIG=20 N_SSH=5 N_SDVM=2

say() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
u() { printf 'isot_b%04d' "$1"; }

[ "$(id -u)" -eq 0 ] || die "needs root"
for p in pam_loop floor cmdloop migrate; do [ -x "$BIN/$p" ] || die "$BIN/$p missing: run bench/run"; done
command -v strace >/dev/null || die "strace missing (make deps)"

# One bench at a time: the users isot_bNNNN are this script's alone, so
# whatever a killed earlier run left is swept at start.
exec 9>/run/isot-bench.lock
flock -n 9 || die "another bench run holds /run/isot-bench.lock"

T_START=$(date +%s)
ROOT=isot_bench_$$        # pam_isolate's cgroup_root
BASE=isot_bench_base_$$   # where the bench's own processes run
FLOORD=isot_bench_floor_$$
CGX=isot_bench_cgexec_$$
if iso_is_v2; then
	CPU=/sys/fs/cgroup PIDS=/sys/fs/cgroup
else
	CPU=$(iso_cg_mount cpu) PIDS=$(iso_cg_mount pids)
fi
if [ -z "$CPU" ] || [ -z "$PIDS" ]; then die "no cpu or pids cgroup hierarchy"; fi
RUNDIR=/run/pam_isolate

# ---- clean-up (runs in reverse order of registration) ----

# uids of the bench users, comma separated
bench_uids() {
	awk -F: '$1 ~ /^isot_b[0-9][0-9][0-9][0-9]$/ { printf "%s%s", n++ ? "," : "", $3 }' /etc/passwd
}

# The bench's cgroup dirs, deepest first (BENCH_STALE=1: those of any
# earlier run too; only at start, when the lock says no other bench runs).
bench_cg_dirs() {
	local d sfx=_$$ top=isot_bench_$$
	[ "${BENCH_STALE:-0}" = 1 ] && sfx='' top='isot_bench_*'
	for d in "$CPU" "$PIDS"; do
		find "$d" -maxdepth 1 -type d \( -name "isot_bench_*$sfx" -o -name "$top" \) \
			-exec find {} -depth -type d \; 2>/dev/null
	done | awk '!seen[$0]++'
}

# Kills every process in the bench's cgroups (all started by this run:
# loops, harnesses, sessions, holders), the bench users' processes, and
# drops the users' state files.
bench_kill_all() {
	local pids uids f pid
	uids=$(bench_uids)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(bench_cg_dirs | while read -r d; do cat "$d/cgroup.procs"; done 2>/dev/null |
			grep -vx "$$" | sort -u)
		[ -n "$uids" ] && pids="$pids $(pgrep -u "$uids" 2>/dev/null)"
		pids=$(echo $pids)
		[ -z "$pids" ] && break
		kill -KILL $pids 2>/dev/null
		sleep 0.2
	done
	for f in "$RUNDIR"/user-*; do
		[ -e "$f" ] || continue
		case ",$uids," in *",$(basename "$f" | sed -E 's/^user-([0-9]+)\..*/\1/'),"*) ;; *) continue ;; esac
		case "$f" in
		*.holder)
			pid=$(cut -d' ' -f1 "$f")
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = isolate-holder ] && kill -KILL "$pid"
			;;
		esac
		rm -f "$f"
	done
}

bench_users_sweep() {
	local n rc
	for n in $(awk -F: '$1 ~ /^isot_b[0-9][0-9][0-9][0-9]$/ { print $1 }' /etc/passwd); do
		for _ in $(seq 1 30); do
			userdel "$n" 2>/dev/null
			rc=$?
			[ $rc -eq 0 ] || [ $rc -eq 6 ] && break # 6: no such user
			pkill -KILL -u "$n" 2>/dev/null
			sleep 0.1
		done
	done
	for n in $(awk -F: '$1 ~ /^isot_b[0-9][0-9][0-9][0-9]$/ { print $1 }' /etc/group); do
		groupdel "$n" 2>/dev/null
	done
}

bench_cg_rmdir() {
	bench_cg_dirs | while read -r d; do rmdir "$d" 2>/dev/null; done
}

# iso_setup insists on build/pam_isolate.so; the bench builds its own (below)
ISO_MODULE=$ISO_TOP/Makefile
iso_setup
W=$ISO_TMP/work
mkdir -p "$W" "$W/bin"
# The product is built for the bench with a private PREFIX, so that its
# helper path (compiled into the module) is the bench's own: a root test
# suite run meanwhile installs its helper at the real path and removes it
# at exit, and a rebuild or `make clean` of build/ must not change what is
# measured either. Same sources, same flags as `make all`.
PFX=$(mktemp -d /run/isot-bench-prefix.XXXXXX)
chmod 0755 "$PFX"
on_exit "rm -rf '$PFX'"
say "building the product into $PFX (private PREFIX)"
make -C "$ISO_TOP" -s -j"$(nproc)" B="$PFX/build" PREFIX="$PFX" all >"$W/make.log" 2>&1 ||
	die "make failed: $(tail -20 "$W/make.log")"
ISO_MODULE=$PFX/build/pam_isolate.so
ISO_HELPER_DST=$(strings "$ISO_MODULE" | grep -m1 '/pam-isolate-helper$')
[ "$ISO_HELPER_DST" = "$PFX/libexec/pam_isolate/pam-isolate-helper" ] ||
	die "unexpected helper path in the module: $ISO_HELPER_DST"
install -d -m 0755 "$(dirname "$ISO_HELPER_DST")"
install -m 4755 -o root -g root "$PFX/build/pam-isolate-helper" "$ISO_HELPER_DST"
"$ISO_HELPER_DST" --version 3</dev/null >/dev/null || die "the built helper does not run"
gcc -O2 -std=gnu11 -o "$W/bin/session_harness" "$ISO_TOP/tests/harness/session_harness.c" -lpam ||
	die "cannot build the session harness"
H=$W/bin/session_harness
for f in pam_loop floor cmdloop migrate; do cp "$BIN/$f" "$W/bin/" || die "cannot copy $f"; done
BIN=$W/bin
on_exit "rm -f /run/isot-bench.lock"
on_exit bench_cg_rmdir
on_exit bench_users_sweep
on_exit bench_kill_all
# leftovers of an earlier run that was killed hard
BENCH_STALE=1 bench_kill_all
BENCH_STALE=1 bench_cg_rmdir
bench_users_sweep
for d in /run/isot-bench-prefix.*; do [ "$d" != "$PFX" ] && rm -rf "$d"; done

# ---- users: one bulk newusers, locked passwords ----
say "making $((NUSERS + 1)) test users"
mkdir -p "$ISO_TMP/home"
pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
for i in $(seq 0 "$NUSERS"); do
	printf '%s:%s:::pam_isolate bench:%s:/usr/sbin/nologin\n' "$(u "$i")" "$pw" "$ISO_TMP/home"
done >"$W/newusers"
for _ in $(seq 1 20); do newusers "$W/newusers" 2>"$W/newusers.err" && break; sleep 0.5; done
awk -F: '{ print $1 ":!" }' "$W/newusers" | chpasswd -e
unset pw
rm -f "$W/newusers"
for i in 0 "$NUSERS"; do id "$(u "$i")" >/dev/null 2>&1 || die "newusers failed: $(cat "$W/newusers.err")"; done
UIDS=$(bench_uids)
STALE_FILES=
STALE_FILES=$(ls "$RUNDIR" 2>/dev/null | awk -v l="$UIDS" '
	BEGIN { n = split(l, a, ","); for (i = 1; i <= n; i++) s[a[i]] = 1 }
	{ split($0, p, /[-.]/); if (p[1] == "user" && (p[2] in s)) printf "%s ", $0 }')
[ -n "$STALE_FILES" ] && say "state files of earlier owners of the test users' uids (not counted): $STALE_FILES"
U1=$(u 1) UPROBE=$(u 0)
# section 8's ssh user: the bulk users have no shell and a 0700 home
USSH=isot_bssh
if [ "${BENCH_SSH:-1}" = 1 ] && command -v sshd >/dev/null; then
	iso_ssh_user "$USSH" >/dev/null
fi

# ---- PAM services and configs ----
cat >/etc/pam.d/isot-bench-permit <<EOF
auth     required pam_permit.so
account  required pam_permit.so
session  required pam_permit.so
EOF
on_exit "rm -f /etc/pam.d/isot-bench-permit"
CONF_CG=$(iso_conf cg <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 50%
    tasks_max = 256
}
EOF
)
CONF_SB=$(iso_conf sb <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 50%
    tasks_max = 256
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    tmp_size = 64M
    on_logout = keep
}
EOF
)
CONF_Q=$(iso_conf q <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 50%
    tasks_max = 256
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = keep
}
user "$(u 1)" { cpu_quota = 20% }
user "$(u 2)" { cpu_quota = 50% }
user "$(u 3)" { cpu_quota = 150% }
user "$(u 4)" { cpu_quota = 60% }
user "$(u 5)" { cpu_quota = 30% }
EOF
)
iso_service isot-bench-cg "$CONF_CG"
iso_service isot-bench-sb "$CONF_SB"
iso_service isot-bench-q "$CONF_Q"
# section 8's sshd service: made here, where its clean-up is registered
# (main runs in a subshell, whose on_exit list is never run)
iso_service isot-bench-ssh "$CONF_SB"
on_exit "rm -f /usr/local/sbin/isot-bench-ssh"

# ---- peers: Debian packages, installed when missing ----
need_pkgs=
command -v bwrap >/dev/null || need_pkgs="$need_pkgs bubblewrap"
command -v firejail >/dev/null || need_pkgs="$need_pkgs firejail"
command -v cgexec >/dev/null || need_pkgs="$need_pkgs cgroup-tools"
if [ -n "$need_pkgs" ]; then
	say "installing peers:$need_pkgs"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1
	for p in $need_pkgs; do
		apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 || say "cannot install $p"
	done
fi

# ---- the bench's own cgroups ----
mkdir -p "$CPU/$BASE" "$PIDS/$BASE" "$CPU/$FLOORD" "$PIDS/$FLOORD" "$CPU/$CGX" ||
	die "cannot create cgroups"
if iso_is_v2; then
	echo "50000 100000" >"$CPU/$CGX/cpu.max" 2>/dev/null
else
	echo 50000 >"$CPU/$CGX/cpu.cfs_quota_us"
fi

# ===================================================================
# Helpers for the measurements (all run inside $BASE)
# ===================================================================

kv() { # kv KEY "k=v k=v ...": the value of KEY
	local x
	for x in $2; do [ "${x%%=*}" = "$1" ] && { echo "${x#*=}"; return; }; done
	echo 0
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
row() { printf '| %s |\n' "$(IFS='|'; echo "$*" | sed 's/|/ | /g')" >>"$W/table.md"; }
line() { printf '%s\n' "$*" >>"$W/table.md"; }

# loop NAME ARGS...: one chunk of a case (pam_loop / floor / cmdloop); an
# argument @RAW@ becomes the chunk's raw file. summarize NAME folds the
# chunks of all rounds into R_NAME ("n= fail= open_med= ... cpu_mean=").
# Cases run in rounds, interleaved, so that load from elsewhere on the
# machine hits every case alike and the ratios stay fair.
ROUND=1
loop() {
	local name=$1 out rc a args=()
	shift
	mkdir -p "$W/raw"
	for a in "$@"; do
		[ "$a" = @RAW@ ] && a=$W/raw/$name.$ROUND
		args+=("$a")
	done
	out=$("${args[@]}" 2>>"$W/$name.err")
	rc=$?
	[ -n "$out" ] || out="n=0 fail=1"
	if [ $rc -ne 0 ]; then
		say "$name: exit $rc: $(tail -c 300 "$W/$name.err")"
	fi
	echo "$out" >>"$W/raw/$name.lines"
	say "$name#$ROUND: $out"
}
summarize() {
	local name=$1 out
	out=$(cat "$W/raw/$name".[0-9]* 2>/dev/null | awk -v lines="$W/raw/$name.lines" '
		function pct(a, n, p,   k) { k = int(p / 100 * n + 0.999999); if (k < 1) k = 1; if (k > n) k = n; return a[k] }
		function sort(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }
		{ n++; o[n] = $1; c[n] = $2; t[n] = $3; sum += $3 }
		END {
			while ((getline l < lines) > 0) {
				split(l, f, " "); split("", v)
				for (i in f) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
				fails += v["fail"]; cn = v["n"] + v["fail"]; cw += v["cpu_mean"] * cn; cc += cn
			}
			sort(o, n); sort(c, n); sort(t, n)
			printf "n=%d fail=%d open_med=%.0f open_p95=%.0f close_med=%.0f close_p95=%.0f total_med=%.0f total_p95=%.0f total_mean=%.0f cpu_mean=%.0f\n",
				n, fails, pct(o, n, 50), pct(o, n, 95), pct(c, n, 50), pct(c, n, 95), pct(t, n, 50), pct(t, n, 95),
				n ? sum / n : 0, cc ? cw / cc : 0
		}')
	eval "R_$name=\$out"
	say "$name: $out"
}

live_sessions() {
	local n
	n=$(pgrep -c -u "$UIDS" -x sleep 2>/dev/null)
	echo "${n:-0}"
}

bg_session() { # bg_session SVC USER: a session that stays open (sleep)
	"$H" "$1" "$2" sleep 1000000 </dev/null >/dev/null 2>>"$W/bg.err" &
	BG_PIDS+=($!)
}

wait_live() { # wait_live N TIMEOUT_S: until N sleep sessions run
	local want=$1 end=$(($(date +%s) + $2))
	while [ "$(live_sessions)" -lt "$want" ]; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

end_sessions() { # kills the sessions' sleeps; the harnesses close normally
	pkill -KILL -u "$UIDS" -x sleep 2>/dev/null
	local p
	for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	BG_PIDS=()
}

# Files in the state dir that belong to bench users' uids, less those
# that were there before the run (a deleted user of another suite who had
# the same uid leaves its lock file behind).
user_files() {
	ls "$RUNDIR" 2>/dev/null | awk -v l="$UIDS" -v old="$STALE_FILES" '
		BEGIN { n = split(l, a, ","); for (i = 1; i <= n; i++) s[a[i]] = 1
			n = split(old, b, " "); for (i = 1; i <= n; i++) o[b[i]] = 1 }
		{ split($0, p, /[-.]/); if (p[1] == "user" && (p[2] in s) && !($0 in o)) c++ }
		END { print c + 0 }'
}

user_dirs() { find "$CPU/$ROOT" "$PIDS/$ROOT" -maxdepth 1 -name 'user-*' 2>/dev/null | wc -l; }

kmem() { awk '/^(SUnreclaim|KernelStack|PageTables|Percpu):/ { s += $2 } END { print s }' /proc/meminfo; }

holders_mem() { # "n rss_kB_avg private_kB_avg" over the bench users' holders
	local f pid
	for f in "$RUNDIR"/user-*.holder; do
		[ -e "$f" ] || continue
		pid=$(cut -d' ' -f1 "$f")
		case ",$UIDS," in *",$(basename "$f" | sed -E 's/^user-([0-9]+)\..*/\1/'),"*) ;; *) continue ;; esac
		awk '/^VmRSS:/ { r = $2 } END { printf "%s ", r }' "/proc/$pid/status" 2>/dev/null
		awk '/^Private_(Clean|Dirty):/ { p += $2 } END { print p + 0 }' "/proc/$pid/smaps_rollup" 2>/dev/null
	done | awk '{ n++; r += $1; p += $2 } END { if (n) printf "%d %.0f %.0f\n", n, r / n, p / n; else print "0 0 0" }'
}

# helper_trace NAME ARGS...: strace -ff of a pam_loop; for each helper run
# the wall time and the time spent in each syscall. An open is a helper's
# exec to its exit; a close is the helper kept at open (it alone calls
# alarm(0)), timed from the close's request (the watchdog re-armed) to its
# exit, or a helper exec'd for the close where none was kept.
helper_trace() {
	local name=$1 d=$W/trace-$1 f
	shift
	rm -rf "$d"
	mkdir -p "$d"
	strace -f -ff -ttt -T -o "$d/t" "$@" >/dev/null 2>"$W/$name.err" || say "$name: trace run failed"
	for f in "$d"/t.*; do
		if grep -q 'execve(".*pam-isolate-helper"' "$f"; then
			echo "$(head -1 "$f" | cut -d' ' -f1) exec $f"
		elif grep -q '^[0-9.]* alarm(0)' "$f"; then
			echo "$(head -1 "$f" | cut -d' ' -f1) kept $f"
		fi
	done | sort -n | awk '
		$2 == "kept" { print "close", 1, $3; kept = 1; next }
		{ n++; print (kept || n % 2 ? "open" : "close"), 0, $3 }' | while read -r op k f; do
		awk -v op="$op" -v k="$k" '
			k && !go { if ($0 ~ / alarm\([1-9]/) go = 1; else next }
			{ t = $1 + 0; if (!first) first = t; last = t }
			match($0, /<[0-9.]+>$/) {
				sc = $2; sub(/\(.*/, "", sc)
				dur = substr($0, RSTART + 1, RLENGTH - 2) + 0
				sum[sc] += dur; cnt[sc]++; tot += dur
			}
			END {
				printf "RUN %s %.0f %.0f\n", op, (last - first) * 1e6, tot * 1e6
				for (s in sum) printf "SC %s %s %.0f %d\n", op, s, sum[s] * 1e6, cnt[s]
			}' "$f"
	done >"$W/$name.sum"
	rm -rf "$d"
}

trace_table() { # trace_table NAME OP: top syscalls of the helper per run
	local f=$W/$1.sum op=$2 runs
	runs=$(awk -v op="$op" '$1 == "RUN" && $2 == op' "$f" | wc -l)
	[ "$runs" -gt 0 ] || return
	awk -v op="$op" -v runs="$runs" '
		$1 == "RUN" && $2 == op { wall += $3; sys += $4 }
		END { printf "helper %s, %d runs under strace: wall %.0f us/run, in syscalls %.0f us/run, outside syscalls (exec, ld.so, user code) %.0f us/run\n", op, runs, wall / runs, sys / runs, (wall - sys) / runs }' "$f"
	awk -v op="$op" -v runs="$runs" '$1 == "SC" && $2 == op { t[$3] += $4; c[$3] += $5 }
		END { for (s in t) printf "%10.0f us/run %7.1f calls/run  %s\n", t[s] / runs, c[s] / runs, s }' "$f" |
		sort -rn | head -12
}

# ===================================================================
# The measurements
# ===================================================================
main() {
	BG_PIDS=()
	local i

	# ---------- 1-3. latency, floor, peers: in $ROUNDS interleaved rounds ----------
	local fa=("$CPU/$FLOORD" "$PIDS/$FLOORD" "$CPU/$BASE" "$PIDS/$BASE")
	local nl=$((N_LAT / ROUNDS)) nf=$((N_FLOOR / ROUNDS)) np=$((N_PEER / ROUNDS)) npc=$((N_PACED / ROUNDS))
	local cases="permit cg sbfirst pc_permit pc_cg pc_sbfirst x_sbfirst sbreuse pc_sbreuse x_permit x_sbreuse
		f_cg f_create f_reuse pf_cg pf_create pf_reuse x_helper p_true p_unshare"
	command -v bwrap >/dev/null && cases="$cases p_bwrap"
	command -v firejail >/dev/null && cases="$cases p_firejail"
	command -v cgexec >/dev/null && cases="$cases p_cgexec"
	for ROUND in $(seq 1 "$ROUNDS"); do
		say "1-3. latency, floor, peers: round $ROUND of $ROUNDS"
		# 1. open+close through a real PAM stack; U1 has no other session
		loop permit "$BIN/pam_loop" -r @RAW@ isot-bench-permit "$U1" "$nl"
		loop cg "$BIN/pam_loop" -r @RAW@ -c "$ROOT" isot-bench-cg "$U1" "$nl"
		[ "$(user_dirs)" -eq 0 ] || say "warning: user cgroup left after cgroup-only logins"
		loop sbfirst "$BIN/pam_loop" -r @RAW@ -c "$ROOT" -s isot-bench-sb "$U1" "$nl"
		loop pc_permit "$BIN/pam_loop" -r @RAW@ -g "$GAP_US" isot-bench-permit "$U1" "$npc"
		loop pc_cg "$BIN/pam_loop" -r @RAW@ -g "$GAP_US" isot-bench-cg "$U1" "$npc"
		loop pc_sbfirst "$BIN/pam_loop" -r @RAW@ -g "$GAP_US" isot-bench-sb "$U1" "$npc"
		loop x_sbfirst "$BIN/pam_loop" -r @RAW@ isot-bench-sb "$U1" "$np" -- /bin/true
		[ "$(user_files)" -eq 0 ] || say "warning: state files left after first-session logins"
		# the same user with a background session: the sandbox is reused
		bg_session isot-bench-sb "$U1"
		wait_live 1 30 || say "warning: background session of $U1 did not start"
		loop sbreuse "$BIN/pam_loop" -r @RAW@ -c "$ROOT" -s isot-bench-sb "$U1" "$nl"
		loop pc_sbreuse "$BIN/pam_loop" -r @RAW@ -g "$GAP_US" isot-bench-sb "$U1" "$npc"
		loop x_permit "$BIN/pam_loop" -r @RAW@ isot-bench-permit "$U1" "$np" -- /bin/true
		loop x_sbreuse "$BIN/pam_loop" -r @RAW@ isot-bench-sb "$U1" "$np" -- /bin/true
		end_sessions
		# 2. the floor
		loop f_cg "$BIN/floor" cgroup "$nf" "${fa[@]}" 0 @RAW@
		loop f_create "$BIN/floor" create "$nf" "${fa[@]}" 0 @RAW@
		loop f_reuse "$BIN/floor" reuse "$nf" "${fa[@]}" 0 @RAW@
		loop pf_cg "$BIN/floor" cgroup "$npc" "${fa[@]}" "$GAP_US" @RAW@
		loop pf_create "$BIN/floor" create "$npc" "${fa[@]}" "$GAP_US" @RAW@
		loop pf_reuse "$BIN/floor" reuse "$npc" "${fa[@]}" "$GAP_US" @RAW@
		# 3. peers, the bare helper
		loop x_helper "$BIN/cmdloop" -r @RAW@ "$np" -- "$ISO_HELPER_DST" --version
		loop p_true "$BIN/cmdloop" -r @RAW@ "$np" -- /bin/true
		loop p_unshare "$BIN/cmdloop" -r @RAW@ "$np" -- unshare -Upmf --mount-proc true
		case " $cases " in *" p_bwrap "*)
			loop p_bwrap "$BIN/cmdloop" -r @RAW@ "$np" -- bwrap --unshare-user --unshare-pid \
				--dev-bind / / --proc /proc --tmpfs /tmp true ;;
		esac
		case " $cases " in *" p_firejail "*)
			loop p_firejail "$BIN/cmdloop" -r @RAW@ "$np" -- firejail --noprofile --quiet true ;;
		esac
		case " $cases " in *" p_cgexec "*)
			loop p_cgexec "$BIN/cmdloop" -r @RAW@ "$np" -- cgexec -g "cpu:$CGX" true ;;
		esac
	done
	ROUND=1
	for i in $cases; do summarize "$i"; done

	# where the time goes: the helper under strace
	bg_session isot-bench-sb "$U1"
	wait_live 1 30 || say "warning: background session of $U1 did not start"
	say "tracing the helper (reused sandbox, $N_TRACE logins)"
	helper_trace tr_reuse "$BIN/pam_loop" -w 1 isot-bench-sb "$U1" "$N_TRACE"
	end_sessions
	say "tracing the helper (first session, $N_TRACE logins)"
	helper_trace tr_first "$BIN/pam_loop" -w 1 isot-bench-sb "$U1" "$N_TRACE"

	# ---------- 5. quota accuracy ----------
	say "5. quota accuracy (${BURN_S} s of 2 burners per case)"
	local burn
	burn="TIMEFORMAT='%3R %3U %3S'; { time ( for b in 1 2; do timeout $BURN_S sh -c 'while :; do :; done' & done; wait ); } 2>&1; grep -h throttled \$(find $CPU/$ROOT -path \"*/user-\$(id -u)/cpu.stat\" 2>/dev/null) 2>/dev/null | tr '\n' ' '"
	"$H" isot-bench-permit "$(u 6)" bash -c "$burn" >"$W/q_base" 2>&1
	for i in 1 2 3; do
		"$H" isot-bench-q "$(u $i)" bash -c "$burn" >"$W/q_$i" 2>&1
	done
	"$H" isot-bench-q "$(u 4)" bash -c "$burn" >"$W/q_4" 2>&1 &
	local qa=$!
	"$H" isot-bench-q "$(u 5)" bash -c "$burn" >"$W/q_5" 2>&1 &
	local qb=$!
	wait $qa $qb

	# ---------- 7. one cgroup migration, paced and back to back ----------
	say "7. one cgroup migration (this host)"
	"$BIN/migrate" "$CPU/$FLOORD" "$N_MIG" "$GAP_MIG" >"$W/mig.paced" 2>"$W/mig.err"
	"$BIN/migrate" "$CPU/$FLOORD" "$N_MIG" 0 >"$W/mig.b2b" 2>>"$W/mig.err"
	say "migrate: paced $(cat "$W/mig.paced"); back to back $(cat "$W/mig.b2b")"

	# ---------- 8. a real ssh login, with and without the module ----------
	if [ "${BENCH_SSH:-1}" = 1 ] && command -v sshd >/dev/null; then
		say "8. ssh logins through a private sshd on 127.0.0.1:$ISO_SSH_PORT"
		cp /etc/pam.d/isot-bench-ssh "$W/ssh-with"
		grep -v pam_isolate "$W/ssh-with" >"$W/ssh-without"
		if iso_sshd_start isot-bench-ssh >>"$W/ssh.err" 2>&1; then
			# the user's sandbox kept alive by another session, as on
			# a server where users come back
			bg_session isot-bench-sb "$USSH"
			for _ in $(seq 1 100); do pgrep -u "$USSH" -x sleep >/dev/null && break; sleep 0.1; done
			pgrep -u "$USSH" -x sleep >/dev/null || say "warning: no background session for the ssh logins"
			ssh1() { # ssh1 PAMFILE: us of one `ssh u true`
				local t0
				cp "$1" /etc/pam.d/isot-bench-ssh
				t0=$(date +%s%N)
				iso_ssh "$USSH" true </dev/null >/dev/null 2>>"$W/ssh.err" || echo "ssh login failed" >>"$W/ssh.err"
				echo $((($(date +%s%N) - t0) / 1000))
			}
			ssh1 "$W/ssh-without" >/dev/null
			ssh1 "$W/ssh-with" >/dev/null
			for i in $(seq 1 "$N_SSH"); do
				ssh1 "$W/ssh-without" >>"$W/ssh.without"
				ssh1 "$W/ssh-with" >>"$W/ssh.with"
			done
			say "ssh: without $(sort -n "$W/ssh.without" | tr '\n' ' '); with $(sort -n "$W/ssh.with" | tr '\n' ' ')"
			pkill -KILL -u "$USSH" -x sleep 2>/dev/null
			end_sessions
			# what iso_sshd_start registered in this subshell
			iso_sshd_stop "$ISO_SSHD_PID"
			rm -f /usr/local/sbin/isot-bench-ssh
		else
			say "8. no sshd came up: $(tail -c 200 "$W/ssh.err")"
		fi
	fi

	# ---------- 6. concurrency ----------
	say "6. concurrency ($N_PAR parallel logins)"
	par() { # par NAME SVC USER...
		local name=$1 svc=$2 t j p fails=0
		shift 2
		local pp=()
		t=$(($(date +%s%N) + 800000000))
		j=0
		for p in "$@"; do
			j=$((j + 1))
			"$BIN/pam_loop" -w 0 -a "$t" "$svc" "$p" 1 -- /bin/true >"$W/par.$name.$j" 2>&1 &
			pp+=($!)
		done
		for p in "${pp[@]}"; do wait "$p" || fails=$((fails + 1)); done
		sleep 0.2
		cat "$W"/par."$name".* | awk -v t="$t" -v f="$fails" -v n="$#" '
			/end_ns=/ { for (i = 1; i <= NF; i++) { split($i, kv, "=");
				if (kv[1] == "end_ns" && kv[2] > e) e = kv[2];
				if (kv[1] == "total_med") { s[++k] = kv[2] } } }
			END { asort_n = k; for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (s[j] < s[i]) { x = s[i]; s[i] = s[j]; s[j] = x }
				printf "logins=%d fail=%d total_ms=%.1f login_med_ms=%.1f login_max_ms=%.1f\n", n, f, (e - t) / 1e6, s[int((k + 1) / 2)] / 1e3, s[k] / 1e3 }' >"$W/par.$name"
		echo "leftover_dirs=$(user_dirs) leftover_files=$(user_files)" >>"$W/par.$name"
		say "par $name: $(tr '\n' ' ' <"$W/par.$name")"
	}
	local many=()
	for i in $(seq 1 $N_PAR); do many+=("$(u "$i")"); done
	local same=()
	for i in $(seq 1 $N_PAR); do same+=("$U1"); done
	par permit isot-bench-permit "${many[@]}"
	par one isot-bench-sb "${same[@]}"
	par many isot-bench-sb "${many[@]}"

	# ---------- 4. scale ----------
	say "4. scale: kernel memory of $N_MEMBASE pam_permit sessions (baseline)"
	local k0 k1
	k0=$(kmem)
	for i in $(seq 1 $N_MEMBASE); do bg_session isot-bench-permit "$(u "$i")"; done
	wait_live "$N_MEMBASE" 120 || say "warning: only $(live_sessions) permit sessions"
	sleep 1
	k1=$(kmem)
	echo "$(( (k1 - k0) / N_MEMBASE ))" >"$W/mem_permit"
	end_sessions
	sleep 1
	local have=0 s t0 t1 km0 hm files
	km0=$(kmem)
	: >"$W/scale"
	for s in $SIZES; do
		say "4. scale: $s users with a live session"
		t0=$(date +%s%N)
		for i in $(seq $((have + 1)) "$s"); do bg_session isot-bench-sb "$(u "$i")"; done
		wait_live "$s" 300 || say "warning: only $(live_sessions) of $s sessions live"
		t1=$(date +%s%N)
		have=$s
		sleep 1
		hm=$(holders_mem)
		files=$(user_files)
		loop "s_reuse_$s" "$BIN/pam_loop" -r @RAW@ -c "$ROOT" -s isot-bench-sb "$U1" "$N_SCALE"
		loop "s_first_$s" "$BIN/pam_loop" -r @RAW@ -c "$ROOT" -s isot-bench-sb "$UPROBE" "$N_SCALE"
		summarize "s_reuse_$s"
		summarize "s_first_$s"
		echo "$s $(live_sessions) $(( (t1 - t0) / 1000000 )) $(( ($(kmem) - km0) / s )) $hm $files $(ps -e --no-headers | wc -l)" >>"$W/scale"
	done
	say "4. scale: closing $have sessions"
	t0=$(date +%s%N)
	end_sessions
	t1=$(date +%s%N)
	sleep 0.5
	echo "$(( (t1 - t0) / 1000000 )) $(user_dirs) $(user_files)" >"$W/scale_end"
}

# ===================================================================
# Run, then render
# ===================================================================
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
# In the background and waited for, so that INT/TERM reach the trap at
# once; the clean-up kills whatever runs in $BASE and below.
(
	echo $BASHPID >"$CPU/$BASE/cgroup.procs" && echo $BASHPID >"$PIDS/$BASE/cgroup.procs" ||
		die "cannot enter $BASE"
	main
	declare -p | grep -E '^declare -- R_' >"$W/results.sh"
) &
wait $!
rc=$?
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
[ -s "$W/results.sh" ] || die "measurements failed (exit $rc)"
# shellcheck disable=SC1090,SC1091
. "$W/results.sh"

# 7, in the v2 VM: favordynmods can only be tried on a cgroup2 mount of
# our own (the host's hierarchies are the machine's). BENCH_VM=0 skips it.
if [ "${BENCH_VM:-1}" = 1 ] && [ -x "$ISO_TOP/tests/vm/run-vm.sh" ] && command -v qemu-system-x86_64 >/dev/null; then
	say "7. one cgroup migration in the v2 VM, with and without favordynmods"
	N_MIG=$N_MIG VM_CPUS=2 "$ISO_TOP/tests/vm/run-vm.sh" env N_MIG="$N_MIG" sh bench/favordynmods.sh build/bench \
		2>"$W/mig.vm.err" | grep '^@ ' >"$W/mig.vm" || echo "the VM run failed: $(tail -c 200 "$W/mig.vm.err")" >"$W/mig.vm.why"
else
	echo "BENCH_VM=0 or no qemu" >"$W/mig.vm.why"
fi

# 9, on the systemd VM: the package as an admin installs it (dpkg -i,
# pam-auth-update, the real ssh.service), pam_systemd alone against the
# package's profile, logins alternated in one boot: the package lane of
# `make check` with more logins. BENCH_SYSTEMD=0 skips it.
if [ "${BENCH_SYSTEMD:-1}" = 1 ] && [ "${BENCH_VM:-1}" = 1 ] && command -v qemu-system-x86_64 >/dev/null; then
	say "9. ssh logins on the systemd VM (the .deb, ssh.service), $N_SDVM each way"
	make -C "$ISO_TOP" -s tests >"$W/sdvm.make" 2>&1 || say "9. make tests failed"
	PKGVM_LOGINS=$N_SDVM sh "$ISO_TOP/tests/run-package-vm.sh" >"$W/sdvm.out" 2>&1 ||
		say "9. the package lane reported failures: $(grep -m3 '^FAIL' "$W/sdvm.out" | tr '\n' ' ')"
	sed -n 's/^ *profile off (ms): *\([0-9 ]*\) *median.*/\1/p' "$W/sdvm.out" | tr ' ' '\n' | grep . >"$W/sdvm.off"
	sed -n 's/^ *profile on  (ms): *\([0-9 ]*\) *median.*/\1/p' "$W/sdvm.out" | tr ' ' '\n' | grep . >"$W/sdvm.on"
else
	: >"$W/sdvm.off"
fi

: >"$W/table.md"
line "# pam_isolate benchmark"
line ""
line "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ISO_TOP" rev-parse --short HEAD 2>/dev/null)$(git -C "$ISO_TOP" diff --quiet HEAD -- helper pam_module common config 2>/dev/null || echo ' (+ uncommitted product changes)'), $( [ "$QUICK" = 1 ] && echo 'QUICK smoke run' || echo 'full run'), $(($(date +%s) - T_START)) s."
line "Machine: $(nproc) CPUs, kernel $(uname -r), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), cgroup $(iso_is_v2 && echo v2 || echo 'v1 (cpu, pids)'); load average $LOAD0 at start, $LOAD1 at end (other work on the machine shows in p95)."
line "Times in microseconds (median / p95) unless marked ms. Ratios are against a baseline of this same run. What each row measures: bench/README.md."
line ""

t() { kv total_med "$1"; }
line "## 1-2. Session open+close through PAM, against the kernel floor"
line ""
line "Back to back: the next login starts as soon as the last one closed. Paced: one login every $((GAP_US / 1000)) ms (a login server's cadence; some kernel paths are only cheap while hot, see below)."
line ""
row "case" "n" "open med" "open p95" "close med" "close p95" "open+close med" "open+close p95" "CPU / login" "x pam_permit" "x floor (which)"
row "---" "--:" "--:" "--:" "--:" "--:" "--:" "--:" "--:" "--:" "--"
lat() { # lat LABEL RESULT FLOORRESULT FLOORNAME BASE
	local r=$2 base=${5:-$R_permit}
	row "$1" "$(kv n "$r")$( [ "$(kv fail "$r")" != 0 ] && echo " ($(kv fail "$r") FAILED)")" \
		"$(kv open_med "$r")" "$(kv open_p95 "$r")" "$(kv close_med "$r")" "$(kv close_p95 "$r")" \
		"**$(t "$r")**" "$(kv total_p95 "$r")" "$(kv cpu_mean "$r")" "$(ratio "$(t "$r")" "$(t "$base")")" \
		"$([ -n "$3" ] && echo "**$(ratio "$(t "$r")" "$(t "$3")")** ($4)" || echo -)"
}
lat "(a) pam_permit only (baseline)" "$R_permit" "" ""
lat "(b) pam_isolate, cgroup only (cpu_quota + tasks_max)" "$R_cg" "$R_f_cg" "floor cgroup"
lat "(c1) pam_isolate sandbox, first session: the sandbox is created and torn down at every login (on_logout=keep, nothing left running)" "$R_sbfirst" "$R_f_create" "floor create"
lat "(c2) pam_isolate sandbox, reused: a background session of the user keeps it alive" "$R_sbreuse" "$R_f_reuse" "floor reuse"
lat "floor: cgroup only (mkdir user + leaf, limits, move pid; move back, rmdir)" "$R_f_cg" "" ""
lat "floor: sandbox create (the above + clone user/pid/mnt ns, id maps, rslave, tmpfs x2, proc, move holder, setns; setns back, kill, wait, rmdir)" "$R_f_create" "" ""
lat "floor: sandbox reuse (limits, leaf, move, setns into a live holder; back, rmdir)" "$R_f_reuse" "" ""
lat "paced (a) pam_permit only" "$R_pc_permit" "" "" "$R_pc_permit"
lat "paced (b) cgroup only" "$R_pc_cg" "$R_pf_cg" "paced floor cgroup" "$R_pc_permit"
lat "paced (c1) sandbox, first session" "$R_pc_sbfirst" "$R_pf_create" "paced floor create" "$R_pc_permit"
lat "paced (c2) sandbox, reused" "$R_pc_sbreuse" "$R_pf_reuse" "paced floor reuse" "$R_pc_permit"
lat "paced floor: cgroup only" "$R_pf_cg" "" "" "$R_pc_permit"
lat "paced floor: sandbox create" "$R_pf_create" "" "" "$R_pc_permit"
lat "paced floor: sandbox reuse" "$R_pf_reuse" "" "" "$R_pc_permit"
line ""
line "Goal: (c2) within 2x of the floor. Back to back: $(ratio "$(t "$R_sbreuse")" "$(t "$R_f_reuse")") the reuse floor ($(ratio "$(t "$R_sbreuse")" "$(t "$R_f_create")") the create floor). Paced: $(ratio "$(t "$R_pc_sbreuse")" "$(t "$R_pf_reuse")") the paced reuse floor."
line ""
line "### Where the time of a reused-sandbox login goes (c2, back to back, medians)"
line ""
hx=$(t "$R_x_helper")
rest=$(( $(t "$R_sbreuse") - $(t "$R_permit") - hx ))
row "part" "us / login" "share of (c2)"
row "---" "--:" "--:"
share() { awk -v a="$1" -v b="$(t "$R_sbreuse")" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
row "the PAM stack itself: pam_start, pam_permit, pam_end (row a)" "$(t "$R_permit")" "$(share "$(t "$R_permit")")"
nlibs=$(ldd "$ISO_HELPER_DST" 2>/dev/null | grep -c '=>')
row "1 x fork + exec + exit of the setuid helper, doing nothing (\`--version\`: $hx us; it loads $nlibs shared libraries, \`true\` takes $(t "$R_p_true") us; the close is served by the helper kept at open)" "$hx" "$(share "$hx")"
row "the helper's and the module's real work (the rest)" "$rest" "$(share "$rest")"
row "... of which the kernel's share, as the reuse floor measures it" "$(t "$R_f_reuse")" "$(share "$(t "$R_f_reuse")")"
line ""
line "CPU per login (all processes; the rest of the wall time is waiting): (c2) $(kv cpu_mean "$R_sbreuse") us of $(kv total_mean "$R_sbreuse") us mean wall; reuse floor $(kv cpu_mean "$R_f_reuse") of $(kv total_mean "$R_f_reuse"); paced (c2) $(kv cpu_mean "$R_pc_sbreuse") of $(kv total_mean "$R_pc_sbreuse"); paced reuse floor $(kv cpu_mean "$R_pf_reuse") of $(kv total_mean "$R_pf_reuse")."
line ""

line "## 3. Peers: fork + exec + wait of \`true\` inside each tool (root)"
line ""
row "tool" "n" "med" "p95" "x plain true"
row "---" "--:" "--:" "--:" "--:"
peer() {
	[ -n "$2" ] || { row "$1" "-" "not installed" "-" "-"; return; }
	row "$1" "$(kv n "$2")$( [ "$(kv fail "$2")" != 0 ] && echo " ($(kv fail "$2") FAILED)")" "$(t "$2")" "$(kv total_p95 "$2")" "$(ratio "$(t "$2")" "$(t "$R_p_true")")"
}
peer "true (baseline)" "$R_p_true"
peer "pam-isolate-helper --version (the helper starting and exiting)" "$R_x_helper"
peer "unshare -Upmf --mount-proc true" "$R_p_unshare"
peer "bwrap --unshare-user --unshare-pid --dev-bind / / --proc /proc --tmpfs /tmp true" "${R_p_bwrap:-}"
peer "firejail --noprofile --quiet true" "${R_p_firejail:-}"
peer "cgexec -g cpu:<own v1 cgroup> true" "${R_p_cgexec:-}"
peer "PAM session, pam_permit only, running true as the user" "$R_x_permit"
peer "PAM session, pam_isolate sandbox reused, running true" "$R_x_sbreuse"
peer "PAM session, pam_isolate sandbox first session, running true" "$R_x_sbfirst"
line ""

line "## 4. Scale: N users with a live (sleep) session each, sandboxes per user"
line ""
row "users" "live" "start all (ms)" "reused open med / p95" "reused close med / p95" "first-session open+close med" "open x 1 user" "close x 1 user" "holder RSS kB (private)" "kernel kB / user" "files in $RUNDIR" "processes on host"
row "--:" "--:" "--:" "--:" "--:" "--:" "--:" "--:" "--:" "--:" "--:" "--:"
first_open=
first_close=
while read -r s live startms kper _ hrss hpriv files nprocs; do
	eval "r=\$R_s_reuse_$s f=\$R_s_first_$s"
	[ -n "$first_open" ] || { first_open=$(kv open_med "$r"); first_close=$(kv close_med "$r"); }
	row "$s" "$live" "$startms" "$(kv open_med "$r") / $(kv open_p95 "$r")" "$(kv close_med "$r") / $(kv close_p95 "$r")" \
		"$(t "$f")" "$(ratio "$(kv open_med "$r")" "$first_open")" "$(ratio "$(kv close_med "$r")" "$first_close")" \
		"$hrss ($hpriv)" "$kper" "$files" "$nprocs"
done <"$W/scale"
read -r endms enddirs endfiles <"$W/scale_end"
line ""
line "- kernel kB / user: growth of SUnreclaim + KernelStack + PageTables + Percpu since before the first sandboxed session, divided by the users; it includes the session's own processes (harness + sleep). The same for a pam_permit session (no sandbox, no cgroup): $(cat "$W/mem_permit") kB."
line "- Closing all sessions at the end took ${endms} ms; left behind: $enddirs user cgroups, $endfiles state files (want 0, 0)."
line ""

line "## 5. CPU quota accuracy (2 busy-loop burners in one session, ${BURN_S} s, usage measured by bash \`time\` inside the session)"
line ""
row "case" "quota" "CPU s used / wall s" "usage (CPUs)" "usage / quota" "usage / min(quota, unconfined)" "throttled periods"
row "---" "--:" "--:" "--:" "--:" "--:" "--"
read -r bR bU bS _ <<<"$(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+' "$W/q_base" | tail -1)"
base_use=$(awk -v r="$bR" -v u="$bU" -v s="$bS" 'BEGIN { printf "%.3f", (r > 0) ? (u + s) / r : 0 }')
qrow() { # qrow LABEL FILE QUOTA(CPUs)
	local R U S rest use
	read -r R U S rest <<<"$(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+' "$2" | tail -1)"
	rest=$(grep -o 'nr_throttled [0-9]*' "$2" | head -1)
	use=$(awk -v r="${R:-0}" -v u="${U:-0}" -v s="${S:-0}" 'BEGIN { printf "%.3f", (r > 0) ? (u + s) / r : 0 }')
	row "$1" "$(awk -v q="$3" 'BEGIN { printf "%.0f%%", q * 100 }')" \
		"$(awk -v u="${U:-0}" -v s="${S:-0}" -v r="${R:-0}" 'BEGIN { printf "%.2f / %.2f", u + s, r }')" "$use" \
		"$(awk -v a="$use" -v q="$3" 'BEGIN { printf "%.2f", a / q }')" \
		"$(awk -v a="$use" -v q="$3" -v b="$base_use" 'BEGIN { m = q < b ? q : b; printf "%.2f", a / m }')" \
		"${rest:-?}"
}
row "unconfined (pam_permit session): what 2 burners get here" "-" \
	"$(awk -v u="$bU" -v s="$bS" -v r="$bR" 'BEGIN { printf "%.2f / %.2f", u + s, r }')" "$base_use" "-" "-" "-"
qrow "quota 20%" "$W/q_1" 0.20
qrow "quota 50%" "$W/q_2" 0.50
qrow "quota 150%" "$W/q_3" 1.50
qrow "noisy neighbours, together: user A (60%)" "$W/q_4" 0.60
qrow "noisy neighbours, together: user B (30%)" "$W/q_5" 0.30
line ""
ab=$(cat "$W/q_4" "$W/q_5" | grep -E '^[0-9.]+ [0-9.]+ [0-9.]+' | awk '{ s += ($2 + $3) / $1 } END { printf "%.2f", s }')
line "- Together A and B got $ab CPUs; two burners alone got $base_use here. A quota is a cap, not a reservation: when the machine cannot give every user its quota, users share what is left by cpu.shares (cpu_weight; equal here, as no rule sets it)."
line ""

line "## 6. Concurrency: $N_PAR logins started at the same instant (open, run true as the user, close)"
line ""
row "case" "logins" "failures" "total ms" "x pam_permit" "median login ms" "slowest login ms" "left behind (cgroups, files)"
row "---" "--:" "--:" "--:" "--:" "--:" "--:" "--"
pbase=$(kv total_ms "$(head -1 "$W/par.permit")")
prow() {
	local a b
	a=$(head -1 "$W/par.$2")
	b=$(tail -1 "$W/par.$2")
	row "$1" "$(kv logins "$a")" "$(kv fail "$a")" "$(kv total_ms "$a")" "$(ratio "$(kv total_ms "$a")" "$pbase")" \
		"$(kv login_med_ms "$a")" "$(kv login_max_ms "$a")" "$(kv leftover_dirs "$b"), $(kv leftover_files "$b")"
}
prow "pam_permit only, $N_PAR users (baseline)" permit
prow "pam_isolate sandbox, 1 user x $N_PAR" one
prow "pam_isolate sandbox, $N_PAR users" many
line ""

line "## 7. One cgroup migration of a process (write of its pid to cgroup.procs), paced and back to back"
line ""
line "A migration takes the kernel's cgroup_threadgroup_rwsem for writing. After an idle spell that waits for an RCU grace period; within one of the last, it does not. The favordynmods mount option keeps the lock in the mode where writers never wait for one (and readers, fork and exit, pay a little instead)."
line ""
row "where" "mount" "gap (us)" "n" "med" "p95" "max" "x back to back"
row "---" "---" "--:" "--:" "--:" "--:" "--:" "--:"
mrow() { # mrow WHERE MOUNT GAP "n=.. med=.. p95=.. max=.." BASE_MED
	row "$1" "$2" "$3" "$(kv n "$4")" "$(kv med "$4")" "$(kv p95 "$4")" "$(kv max "$4")" "$(ratio "$(kv med "$4")" "$5")"
}
hb=$(kv med "$(cat "$W/mig.b2b")")
mrow "this host (cgroup $(iso_is_v2 && echo v2 || echo 'v1, cpu hierarchy'))" "as mounted" "$GAP_MIG" "$(cat "$W/mig.paced")" "$hb"
mrow "this host" "as mounted" 0 "$(cat "$W/mig.b2b")" "$hb"
if [ -s "$W/mig.vm" ]; then
	sed 's/^@ /| v2 VM (TCG emulation) | /; s/$/ |/' "$W/mig.vm" >>"$W/table.md"
else
	line "| v2 VM | favordynmods | - | - | - | - | - | not measured: $(cat "$W/mig.vm.why" 2>/dev/null || echo 'no VM') |"
fi
line ""

line "## 8. A real ssh login (\`ssh u@127.0.0.1 true\` through a private sshd, the module last, the user's sandbox kept alive by another session)"
line ""
if [ -s "$W/ssh.with" ] && [ -s "$W/ssh.without" ]; then
	sm() { sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'; }
	sp() { sort -n "$1" | awk '{ a[NR] = $1 } END { k = int(0.95 * NR + 0.999999); printf "%.1f", a[k] / 1000 }'; }
	row "case" "logins" "med ms" "p95 ms" "x without"
	row "---" "--:" "--:" "--:" "--:"
	row "sshd without pam_isolate (baseline)" "$(wc -l <"$W/ssh.without")" "$(sm "$W/ssh.without")" "$(sp "$W/ssh.without")" "1.00x"
	row "sshd with pam_isolate, sandbox reused" "$(wc -l <"$W/ssh.with")" "$(sm "$W/ssh.with")" "$(sp "$W/ssh.with")" \
		"$(awk -v a="$(sm "$W/ssh.with")" -v b="$(sm "$W/ssh.without")" 'BEGIN { printf "%.2fx", a / b }')"
	line ""
	line "- Logins alternate (without, with), $N_SSH each after one warm-up of each; failures: $(grep -c 'ssh login failed' "$W/ssh.err" 2>/dev/null)."
else
	line "Not measured (BENCH_SSH=0, no sshd, or it did not start; bench/results/errors.tmp)."
fi
line ""

line "## 9. A real ssh login on a systemd host (the systemd VM, TCG emulation: \`ssh isot_pa@127.0.0.1 true\` through ssh.service, the .deb installed and its profile enabled with pam-auth-update)"
line ""
if [ -s "$W/sdvm.off" ] && [ -s "$W/sdvm.on" ]; then
	vm() { sort -n "$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
	vx() { sort -n "$1" | tail -n 1; }
	row "case" "logins" "med ms" "max ms" "x pam_systemd alone"
	row "---" "--:" "--:" "--:" "--:"
	row "common-session with pam_systemd alone (profile off; baseline)" "$(wc -l <"$W/sdvm.off")" "$(vm "$W/sdvm.off")" "$(vx "$W/sdvm.off")" "1.00x"
	row "common-session with pam_systemd + pam_isolate (the package's profile on)" "$(wc -l <"$W/sdvm.on")" "$(vm "$W/sdvm.on")" "$(vx "$W/sdvm.on")" \
		"$(awk -v a="$(vm "$W/sdvm.on")" -v b="$(vm "$W/sdvm.off")" 'BEGIN { printf "%.2fx", a / b }')"
	line ""
	line "- Logins alternate (off, on) in one boot after one warm-up; the package's shipped isolate.conf (hide_processes, no pid namespace). Under emulation only the ratio means something."
else
	line "Not measured (BENCH_SYSTEMD=0, BENCH_VM=0, no qemu, or the package lane did not get that far: $(grep -m1 -E 'skip|FAIL' "$W/sdvm.out" 2>/dev/null))."
fi
line ""

line "## Where the time goes: the helper under strace (-f -ttt -T; strace inflates every syscall)"
line ""
line '```'
{
	trace_table tr_reuse open
	trace_table tr_reuse close
	echo
	trace_table tr_first open
	trace_table tr_first close
} >>"$W/table.md"
line '```'

mkdir -p "$(dirname "$OUT")"
cp "$W/table.md" "$OUT"
# stderr of every row that failed, for a look afterwards (git ignores *.tmp)
for f in "$W"/*.err; do
	[ -s "$f" ] && grep -qv '^$' "$f" && { echo "== $(basename "$f")"; head -50 "$f"; }
done >"$(dirname "$OUT")/errors.tmp" 2>/dev/null
cat "$W/table.md"
say "written to $OUT"
say "cleaning up (test users are removed one by one: this takes a while)"
exit 0
