#!/bin/sh
# tests/vm/smoke.sh: checks that the VM of tests/vm/run-vm.sh is what the
# v2 lane needs: pure cgroup v2 with cpu, memory and pids that really limit,
# cgroup.kill, and a writable system where useradd, su and setuid work.
#   tests/vm/run-vm.sh sh tests/vm/smoke.sh
# Refuses to run outside that VM (it writes the root cgroup, adds a user).
# shellcheck disable=SC2016  # the sh -c scripts are single-quoted on purpose
set -u

CG=/sys/fs/cgroup
T=$CG/isot_smoke
USER_=isot_vm
SUID_DIR=/usr/local/libexec/pam_isolate
SUID=$SUID_DIR/isot-smoke-id
npass=0 nfail=0

pass() { npass=$((npass + 1)); echo "PASS: $*"; }
fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then pass "$d"; else fail "$d"; fi
}
rd() { cat "$1" 2>/dev/null || echo "?"; }
# key's value in a flat-keyed file (cpu.stat, memory.events, ...)
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null; }
now_us() { echo $(($(date +%s%N) / 1000)); }

[ "$(hostname)" = pam-isolate-vm ] || {
    echo "smoke.sh: run me in the VM: tests/vm/run-vm.sh sh $0" >&2
    exit 2
}

