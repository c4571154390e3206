#!/bin/bash
# End to end over a real sshd: the fault paths. A broken config refuses the
# login under on_error = deny (and says why), lets it in unconfined under
# allow (and logs why, to syslog); a helper SIGKILLed in the middle of the
# open leaves nothing half-made and the next login works; exempt users and
# root are untouched. Syslog is caught on a socket bind-mounted over
# /dev/log in sshd's own mount namespace. Root only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
iso_e2e_need sshd ssh ssh-keygen ssh-keyscan unshare
iso_e2e_install || { fail "make install into a temporary PREFIX"; iso_finish; exit 1; }

ROOT=isot_e2f_$$
# A cpu cgroup of our own at 2% of a CPU in 1 ms slices: for the fault
# injection, sshd is moved in there so that its helpers (and the holders
# they fork) crawl and the killer below hits the windows it aims at.
# Removed last (a closing helper's gc worker may sit in it for 10 s).
SLOW=$(iso_cg_mount cpu)/isot_e2f_slow_$$
on_exit "iso_e2e_rmdir_wait '$SLOW' 15"
on_exit "iso_e2e_cgroup_cleanup $ROOT"
iso_ssh_user isot_e2f
iso_ssh_user isot_e2fx
iso_ssh_key root
on_exit "iso_kill_holders isot_e2f isot_e2fx"
U=isot_e2f
UID_U=$(id -u $U)
CPU=$(iso_cg_mount cpu)
HOSTNS=$(readlink /proc/self/ns/pid)
echo "host-only" >/tmp/isot_e2f_marker_$$
on_exit "rm -f /tmp/isot_e2f_marker_$$"

