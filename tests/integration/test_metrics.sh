#!/bin/bash
# isolatectl metrics and top, for real: three users with CPU burners in
# live sessions (one sandboxed), one refused open; the metrics parsed by
# a real Prometheus parser (python3-prometheus-client), top in batch mode.
# Root only; cpu and pids only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
CTL=$ISO_BUILD/isolatectl
[ -x "$CTL" ] || { iso_log "build first: make all"; exit 2; }
# the distribution's python3 (the package's), also where another one is
# first in PATH
PY=
for p in python3 /usr/bin/python3; do
	"$p" -c 'import prometheus_client.parser' 2>/dev/null && { PY=$p; break; }
done
if [ -z "$PY" ]; then
	skip "metrics parser" "python3-prometheus-client missing (make deps)"
	iso_summary
	exit $?
fi
iso_install_helper

ROOT=isot_mx_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_user isot_ma
iso_user isot_mb
iso_user isot_mc
iso_user isot_md
on_exit "iso_kill_holders isot_ma isot_mb isot_mc isot_md"
CPU=$(iso_cg_mount cpu)
# memory only where it may be limited: the v2 lane's VM (never the host's
# v1 memory hierarchy)
MEMKEYS=
iso_is_v2 && MEMKEYS="memory_max = 48M"

CONF=$(iso_conf mx <<EOF
cgroup_root = "$ROOT"
on_error = deny
default {
    cpu_quota = 20%
    tasks_max = 64
}
user "isot_ma" {
    cpu_quota = 30%
    $MEMKEYS
}
user "isot_mb" {
    cpu_quota = 50%
    tasks_max = 32
    namespaces = { user, pid, mount }
    private_tmp = yes
}
user "isot_md" {
    cpu_quota = 0.01%
}
EOF
)
iso_service isot-mx "$CONF"
H() { "$ISO_HARNESS" isot-mx "$@"; }

# parse FILE: every sample as "name{label=value,...}<TAB>value", sorted
# labels, through the real parser (it raises on malformed text)
parse() {
	"$PY" - "$1" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
for fam in text_string_to_metric_families(text):
    for s in fam.samples:
        labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
        print("%s{%s}\t%r" % (s.name, labels, s.value))
EOF
}
# val NAME LABELS: the value of one parsed sample ("" if none)
val() { awk -F'\t' -v k="$1{$2}" '$1 == k { print $2 }' "$ISO_TMP/parsed"; }
metrics() {
	"$CTL" metrics -c "$CONF" >"$ISO_TMP/metrics" 2>"$ISO_TMP/err"
	RC=$?
	parse "$ISO_TMP/metrics" >"$ISO_TMP/parsed" 2>"$ISO_TMP/perr"
	PRC=$?
}

metrics
check "metrics with nothing live: exit 0" test "$RC" = 0
check "  ... and the parser takes it" test "$PRC" = 0
before_conf=$(val pam_isolate_opens_total 'result=confined')
before_den=$(val pam_isolate_opens_total 'result=denied')
before_ref=$(awk -F'\t' '$1 ~ /^pam_isolate_refusals_total/ { s += $2 } END { print s + 0 }' "$ISO_TMP/parsed")
check "host counters are there before any session" test -n "$before_conf"

# one refused open: cpu_quota below 1 ms per period
H isot_md true >/dev/null 2>&1
check "isot_md's open is refused" test $? = 20

# the burners run until the test is done with them: a slow VM took more
# than a fixed 12 s to get there, and CI's emulated VM more than 120 s to
# reach the last valgrind run (isolatectl under valgrind under TCG). The
# timeout only guards a test killed before its on_exit, so it is long.
STOP=$(mktemp -d /run/isot-mxstop.XXXXXX)
chmod 755 "$STOP"
on_exit "touch $STOP/stop; wait; rm -rf $STOP"
spin="while [ ! -e $STOP/stop ]; do :; done"
burn="timeout 900 sh -c '$spin' & timeout 900 sh -c '$spin' & wait"
BURN_T0=$SECONDS
for u in isot_ma isot_mb isot_mc; do
	H "$u" sh -c "$burn" >/dev/null 2>&1 &
done
live() {
	local u
	for u in isot_ma isot_mb isot_mc; do
		[ "$(cat "$CPU/$ROOT/user-$(id -u "$u")"/session-*/cgroup.procs 2>/dev/null | wc -l)" -ge 2 ] ||
			return 1
	done
}
for _ in $(seq 1 600); do live && break; sleep 0.1; done
check "three sessions burn CPU" live
if [ -n "$MEMKEYS" ]; then
	# a second session of isot_ma outgrows memory_max: one OOM kill
	H isot_ma perl -e '$s = "x" x (96 << 20)' >/dev/null 2>&1