cleanup() {
    [ -n "${BURNER:-}" ] && kill "$BURNER" 2>/dev/null
    for d in "$T"/*/ "$T"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
    userdel -r "$USER_" 2>/dev/null
    rm -f "$SUID"
    return 0
}
trap cleanup EXIT

echo "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"

# --- the hierarchy --------------------------------------------------------
t=$(stat -f -c %T $CG)
check "/sys/fs/cgroup is cgroup2 ($t)" [ "$t" = cgroup2fs ]
no_v1() { ! awk '$3 == "cgroup" { found = 1 } END { exit !found }' /proc/mounts; }
check "no cgroup v1 hierarchy mounted" no_v1
ctrls=$(rd $CG/cgroup.controllers)
echo "controllers: $ctrls"
for c in cpu memory pids; do
    case " $ctrls " in
        *" $c "*) pass "controller $c available" ;;
        *) fail "controller $c available" ;;
    esac
done
echo "+cpu +memory +pids" >$CG/cgroup.subtree_control
mkdir -p "$T"
echo "+cpu +memory +pids" >"$T/cgroup.subtree_control"
check "cpu memory pids enabled down to $T" \
    sh -c "[ \"\$(cat $T/cgroup.subtree_control)\" = 'cpu memory pids' ]"

# --- cpu.max: a busy loop under a 20 % quota ------------------------------
mkdir "$T/cpu"
echo "20000 100000" >"$T/cpu/cpu.max"
check "cpu.max reads back \"$(rd "$T/cpu/cpu.max")\"" \
    [ "$(rd "$T/cpu/cpu.max")" = "20000 100000" ]
sh -c 'echo 0 >"$1/cgroup.procs" && while :; do :; done' burner "$T/cpu" &
BURNER=$!
sleep 0.5   # into the cgroup, and past its first period
u0=$(stat_of "$T/cpu/cpu.stat" usage_usec) w0=$(now_us)
sleep 2
u1=$(stat_of "$T/cpu/cpu.stat" usage_usec) w1=$(now_us)
kill "$BURNER"; wait "$BURNER" 2>/dev/null; BURNER=
pct=$(( (u1 - u0) * 100 / (w1 - w0) ))
echo "burner: usage $((u1 - u0)) us over $((w1 - w0)) us wall = $pct % of a CPU" \
     "(quota 20 %), nr_throttled $(stat_of "$T/cpu/cpu.stat" nr_throttled)"
check "burner held near its quota: 10 <= $pct <= 35 %" [ "$pct" -ge 10 ] && [ "$pct" -le 35 ]

# --- memory.max: an allocation over it is OOM-killed ----------------------
mkdir "$T/mem"
echo 32M >"$T/mem/memory.max"
[ -e "$T/mem/memory.swap.max" ] && echo 0 >"$T/mem/memory.swap.max"
check "memory.max reads back $(rd "$T/mem/memory.max") (32M)" \
    [ "$(rd "$T/mem/memory.max")" = 33554432 ]
# perl (Essential on Debian, so always there): "x" x N writes every byte,
# so the pages are really charged (a calloc'd buffer may stay untouched).
alloc() { # alloc MiB: allocate in $T/mem, exit status of the allocator
    sh -c 'echo 0 >"$1/cgroup.procs" && exec perl -e "\$s = \"x\" x ($2 << 20)"' \
        alloc "$T/mem" "$1"
}
alloc 8; rc=$?
check "8M allocation under memory.max 32M succeeds (status $rc)" [ "$rc" = 0 ]
alloc 64 2>/dev/null; rc=$?   # (quiet: no "Killed" from the shell)
ooms=$(stat_of "$T/mem/memory.events" oom_kill)
echo "64M allocation: status $rc, memory.events oom_kill ${ooms:-?}," \
     "memory.peak $(rd "$T/mem/memory.peak")"
check "64M allocation is OOM-killed (SIGKILL: status 137)" [ "$rc" = 137 ]
check "memory.events counts the OOM kill" [ "${ooms:-0}" -ge 1 ]

# --- pids.max -------------------------------------------------------------
mkdir "$T/pids"
echo 4 >"$T/pids/pids.max"
sh -c 'echo 0 >"$1/cgroup.procs"; for i in 1 2 3 4 5 6; do sleep 3 & done; wait' \
    pids "$T/pids" 2>/dev/null
check "pids.max 4 refused forks (pids.events max $(stat_of "$T/pids/pids.events" max))" \
    [ "$(stat_of "$T/pids/pids.events" max)" -ge 1 ]

# --- cgroup.kill ----------------------------------------------------------
mkdir "$T/kill"
check "cgroup.kill exists" [ -e "$T/kill/cgroup.kill" ]
sh -c 'echo 0 >"$1/cgroup.procs" && exec sleep 600' victim "$T/kill" &
victim=$!
# killed once it is in: a kill of an empty cgroup leaves it to sleep on
i=0
while [ $i -lt 300 ] && kill -0 "$victim" 2>/dev/null && ! grep -qx "$victim" "$T/kill/cgroup.procs"; do
    sleep 0.1; i=$((i + 1))
done
echo 1 >"$T/kill/cgroup.kill"
wait "$victim" 2>/dev/null; rc=$?
check "cgroup.kill killed the cgroup's process (status $rc)" [ "$rc" = 137 ]
check "rmdir of the emptied cgroup works" rmdir "$T/kill"

# --- the writable system --------------------------------------------------
check "/tmp is writable" sh -c 'f=$(mktemp) && rm "$f"'
check "/run is writable" sh -c 'f=$(mktemp -p /run) && rm "$f"'
check "repo is readable (cwd $(pwd))" [ -r tests/vm/smoke.sh ]
check "useradd $USER_" useradd -M -s /bin/sh "$USER_"
uid=$(su "$USER_" -s /bin/sh -c 'id -u' 2>&1)
check "su $USER_ runs as its uid ($uid)" [ "$uid" = "$(id -u "$USER_")" ]
# the helper's production path: install -m 4755 must give a working setuid
mkdir -p "$SUID_DIR"
install -m 4755 -o root "$(command -v id)" "$SUID"
euid=$(su "$USER_" -s /bin/sh -c "$SUID -u" 2>&1)
check "setuid root binary in $SUID_DIR runs with euid 0 ($euid)" [ "$euid" = 0 ]
if command -v pamtester >/dev/null; then
    echo "pamtester: $(command -v pamtester)"
else
    echo "note: pamtester not installed on the host (make deps)"
fi

echo "smoke: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