GOOD=$(iso_conf good <<EOF
cgroup_root = "$ROOT"
on_error = deny
exempt_users = { "isot_e2fx" }
default {
    cpu_quota = 20%
    tasks_max = 128
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = kill
}
EOF
)
BAD=$(iso_conf bad-deny <<EOF
cgroup_root = "$ROOT"
on_error = deny
exempt_users = { "isot_e2fx" }
default {
    cpu_quota = fifty
    namespaces = { user, pid, mount }
}
EOF
)
BADA=$(iso_conf bad-allow <<EOF
cgroup_root = "$ROOT"
on_error = allow
exempt_users = { "isot_e2fx" }
default {
    cpu_quota = fifty
    namespaces = { user, pid, mount }
}
EOF
)
iso_service isot-sshd "$GOOD"
PAMFILE=/etc/pam.d/isot-sshd
cp "$PAMFILE" "$ISO_TMP/pam-good"
use_conf() { sed "s|conf=$GOOD|conf=$1|" "$ISO_TMP/pam-good" >"$PAMFILE"; }
iso_syslog_start || { fail "syslog catcher starts"; iso_finish; exit 1; }
iso_sshd_start isot-sshd || { fail "sshd starts" "$(tail -5 "$ISO_TMP/sshd.log" 2>/dev/null)"; iso_finish; exit 1; }
# syslog lines since a mark
mark() { wc -l <"$ISO_SYSLOG_FILE"; }
since() { tail -n +"$(($1 + 1))" "$ISO_SYSLOG_FILE"; }
wait_log() { # wait_log MARK REGEX [SECONDS]: up to 3 s for a matching line
	local i
	for i in $(seq 1 $((${3:-3} * 10))); do since "$1" | grep -Eq -- "$2" && return 0; sleep 0.1; done
	return 1
}
probe="echo IN; grep -E '^[0-9]+:cpu:' /proc/self/cgroup; echo \"pidns=\$(readlink /proc/self/ns/pid)\"; test -e /tmp/isot_e2f_marker_$$ && echo host-tmp; true"
sessions() { find /sys/fs/cgroup/*/"$ROOT" -type d -name 'session-*' 2>/dev/null | wc -l; }
no_sessions() { # up to 5 s for the leaves of closed sessions to go
	local i
	for i in $(seq 1 50); do [ "$(sessions)" -eq 0 ] && return 0; sleep 0.1; done
	return 1
}

# --- sanity: the good config confines, and syslog catches the helper ---
m=$(mark)
out=$(iso_ssh $U "$probe" </dev/null 2>&1)
expect_match "good config: login confined" ":cpu:/$ROOT/user-$UID_U/session-" "$out"
check "syslog catcher gets the helper's 'result=confined' line" \
	wait_log "$m" "pam_isolate\[[0-9]+\]: open user=$U uid=$UID_U service=isot-sshd rule=.* result=confined"

# --- broken config, on_error = deny: refused, and told why ---
# sshd 9.2 does not drop the connection when pam_open_session fails: the
# session child prints the PAM messages it stored (display_loginmsg, on
# the client's stdout) and exits 254 without running the command.
use_conf "$BAD"
no_sessions
m=$(mark)
out=$(iso_ssh $U "$probe" </dev/null 2>&1)
rc=$?
echo "     ssh exit $rc, the user sees: $out"
expect_eq "deny: the login is refused (sshd's session child exits 254)" 254 "$rc"
expect_nomatch "deny: no remote command ran" "^IN$" "$out"
expect_match "deny: the user sees the reason with file:line" \
	"pam_isolate: session refused: .*bad-deny\.conf:5: .*cpu_quota.*fifty" "$out"
check "deny: syslog has the error with file:line" \
	wait_log "$m" "open user=$U service=isot-sshd error=config result=denied: .*bad-deny\.conf:5: .*cpu_quota.*fifty"
check "deny: sshd logs that pam_open_session failed" grep -q "PAM: pam_open_session()" "$ISO_SSHD_LOG"
expect_eq "deny: no session leaf made for the refused user" 0 "$(sessions)"

# --- exempt user and root with the broken (deny) config ---
out=$(iso_ssh root "$probe" </dev/null 2>&1)
rc=$?
expect_eq "root logs in with a broken config" 0 "$rc"
expect_nomatch "root is not placed in our cgroups" ":cpu:/$ROOT" "$out"
expect_line "root is not sandboxed (host pid namespace)" "pidns=$HOSTNS" "$out"
out=$(iso_ssh isot_e2fx "$probe" </dev/null 2>&1)
rc=$?
check "an exempt_users user logs in with a broken config (deny)" test "$rc" -eq 0

# --- broken config, on_error = allow: in, unconfined, and logged ---
use_conf "$BADA"
m=$(mark)
out=$(iso_ssh $U "$probe" </dev/null 2>&1)
rc=$?
expect_eq "allow: the login works" 0 "$rc"
expect_match "allow: the remote command ran" "^IN$" "$out"
expect_nomatch "allow: unconfined (not in our cgroups)" ":cpu:/$ROOT" "$out"
expect_line "allow: not sandboxed (host pid namespace)" "pidns=$HOSTNS" "$out"
expect_line "allow: the host's /tmp" "host-tmp" "$out"
check "allow: syslog has the error with file:line and result=allowed-unconfined" \
	wait_log "$m" "open user=$U service=isot-sshd error=config result=allowed-unconfined: .*bad-allow\.conf:5: .*cpu_quota.*fifty"
expect_eq "allow: no session leaf made for the user" 0 "$(sessions)"

# --- exempt user and root with the good config ---
use_conf "$GOOD"
out=$(iso_ssh isot_e2fx "$probe" </dev/null 2>&1)
expect_match "exempt user logs in" "^IN$" "$out"
expect_nomatch "exempt user: not in our cgroups" ":cpu:/$ROOT" "$out"
expect_line "exempt user: not sandboxed" "pidns=$HOSTNS" "$out"
check "exempt user: no cgroup made" test ! -e "$CPU/$ROOT/user-$(id -u isot_e2fx)"
out=$(iso_ssh root "$probe" </dev/null 2>&1)
expect_nomatch "root (good config): not in our cgroups" ":cpu:/$ROOT" "$out"

# --- the helper SIGKILLed mid-open (and mid-close) ---
# A killer polls the children of our sshd's per-connection [priv]
# processes and SIGKILLs the pam-isolate-helper among them: only helpers
# started for this sshd are ever touched. Modes: "early" kills a helper as
# soon as it has exec'd; "close" does the same for connections that were
# already open when the killer started; "clone" kills it DELAY s after the sandbox holder
# it forked is set up, before it can record the holder in the state dir
# (the window between starting a holder and recording it). It
# prints "killed HELPER children PIDS..." (the children at the kill).
cat >"$ISO_TMP/killer.py" <<'PYEOF'
import os, signal, sys, time
listener, dur, mode, delay = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []
def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""
def ppid(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0
def holders():
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and comm(int(p)) == "isolate-holder"]
before = set(holders())
def holder_ready(h):
    # a new holder has set itself up (it names itself isolate-holder just
    # before it reports ready): its parent is the keeper the helper started
    # (named as the helper), and the helper is about to record it
    return [c for c in holders() if c not in before and comm(ppid(c)) == "pam-isolate-hel"]
killed = set()
# only connections that start after us: a closing helper of an earlier
# one must not keep the "clone" watcher busy
old = set(children(listener))
end = time.time() + dur
while time.time() < end:
    for priv in children(listener):
        # "close": only the connections that were open when we started
        if (priv in old) != (mode == "close"):
            continue
        for h in children(priv):
            if h in killed or comm(h) != "pam-isolate-hel":
                continue
            if mode == "clone":
                # stay on this helper until the holder it started is
                # ready, or until the helper is gone
                while comm(h) == "pam-isolate-hel" and time.time() < end:
                    if holder_ready(h):
                        break
                else:
                    killed.add(h)  # not to look at it again
                    continue
                time.sleep(delay)
            kids = children(h) + (holder_ready(h) if mode == "clone" else [])
            try:
                os.kill(h, signal.SIGKILL)
            except OSError:
                continue
            killed.add(h)
            print("killed", h, "children", *kids, flush=True)
PYEOF
# kill_during MODE DELAY CMD...: runs CMD with the killer armed; sets
# k_rc (CMD's status) and k_n (helpers killed); appends the killer's report
kill_during() {
	local mode=$1 delay=$2 kp
	shift 2
	# armed until CMD is done: at 2% of a CPU, the key exchange alone
	# can take seconds on a slow machine before the session opens
	/usr/bin/python3 "$ISO_TMP/killer.py" "$ISO_SSHD_PID" 60 "$mode" "$delay" >"$ISO_TMP/killer.out" &
	kp=$!
	sleep 0.3
	"$@" </dev/null >"$ISO_TMP/kout" 2>&1
	k_rc=$?
	kill "$kp" 2>/dev/null
	wait $kp
	k_n=$(grep -c '^killed' "$ISO_TMP/killer.out")
	cat "$ISO_TMP/killer.out" >>"$ISO_TMP/killer.all"
}
: >"$ISO_TMP/killer.all"
holders_before=$(pgrep -x isolate-holder | sort)
mkdir "$SLOW" && echo 50000 >"$SLOW/cpu.cfs_period_us" && echo 1000 >"$SLOW/cpu.cfs_quota_us" &&
	echo "$ISO_SSHD_PID" >"$SLOW/cgroup.procs"
check "sshd runs in a 2% cpu cgroup for the fault injection" grep -q ":cpu:/isot_e2f_slow_$$\$" "/proc/$ISO_SSHD_PID/cgroup"
m=$(mark)
killed=0 refused=0 told=0
for i in 1 2 3; do
	kill_during early 0 iso_ssh $U "$probe"
	killed=$((killed + k_n))
	if [ "$k_rc" -ne 0 ]; then
		refused=$((refused + 1))
		grep -q "pam_isolate: cannot set up the session sandbox" "$ISO_TMP/kout" && told=$((told + 1))
	fi
done
echo "     early kills: 3 login attempts, $killed helpers SIGKILLed, $refused logins refused ($told told why)"
expect_eq "the fault was injected: 3 helpers SIGKILLed right after exec" 3 "$killed"
expect_eq "a login whose helper was killed is refused (module default: deny)" 3 "$refused"
expect_eq "and the user is told why" 3 "$told"
check "the module logs the killed helper to syslog" wait_log "$m" "helper .*pam-isolate-helper killed by signal 9" 10

# between the start of the holder and its state file
res=""
hits=0
for d in 0 0 0 0 0 0 0 0; do
	iso_kill_holders $U 2>/dev/null # no sandbox yet: the open must make one
	kill_during clone "$d" iso_ssh $U "$probe"
	res="$res $d:$([ "$k_n" -gt 0 ] && echo killed || echo missed)/rc=$k_rc"
	[ "$k_n" -gt 0 ] && hits=$((hits + 1))
	[ "$hits" -ge 2 ] && break
done
echo "     kills after the holder's clone (delay:outcome/ssh exit):$res"
check "the fault was injected: helpers killed after cloning the holder" grep -q '^killed .* children [0-9]' "$ISO_TMP/killer.all"
sleep 0.5
leaked=""
for p in $(sed -n 's/^killed [0-9]* children //p' "$ISO_TMP/killer.all"); do
	iso_proc_live "$p" || continue
	grep -q ":/$ROOT/" "/proc/$p/cgroup" 2>/dev/null && continue # recorded and placed
	leaked="$leaked $p"
done
echo "     holders left running by the killed helpers:${leaked:- none}"
expect_eq "no holder left running unrecorded by a helper killed after the clone" "" "$leaked"
for p in $leaked; do kill -KILL "$p"; done # ours: the children of the helpers we killed

# mid-close: the helper kept at open to serve the close is killed during
# the session (it waits in sshd's cgroup, no child of [priv]), so the
# module starts a helper for the close; the killer, armed once the
# session is open, kills that one
m=$(mark)
k_kept=0
for i in 1 2; do
	iso_ssh $U 'sleep 1.5' </dev/null >/dev/null 2>&1 &
	sp=$!
	for j in $(seq 1 50); do pgrep -u $U -x sleep >/dev/null && break; sleep 0.1; done
	for p in $(cat "$SLOW/cgroup.procs"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pam-isolate-hel ] && kill -KILL "$p" && k_kept=$((k_kept + 1))
	done
	/usr/bin/python3 "$ISO_TMP/killer.py" "$ISO_SSHD_PID" 4 close 0 >"$ISO_TMP/killer.out" &
	kp=$!
	wait $sp
	wait $kp
	cat "$ISO_TMP/killer.out" >>"$ISO_TMP/killer.all"
	k_close=$((${k_close:-0} + $(grep -c '^killed' "$ISO_TMP/killer.out")))
done
check "the fault was injected: the helpers kept for the close SIGKILLed ($k_kept)" test "$k_kept" -ge 1
check "  ... the module says so, and starts a helper for the close" \
	wait_log "$m" "the helper kept for session [0-9a-f]{16} is gone" 10
check "the fault was injected: closing helpers SIGKILLed (${k_close:-0})" test "${k_close:-0}" -ge 1
check "the module logs the failed close" wait_log "$m" "close of session [0-9a-f]{16} failed" 10
echo "     killer report: $(grep -c '^killed' "$ISO_TMP/killer.all") helpers killed in all"

out=$(iso_ssh $U "$probe" </dev/null 2>&1)
rc=$?
expect_eq "the next login (no killer) works" 0 "$rc"
expect_match "and is confined again" ":cpu:/$ROOT/user-$UID_U/session-" "$out"
expect_nomatch "and sandboxed (not the host's /tmp)" "^host-tmp$" "$out"
# nothing half-made once that session is over
for i in $(seq 1 50); do
	[ "$(iso_live_procs $U)" -eq 0 ] && [ -z "$(iso_holders "$ROOT")" ] && break
	sleep 0.2
done
leaves=$(find /sys/fs/cgroup/*/"$ROOT" -type d -name 'session-*' 2>/dev/null | wc -l)
expect_eq "no session leaf left" 0 "$leaves"
expect_eq "no process of the user left" 0 "$(iso_live_procs $U)"
expect_eq "no holder left in our cgroups" "" "$(iso_holders "$ROOT")"
leaked=""
for p in $(pgrep -x isolate-holder); do
	grep -q "children.* $p\( \|$\)" "$ISO_TMP/killer.all" && continue # counted above
	echo "$holders_before" | grep -qx "$p" && continue
	# another suite's holder sits in that suite's own cgroup_root
	grep -Eq ":/(pam_isolate|isot_[a-z0-9_]+)/user-" "/proc/$p/cgroup" 2>/dev/null &&
		! grep -q ":/$ROOT/" "/proc/$p/cgroup" && continue
	iso_proc_live "$p" && leaked="$leaked $p"
done
expect_eq "no holder leaked outside any cgroup (e.g. killed between clone and cgroup entry)" "" "$leaked"
check "no state file left but the lock" sh -c "! ls /run/pam_isolate/ | grep -q '^user-$UID_U\\..*holder'"

iso_finish