fi
sleep 1

metrics
check "metrics: exit 0" test "$RC" = 0
check "metrics: a real Prometheus parser takes the output" test "$PRC" = 0
[ "$PRC" = 0 ] || cat "$ISO_TMP/perr" >&2
grep -q '^# TYPE pam_isolate_cpu_periods_total counter$' "$ISO_TMP/metrics"
check "metrics: TYPE lines" test $? = 0
UA=$(id -u isot_ma)
UB=$(id -u isot_mb)
UC=$(id -u isot_mc)
LA="rule=user isot_ma,uid=$UA,user=isot_ma"
LB="rule=user isot_mb,uid=$UB,user=isot_mb"
LC="rule=default,uid=$UC,user=isot_mc"
expect_eq "isot_ma: one live session" "1.0" "$(val pam_isolate_sessions "$LA")"
expect_eq "isot_ma: quota 0.3 CPUs" "0.3" "$(val pam_isolate_cpu_quota_cpus "$LA")"
expect_eq "isot_mc: quota 0.2 CPUs (default rule)" "0.2" "$(val pam_isolate_cpu_quota_cpus "$LC")"
expect_eq "isot_mb: tasks max 32" "32.0" "$(val pam_isolate_tasks "kind=max,$LB")"
t=$(val pam_isolate_tasks "kind=current,$LA")
check "isot_ma: tasks current >= 3 (shell and two burners): $t" awk -v t="$t" 'BEGIN { exit !(t >= 3) }'
expect_eq "isot_mb: sandbox 1" "1.0" "$(val pam_isolate_sandbox "$LB")"
expect_eq "isot_ma: sandbox 0" "0.0" "$(val pam_isolate_sandbox "$LA")"
# a counter where the kernel keeps one (v2, cpuacct with cpu), else the
# gauge of the processes' own CPU
cpu=$(val pam_isolate_cpu_seconds_total "$LA")
[ -n "$cpu" ] || cpu=$(val pam_isolate_process_cpu_seconds "$LA")
check "isot_ma: CPU seconds > 0.1: $cpu" awk -v t="$cpu" 'BEGIN { exit !(t > 0.1) }'
thr=$(val pam_isolate_throttled_periods_total "$LA")
check "isot_ma: throttled periods > 0 (two burners, 30%): $thr" awk -v t="$thr" 'BEGIN { exit !(t > 0) }'
check "isot_ma: an info series with its backend" grep -qx "pam_isolate_user_info{backend=cgroupfs,$LA}	1.0" "$ISO_TMP/parsed"
if [ -n "$MEMKEYS" ]; then
	expect_eq "v2: isot_ma's memory max 48M" "50331648.0" "$(val pam_isolate_memory_bytes "kind=max,$LA")"
	check "v2: isot_ma's memory current is there" test -n "$(val pam_isolate_memory_bytes "kind=current,$LA")"
	o=$(val pam_isolate_oom_kills_total "$LA")
	check "v2: isot_ma's OOM kill counted ($o)" awk -v t="$o" 'BEGIN { exit !(t >= 1) }'
	expect_eq "v2: no OOM kill for isot_mc" "0.0" "$(val pam_isolate_oom_kills_total "$LC")"
fi
# a sample for the record: one user's series and the host's
grep -E '^pam_isolate_[a-z_]+(\{.*user="isot_ma".*\}|\{(result|class)=.*\}|) ' "$ISO_TMP/metrics"
after_conf=$(val pam_isolate_opens_total 'result=confined')
after_den=$(val pam_isolate_opens_total 'result=denied')
after_ref=$(awk -F'\t' '$1 ~ /^pam_isolate_refusals_total/ { s += $2 } END { print s + 0 }' "$ISO_TMP/parsed")
# three burners, and on v2 the session that ran out of memory
opens=3
[ -n "$MEMKEYS" ] && opens=4
check "host: opens confined +$opens ($before_conf -> $after_conf)" awk -v a="$before_conf" -v b="$after_conf" -v n="$opens" 'BEGIN { exit !(b - a == n) }'
check "host: opens denied +1 ($before_den -> $after_den)" awk -v a="$before_den" -v b="$after_den" 'BEGIN { exit !(b - a == 1) }'
check "host: refusals +1 ($before_ref -> $after_ref)" awk -v a="$before_ref" -v b="$after_ref" 'BEGIN { exit !(b - a == 1) }'
check "host: the counters file is root's, 0600" test "$(stat -c %u:%a /run/pam_isolate/counters)" = "0:600"
"$CTL" metrics -c "$CONF" isot_mc >"$ISO_TMP/one"
check "metrics USER: only that user's series" test "$(grep -c 'user="isot_m[ab]"' "$ISO_TMP/one")" = 0
grep -q 'user="isot_mc"' "$ISO_TMP/one"
check "  ... and that user's" test $? = 0

# ---------------------------------------------------------------- top
"$CTL" top -c "$CONF" -b -n 1 -o user >"$ISO_TMP/top" 2>"$ISO_TMP/err"
RC=$?
cat "$ISO_TMP/top"
check "top -b -n 1: exit 0" test "$RC" = 0
check "top -b -n 1: one screen" test "$(grep -c '^isolatectl top' "$ISO_TMP/top")" = 1
expect_match "top: the header" "^USER +RULE +SESS +CPU% +QUOTA +THR%" "$(sed -n 2p "$ISO_TMP/top")"
# CPU% of one CPU: two burners under 30% get about 30, tolerant bounds
row() { awk -v u="$1" '$1 == u' "$ISO_TMP/top"; }
ra=$(row isot_ma)
expect_match "top: isot_ma's row: rule, 1 session, quota 30%" "^isot_ma +user isot_ma +1 +[0-9.]+ +30% " "$ra"
pa=$(echo "$ra" | awk '{ print $5 }')
check "top: isot_ma uses CPU, about its quota (10 < $pa < 45)" awk -v t="$pa" 'BEGIN { exit !(t > 10 && t < 45) }'
ta=$(echo "$ra" | awk '{ print $7 }')
check "top: isot_ma throttled in most periods ($ta% > 50)" awk -v t="$ta" 'BEGIN { exit !(t > 50) }'
expect_match "top: isot_mb sandboxed, tasks vs 32" " [0-9]+/32 +yes$" "$(row isot_mb)"
expect_match "top: isot_mc on the default rule, 20%" "^isot_mc +default +1 +[0-9.]+ +20% " "$(row isot_mc)"
# the second screen's order, over a whole second: a first screen of a
# short span on one emulated CPU, fully booked, is too noisy to order
"$CTL" top -c "$CONF" -b -n 2 -d 1 -o cpu >"$ISO_TMP/top2"
check "top -n 2 -d 1: two screens" test "$(grep -c '^isolatectl top' "$ISO_TMP/top2")" = 2
first=$(awk '/^USER / { n++; next } n == 2 { print $1; exit }' "$ISO_TMP/top2")
check "top -o cpu: the busiest first (isot_mb at 50%): $first" test "$first" = isot_mb
[ "$first" = isot_mb ] || sed 's/^/     | /' "$ISO_TMP/top2"
"$CTL" top -o bogus >/dev/null 2>&1
check "top -o bogus: usage error (2)" test $? = 2

# ---------------------------------------------------------------- valgrind
# the memcheck lane covers the module, the helper and the unit tests, not
# isolatectl: its readers run here under valgrind, over the live users
if command -v valgrind >/dev/null; then
	for a in "metrics -c $CONF" "top -c $CONF -b -n 2 -d 0.2 -o mem"; do
		n=${a%% *}
		# shellcheck disable=SC2086
		valgrind --vgdb=no --leak-check=full --error-exitcode=99 \
			--errors-for-leak-kinds=definite,indirect --log-file="$ISO_TMP/vg-$n" \
			"$CTL" $a >"$ISO_TMP/vg-$n.out" 2>&1
		rc=$?
		check "valgrind isolatectl $n: exit 0, no error, no leak (exit $rc)" test "$rc" = 0
		[ "$rc" = 0 ] || grep -E 'ERROR SUMMARY|lost|Invalid' "$ISO_TMP/vg-$n" >&2
		grep -q isot_mc "$ISO_TMP/vg-$n.out"
		rc=$?
		check "  ... and it read the live users (isot_mc; burning for $((SECONDS - BURN_T0)) s)" test "$rc" = 0
		[ "$rc" = 0 ] || sed 's/^/     | /' "$ISO_TMP/vg-$n.out" >&2
	done
	check "the three sessions still burn after the valgrind runs" live
else
	skip "valgrind isolatectl" "valgrind missing (make deps)"
fi

# ---------------------------------------------------------------- non-root
su -s /bin/sh nobody -c "$CTL metrics -c $CONF" >/dev/null 2>&1
check "metrics as non-root: exit 3" test $? = 3

touch "$STOP/stop"
wait
iso_summary
