#!/bin/bash
# isolatectl, for real: check-config's messages and exit codes, explain for
# every kind of match, status of live sessions (text and JSON), gc after a
# killed holder and of an idle sandbox. Root only; cpu and pids only.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup
CTL=$ISO_BUILD/isolatectl
[ -x "$CTL" ] || { iso_log "build first: make all"; exit 2; }
iso_install_helper

ROOT=isot_ctl_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_group isot_cgrp
iso_group isot_cgrp2
iso_user isot_ca
iso_user isot_cg -G isot_cgrp2,isot_cgrp
iso_user isot_cd
iso_user isot_cx
iso_user isot_ck
on_exit "iso_kill_holders isot_ca isot_cg isot_cd isot_cx isot_ck"
CPU=$(iso_cg_mount cpu)
UA=$(id -u isot_ca)
UD=$(id -u isot_cd)
UK=$(id -u isot_ck)
RUN=/run/pam_isolate

# run CMD...: OUT, ERR and RC of CMD
run() {
	"$@" >"$ISO_TMP/out" 2>"$ISO_TMP/err"
	RC=$?
	OUT=$(cat "$ISO_TMP/out")
	ERR=$(cat "$ISO_TMP/err")
}
# gone PID: exited (a zombie counts: the host's PID 1 may be slow to reap)
gone() { [ ! -d "/proc/$1" ] || ps -o stat= -p "$1" | grep -q Z; }

CONF=$(iso_conf ctl <<EOF
# isolatectl test config
cgroup_root = "$ROOT"
on_error = deny
exempt_users = { "root", "isot_cx", "nobody" }
default {
    cpu_quota = 20%
    tasks_max = 64
}
group "isot_cgrp" {
    cpu_quota = 40%
}
group "isot_cgrp2" {
    cpu_quota = 45%
    tasks_max = 32
}
user "isot_ca" {
    cpu_quota = 30%
    cpu_weight = 200
}
user "isot_ck" {
    namespaces = { user, pid, mount }
    private_tmp = tmpfs
    on_logout = keep
}
EOF
)
iso_service isot-ctl "$CONF"
H() { "$ISO_HARNESS" isot-ctl "$@"; }

# ---------------------------------------------------------------- usage
run "$CTL" --version
expect_match "--version prints the version, exit 0" "^isolatectl [0-9]+\.[0-9]+\.[0-9]+ \(0\)$" "$OUT ($RC)"
run "$CTL" --help
expect_eq "--help exits 0" 0 "$RC"
expect_match "--help shows the commands" "check-config .*explain .*status .*gc " "$(printf '%s' "$OUT" | tr '\n' ' ')"
run "$CTL"
expect_eq "no command: exit 2" 2 "$RC"
run "$CTL" frobnicate
expect_eq "unknown command: exit 2 and says so" "2 isolatectl: unknown command \"frobnicate\"" "$RC $(echo "$ERR" | head -1)"
run "$CTL" explain
expect_eq "explain without a user: the caller, exit 0" 0 "$RC"
expect_match "explain without a user: the caller (root: exempt)" "^Rule: +root \(always exempt\)" "$OUT"
run "$CTL" status --bogus
expect_eq "unknown option: exit 2" "2 isolatectl: status: unknown option --bogus" "$RC $(echo "$ERR" | head -1)"
run "$CTL" explain --json isot_ca
expect_eq "--json outside status: exit 2" 2 "$RC"

# ---------------------------------------------------------------- check-config
run "$CTL" check-config "$CONF"
expect_eq "check-config: valid file, exit 0" 0 "$RC"
expect_eq "check-config: OK line with rule counts" "$CONF: OK (2 user rules, 2 group rules)" "$OUT"
expect_eq "check-config: nothing on stderr" "" "$ERR"
run "$CTL" check-config -c "$CONF"
expect_eq "check-config -c FILE works too" "$CONF: OK (2 user rules, 2 group rules)" "$OUT"

BAD=$(iso_conf bad <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = fifty
}
EOF
)
run "$CTL" check-config "$BAD"
expect_eq "bad value: exit 1" 1 "$RC"
expect_eq "bad value: file:line, key, value, what is expected" \
	"$BAD:3: cpu_quota: invalid value \"fifty\" (expected a percentage like \"50%\" or \"12.5%\", or \"max\")" "$ERR"
expect_eq "bad value: nothing on stdout" "" "$OUT"

TITLES=$(iso_conf titles <<EOF
group "bad name" { }

user "-x" { }
EOF
)
run "$CTL" check-config "$TITLES"
expect_eq "two bad titles: both reported, in file order" \
	"1 $TITLES:1: invalid group name \"bad name\" in section title (expected 1-32 letters, digits, '_', '.', '-', starting with a letter or '_')
$TITLES:3: invalid user name \"-x\" in section title (expected 1-32 letters, digits, '_', '.', '-', starting with a letter or '_')" "$RC $ERR"

KEY=$(iso_conf key <<EOF
user "isot_ca" {
    bogus = 1
}
EOF
)
run "$CTL" check-config "$KEY"
expect_eq "unknown key: named with its section" "1 $KEY:2: unknown key \"bogus\" in user \"isot_ca\" section" "$RC $ERR"

DUP=$(iso_conf dup <<EOF
user "isot_ca" { cpu_quota = 10% }
# again
user "isot_ca" { cpu_quota = 20% }
EOF
)
run "$CTL" check-config "$DUP"
expect_eq "duplicate section: both lines named" "1 $DUP:3: duplicate user \"isot_ca\" section (first at line 1)" "$RC $ERR"

BRACE=$(iso_conf brace <<EOF
cgroup_root = "$ROOT"
default {
    cpu_quota = 10%
EOF
)
run "$CTL" check-config "$BRACE"
expect_eq "missing brace: the line of the open brace" "1 $BRACE:2: missing closing brace for the '{' on this line" "$RC $ERR"

cp "$CONF" "$ISO_TMP/ww.conf"
chmod 0666 "$ISO_TMP/ww.conf"
run "$CTL" check-config "$ISO_TMP/ww.conf"
expect_eq "a draft where the helper would refuse it: contents checked (exit 0, OK)" \
	"0 $ISO_TMP/ww.conf: OK (2 user rules, 2 group rules)" "$RC $OUT"
expect_eq "... and what the login would say about its location" \
	"$ISO_TMP/ww.conf: warning: at login the helper would refuse it where it is (install it root-owned, not writable by others):
  $ISO_TMP/ww.conf: refusing group/world-writable config (mode 0666)" "$ERR"
printf 'default {\n    memory_max = 2 GB\n}\n' >"$ISO_TMP/ww.conf"
run "$CTL" check-config "$ISO_TMP/ww.conf"
expect_eq "a draft with errors: its errors, then the location (exit 1)" \
	"1 $ISO_TMP/ww.conf:2: memory_max: \"2 GB\": the unit must follow the number with no space (\"2GB\")
$ISO_TMP/ww.conf: warning: at login the helper would refuse it where it is (install it root-owned, not writable by others):
  $ISO_TMP/ww.conf: refusing group/world-writable config (mode 0666)" "$RC $ERR"
run "$CTL" explain -c /nonexistent/isolate.conf root
expect_eq "explain root without a config: root is always exempt" \
	"0 Verdict:     exempt: uid 0 is never confined, whatever the config says" "$RC $(printf '%s' "$OUT" | grep Verdict)"
run "$CTL" explain -c "$CONF" "$UA"
expect_match "explain takes a uid, as status does" "^User: +isot_ca \(uid $UA\)" "$OUT"
ln -s "$CONF" "$ISO_TMP/link.conf"
run "$CTL" check-config "$ISO_TMP/link.conf"
expect_eq "symlinked config refused" "1 $ISO_TMP/link.conf: refusing config that is a symlink: the helper follows no symlink to its config (isolate.conf(5)); install the file itself (a configuration tool can copy it there instead of linking)" "$RC $ERR"
run "$CTL" check-config "$ISO_TMP/none.conf"
expect_eq "missing file" "1 cannot open $ISO_TMP/none.conf: No such file or directory" "$RC $ERR"

WARN=$(iso_conf warn <<EOF
cgroup_root = "$ROOT"
user "isot_nosuchuser" { cpu_quota = 10% }
group "isot_nosuchgroup" { cpu_quota = 10% }
EOF
)
run "$CTL" check-config "$WARN"
expect_eq "unknown user/group: still valid (exit 0, OK)" "0 $WARN: OK (1 user rule, 1 group rule)" "$RC $OUT"
expect_eq "unknown user/group: warnings with file:line" \
	"$WARN:2: warning: no user \"isot_nosuchuser\" on this machine
$WARN:3: warning: no group \"isot_nosuchgroup\" on this machine" "$ERR"

# as a user: a readable file is checked (owner checks still apply)
PUB=$(mktemp -d /run/isot-ctlpub.XXXXXX)
on_exit "rm -rf '$PUB'"
chmod 0755 "$PUB"
install -m 0644 "$CONF" "$PUB/pub.conf"
run runuser -u isot_cd -- "$CTL" check-config "$PUB/pub.conf"
expect_eq "non-root: readable config checked" "0 $PUB/pub.conf: OK (2 user rules, 2 group rules)" "$RC $OUT"
run runuser -u isot_cd -- "$CTL" check-config "$CONF"
expect_eq "non-root: unreadable config: exit 3" 3 "$RC"
expect_match "non-root: says to run as root" "readable by root only: run as root" "$ERR"

# the shipped configs
for f in "$ISO_TOP"/config/isolate.conf "$ISO_TOP"/config/examples/*.conf; do
	[ -e "$f" ] || continue
	install -m 0644 "$f" "$ISO_TMP/ex-$(basename "$f")"
	run "$CTL" check-config "$ISO_TMP/ex-$(basename "$f")"
	expect_match "shipped config valid: ${f#"$ISO_TOP"/}" "^$ISO_TMP/ex-$(basename "$f"): OK " "$OUT$ERR"
done

# the examples in isolate.conf(5) are valid configs
awk -v dir="$ISO_TMP" '/^\.Sh EXAMPLES/ { ex = 1; next } /^\.Sh / { ex = 0 }
	ex && /^\.Bd -literal/ { f = sprintf("%s/man5-example%d.conf", dir, ++n); inb = 1; next }
	inb && /^\.Ed/ { inb = 0; close(f); next }
	inb { sub(/^\\&/, ""); print > f }' "$ISO_BUILD/man/isolate.conf.5"
for f in "$ISO_TMP"/man5-example*.conf; do
	[ -e "$f" ] || { fail "isolate.conf(5) has examples"; break; }
	chmod 0644 "$f"
	run "$CTL" check-config "$f"
	expect_match "isolate.conf(5) example valid: $(basename "$f")" "^$f: OK " "$OUT$ERR"
done

# ---------------------------------------------------------------- explain
# tmp_size under a disk /tmp: it still sizes a private /dev/shm
for shm in yes no; do
	TC=$(iso_conf "tmpdisk-$shm" <<EOF
default {
    namespaces = { mount }
    private_tmp = disk
    private_shm = $shm
    tmp_size = 1G
}
EOF
)
	run "$CTL" explain -c "$TC" isot_ca
	cc=$("$CTL" check-config "$TC" 2>&1)
	if [ "$shm" = yes ]; then
		expect_match "explain: tmp_size with disk and private_shm sizes /dev/shm" \
			"tmp_size +1G.*sizes /dev/shm only" "$OUT"
		expect_nomatch "  ... and check-config does not call it unused" "tmp_size applies" "$cc"
	else
		expect_match "explain: tmp_size with disk and no private_shm is unused" \
			"tmp_size +1G.*unused: private_tmp = disk has no size" "$OUT"
		expect_match "  ... and check-config warns" \
			"warning: default: tmp_size applies to private_tmp = tmpfs and private_shm only" "$cc"
	fi
done
run "$CTL" explain -c "$CONF" isot_ca
expect_eq "explain (user rule): exit 0" 0 "$RC"
expect_match "explain (user rule): rule and line" "Rule: +user isot_ca \(line 16\)" "$OUT"
expect_match "explain (user rule): verdict" "Verdict: +confined: each session joins the user cgroup" "$OUT"
expect_match "explain (user rule): key from the user section" "cpu_quota +30% +user isot_ca \(line 16\)" "$OUT"
expect_match "explain (user rule): key from the default" "tasks_max +64 +default \(line 5\)" "$OUT"
expect_match "explain (user rule): built-in period" "cpu_period +100ms +built-in" "$OUT"
expect_match "explain (user rule): unmanaged memory" "memory_max +not set +not set anywhere: not managed" "$OUT"
expect_match "explain: cpu controller needed and available" "  cpu +[^ ]+ +needed +available" "$OUT"
expect_match "explain: memory not needed" "  memory +[^ ]+ +not needed" "$OUT"
expect_match "explain: the user cgroup path" "user cgroup +$CPU/$ROOT/user-$UA" "$OUT"
expect_match "explain: on_error" "When setting up a session fails \(on_error = deny\)" "$OUT"
expect_match "explain: per-class failure policy" "on_cgroup_error +deny \(the login is refused\)" "$OUT"
expect_match "explain: every service (no services key)" "^Services: +all \(no services key\)$" "$OUT"
expect_match "explain: the new section keys are shown" "session_max_time +max +built-in" "$OUT"

run "$CTL" explain isot_cg -c "$CONF"
expect_match "explain (group rule): first group section in file order" "Rule: +group isot_cgrp \(line 9\)" "$OUT"
expect_match "explain (group rule): the used section" "isot_cgrp +line 9 +used" "$OUT"
expect_match "explain (group rule): the later one named as unused" \
	"isot_cgrp2 +line 12 +not used: an earlier group section matched" "$OUT"
expect_match "explain (group rule): cpu_quota from the group" "cpu_quota +40% +group isot_cgrp \(line 9\)" "$OUT"
expect_match "explain (group rule): tasks_max from the default, not the later group" \
	"tasks_max +64 +default \(line 5\)" "$OUT"

run "$CTL" explain -c "$CONF" isot_cd
expect_match "explain (default)" "Rule: +default \(line 5\)" "$OUT"
expect_match "explain (default): cpu_quota" "cpu_quota +20% +default \(line 5\)" "$OUT"

run "$CTL" explain -c "$CONF" isot_cx
expect_match "explain (exempt user)" "Rule: +exempt user isot_cx" "$OUT"
expect_match "explain (exempt user): verdict" "Verdict: +exempt: listed in exempt_users" "$OUT"

run "$CTL" explain -c "$CONF" root
expect_eq "explain (root): exit 0" 0 "$RC"
expect_match "explain (root): always exempt" "Rule: +root \(always exempt\)" "$OUT"
expect_match "explain (root): verdict" "Verdict: +exempt: uid 0 is never confined" "$OUT"

run "$CTL" explain -c "$CONF" isot_ck
expect_match "explain (sandbox): namespaces" "namespaces +user pid mount +user isot_ck \(line 20\)" "$OUT"
expect_match "explain (sandbox): private_tmp" "private_tmp +tmpfs +user isot_ck" "$OUT"
expect_match "explain (sandbox): on_logout" "on_logout +keep +user isot_ck" "$OUT"

EXG=$(iso_conf exg <<EOF
cgroup_root = "$ROOT"
exempt_groups = { "isot_cgrp" }
EOF
)
run "$CTL" explain -c "$EXG" isot_cg
expect_match "explain (exempt group)" "Rule: +exempt group isot_cgrp" "$OUT"
NEG=$(iso_conf neg <<EOF
cgroup_root = "$ROOT"
services = { "sshd", "isot-ctl" }
exempt_groups = { "isot_cgrp", "!isot_cgrp2" }
default { cpu_quota = 10% }
EOF
)
run "$CTL" explain -c "$NEG" isot_cg
expect_match "explain (\"!group\" un-exempts): confined" "Rule: +default \(line 4\)" "$OUT"
expect_match "explain (\"!group\" un-exempts): says which entry" "the entry \"!isot_cgrp2\" keeps isot_cg confined" "$OUT"
expect_match "explain (services): the list" "^Services: +sshd, isot-ctl only" "$OUT"
run "$CTL" explain -c "$NEG" daemon
expect_match "explain (uid below min_uid)" "Rule: +uid 1 below min_uid 1000" "$OUT"
expect_match "explain (uid below min_uid): verdict" "Verdict: +exempt: uid 1 is below min_uid 1000" "$OUT"
run "$CTL" explain -c "$EXG" isot_cd
expect_match "explain (no default section): built-in" "Rule: +built-in default" "$OUT"
expect_match "explain (nothing set): nothing to do" "Verdict: +nothing to do" "$OUT"

# the PAM services: the modules around pam_isolate (pam_isolate(8),
# STACK PLACEMENT): what must come before, what may follow
cat >/etc/pam.d/isot-ctl-bad <<EOF
session  required $ISO_MODULE conf=$CONF
session  optional pam_permit.so
session  required pam_loginuid.so
session  optional pam_isot_unknown.so
EOF
cat >/etc/pam.d/isot-ctl-ok <<EOF
session  required pam_loginuid.so
session  optional pam_systemd.so
session  required $ISO_MODULE conf=$CONF
session  optional pam_motd.so motd=/run/motd.dynamic
session  optional pam_motd.so noupdate
session  required pam_limits.so
session  required pam_env.so
EOF
on_exit "rm -f /etc/pam.d/isot-ctl-bad /etc/pam.d/isot-ctl-ok"
run "$CTL" explain -c "$CONF" isot_cd
expect_match "explain: a service with pam_isolate last" "^  isot-ctl +ok; last in the session stack; arguments: conf=$CONF$" "$OUT"
expect_match "explain: Debian's sshd order passes (motd, limits, env may follow)" \
	"^  isot-ctl-ok +ok; after it: pam_motd.so, pam_motd.so, pam_limits.so, pam_env.so; arguments: conf=$CONF$" "$OUT"
expect_match "explain: pam_motd without noupdate is a note" \
	"^ +note: pam_motd.so after pam_isolate runs /etc/update-motd.d as root inside the user's sandbox" "$OUT"
expect_match "explain: pam_loginuid after it is an error" \
	"^  isot-ctl-bad +ERROR; after it: pam_permit.so, pam_loginuid.so, pam_isot_unknown.so; arguments: conf=$CONF$" "$OUT"
expect_match "explain: says why pam_loginuid must come before" \
	"^ +error: pam_loginuid.so after pam_isolate: it must come before \(it writes /proc/self/loginuid" "$OUT"
expect_match "explain: an unknown module after it is a note without a pid namespace" \
	"^ +note: pam_isot_unknown.so after pam_isolate is not one isolatectl knows" "$OUT"
expect_nomatch "explain: pam_permit after it is fine" "(error|warning|note): pam_permit" "$OUT"
run "$CTL" explain -c "$CONF" isot_ck
expect_match "explain: an unknown module after it is a warning under a pid namespace (no /proc/self)" \
	"^ +warning: pam_isot_unknown.so after pam_isolate is not one isolatectl knows to be safe there: with a pid-namespace sandbox" "$OUT"
rm -f /etc/pam.d/isot-ctl-bad /etc/pam.d/isot-ctl-ok

# a controller the rule needs and the machine lacks: on v1, hide the
# memory hierarchy in a private mount namespace (the host keeps it)
if ! iso_is_v2; then
	MEM=$(iso_conf mem <<EOF
cgroup_root = "$ROOT"
on_cgroup_error = allow
default { memory_max = 1G }
EOF
)
	run unshare -m --propagation private sh -c "umount $(iso_cg_mount memory) && $CTL explain -c $MEM isot_cd"
	expect_match "explain (missing controller): flagged" "  memory +- +needed +MISSING: sessions would fail" "$OUT"
	expect_match "explain (missing controller): what on_cgroup_error makes of it" \
		"Verdict: +FAILS on this machine: a needed controller is missing; on_cgroup_error = allow: the login goes on unconfined" "$OUT"
fi

# the cgroup backend: this machine runs no systemd; a private /run with
# /run/systemd/system makes it look as if it did (sd_booted's test)
run "$CTL" explain -c "$CONF" isot_cd
expect_match "explain (backend): cgroupfs without systemd" \
	"backend +cgroupfs \(cgroup_backend = auto; systemd does not run as init here\)" "$OUT"
SDC=$(iso_conf sd <<EOF
cgroup_root = "$ROOT"
cgroup_backend = systemd
default { cpu_quota = 10% }
EOF
)
if [ ! -d /run/systemd/system ]; then
	run "$CTL" explain -c "$SDC" isot_cd
	expect_match "explain (backend = systemd without systemd): fails" \
		"Verdict: +FAILS on this machine: cgroup_backend = systemd, but systemd does not run as init; on_cgroup_error = deny" "$OUT"
	run unshare -m --propagation private sh -c "mount -t tmpfs -o mode=0755 none /run &&
		mkdir -p /run/systemd/system && cat >/run/c.conf && $CTL explain -c /run/c.conf isot_cd" <"$CONF"
	expect_match "explain (backend): systemd for sessions in a logind slice (auto)" \
		"backend +systemd for sessions pam_systemd placed \(auto\): the limits go on user-$UD.slice" "$OUT"
fi

run "$CTL" explain -c "$CONF" isot_nosuchuser
expect_eq "explain (unknown user): exit 1" "1 isolatectl: explain: isot_nosuchuser: no such user" "$RC $ERR"
run "$CTL" explain -c "$BAD" isot_ca
expect_eq "explain (invalid config): exit 1 with file:line" 1 "$RC"
expect_match "explain (invalid config): the error" "^$BAD:3: cpu_quota" "$ERR"
check "explain is a dry run: no cgroup made" test ! -e "$CPU/$ROOT"

# ---------------------------------------------------------------- status
H isot_ca sh -c 'sleep 3' >/dev/null 2>&1 &
sess=$!
live_leaf() { grep -qs . "$CPU/$ROOT/user-$UA"/session-*/cgroup.procs; }
check "a session is running" wait_for 10 live_leaf
run "$CTL" status -c "$CONF" isot_ca
expect_eq "status: exit 0" 0 "$RC"
expect_match "status: the user and its live session" "^isot_ca \(uid $UA\): 1 live session\(s\)$" "$OUT"
expect_match "status: the cgroup path" "cgroup +$CPU/$ROOT/user-$UA$" "$OUT"
expect_match "status: the session leaf and its processes" "session-[0-9a-f]{16} +[1-9][0-9]* process" "$OUT"
if iso_is_v2; then
	expect_match "status: quota and usage" "quota 30.00% of one CPU \(30000 us per 100000 us\); used [0-9.]+ s" "$OUT"
else
	expect_match "status: quota (v1: no usage without cpuacct)" \
		"quota 30.00% of one CPU \(30000 us per 100000 us\); usage n/a" "$OUT"
fi
expect_match "status: tasks vs limit" "tasks +[1-9][0-9]* of 64" "$OUT"
expect_match "status: memory not managed" "memory +not managed" "$OUT"

"$CTL" status -c "$CONF" --json isot_ca >"$ISO_TMP/st.json" 2>"$ISO_TMP/err"
expect_eq "status --json: exit 0" 0 "$?"
check "status --json: valid JSON (python3 -m json.tool)" python3 -m json.tool "$ISO_TMP/st.json" /dev/null
out=$(python3 - "$ISO_TMP/st.json" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
u = d["users"][0]
s = [l for l in u["leaves"] if l["kind"] == "session"]
print(d["format"], d["config_ok"], len(d["users"]), u["uid"], u["user"], u["live_sessions"],
      len(s), bool(re.fullmatch("[0-9a-f]{16}", s[0]["session_id"])), s[0]["processes"] > 0,
      u["cpu"]["quota_usec"], u["cpu"]["period_usec"], u["tasks"]["max"],
      u["tasks"]["current"] > 0, u["memory"], u["sandboxes"], d["cgroup_root"])
EOF
)
expect_eq "status --json: fields" "1 True 1 $UA isot_ca 1 1 True True 30000 100000 64 True None [] $ROOT" "$out"
wait $sess
expect_eq "the session ended normally" 0 "$?"

run "$CTL" status -c "$CONF" isot_cd
expect_eq "status of a user with nothing live" "0 nothing live for this user" "$RC $(echo "$OUT" | sed -n 2p)"
run "$CTL" status -c "$CONF" isot_nosuchuser
expect_eq "status of an unknown user: exit 1" 1 "$RC"
run runuser -u isot_cd -- "$CTL" status -c "$PUB/pub.conf"
expect_eq "status as non-root: their own, exit 0" "0 nothing live for this user" "$RC $(echo "$OUT" | sed -n 2p)"
expect_match "status as non-root: their rule from the 0644 config" "^  rule +default" "$OUT"
run runuser -u isot_cd -- "$CTL" status -c "$PUB/pub.conf" isot_ca
expect_eq "status of another user as non-root: exit 3, says why" \
	"3 isolatectl: status: another user's status needs root (you may see your own: isolatectl status)" "$RC $ERR"

# a sandboxed session: holder pid and processes inside
H isot_ck sh -c 'sleep 3' >/dev/null 2>&1 &
sess=$!
check "a sandboxed session is running" wait_for 10 test -s "$RUN/user-$UK.user.holder"
check "its shell is in the session leaf" wait_for 10 grep -qs . "$CPU/$ROOT/user-$UK"/session-*/cgroup.procs
hp=$(cut -d' ' -f1 "$RUN/user-$UK.user.holder")
run "$CTL" status -c "$CONF" isot_ck
expect_match "status: the holder pid and processes in the sandbox" \
	"sandbox +user: holder pid $hp, [1-9][0-9]* process\(es\) inside, cgroup leaf holder" "$OUT"
"$CTL" status --json -c "$CONF" isot_ck >"$ISO_TMP/sb.json"
out=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["users"][0]["sandboxes"][0]; print(s["key"], s["holder_pid"], s["alive"], s["processes"] > 0, s["leaf"])' "$ISO_TMP/sb.json")
expect_eq "status --json: the sandbox" "user $hp True True holder" "$out"
wait $sess

# ---------------------------------------------------------------- gc
run runuser -u isot_cd -- "$CTL" gc -c "$PUB/pub.conf"
expect_eq "gc as non-root: exit 3" "3 isolatectl: gc needs root" "$RC $ERR"

# keep: a process outlives the session, so the sandbox stays ...
H isot_ck sh -c 'setsid sleep 300 </dev/null >/dev/null 2>&1 &' >/dev/null 2>&1
hp=$(cut -d' ' -f1 "$RUN/user-$UK.user.holder" 2>/dev/null)
check "keep: the holder outlives the session" test -n "$hp" -a -d "/proc/$hp"
check "keep: and the sleep in it runs" wait_for 10 pgrep -u isot_ck -x sleep
# its mount namespace's marker, and a forged one naming its record
ino=$(stat -L -c %i "/proc/$hp/ns/mnt")
expect_eq "keep: the marker of the holder's mount namespace names its record" \
	"user-$UK.user.holder" "$(readlink "$RUN/mntns-$ino")"
ln -s "user-$UK.user.holder" "$RUN/mntns-4026999993"
on_exit "rm -f $RUN/mntns-402699999*"
run "$CTL" gc -c "$CONF" isot_ck
expect_eq "gc leaves a sandbox with a process in it alone (only a marker its record does not back goes)" \
	"0 removed stale marker $RUN/mntns-4026999993 (its record is another sandbox's)" "$RC $OUT"
check "and the holder still runs" test -d "/proc/$hp"
check "and its marker stays" test -L "$RUN/mntns-$ino"
# ... until its holder is killed: the kernel kills the pid namespace.
# Its keeper (the holder's parent) would tidy up after it: kill that
# first, as a crash or an admin's kill -9 would, to leave a stale record.
kill -KILL "$(awk '{ sub(/^.*\) /, ""); print $2 }' /proc/"$hp"/stat)"
kill -KILL "$hp"
check "the holder and its processes are gone" wait_for 10 iso_no_procs isot_ck
run "$CTL" status -c "$CONF" isot_ck
expect_match "status shows the stale record" "STALE record user-$UK.user.holder \(holder pid $hp is gone" "$OUT"
run "$CTL" gc -c "$CONF" isot_ck
expect_eq "gc after a killed holder: exit 0" 0 "$RC"
expect_match "gc: removed the stale record" \
	"^removed stale holder record $RUN/user-$UK.user.holder \(holder pid $hp is gone\)$" "$OUT"
expect_match "gc: removed the holder leaf" "^removed empty leaf $CPU/$ROOT/user-$UK/holder$" "$OUT"
expect_match "gc: removed the session leaf (a leftover job's, once closed)" "^removed empty leaf $CPU/$ROOT/user-$UK/(session|left)-[0-9a-f]{16}$" "$OUT"
expect_match "gc: removed the user cgroup" "^removed empty cgroup $CPU/$ROOT/user-$UK$" "$OUT"
expect_match "gc: removed the lock file" "^removed lock file $RUN/user-$UK.lock$" "$OUT"
check "gc: no record left" test ! -e "$RUN/user-$UK.user.holder"
check "gc: no cgroup left" test ! -e "$CPU/$ROOT/user-$UK"
check "gc: no lock file left" test ! -e "$RUN/user-$UK.lock"
run "$CTL" gc -c "$CONF" isot_ck
expect_eq "gc again: nothing to clean up" "0 nothing to clean up" "$RC $OUT"

# an idle sandbox (keep, its last process killed from outside) is stopped
H isot_ck sh -c 'setsid sleep 300 </dev/null >/dev/null 2>&1 &' >/dev/null 2>&1
hp=$(cut -d' ' -f1 "$RUN/user-$UK.user.holder" 2>/dev/null)
# the session returned at once: its sleep may not be exec'd yet
check "the sandbox's sleep runs" wait_for 10 pgrep -u isot_ck -x sleep
pkill -KILL -u isot_ck -x sleep
check "the sandbox's last process is gone" wait_for 10 iso_no_procs isot_ck
run "$CTL" gc -c "$CONF" isot_ck
expect_match "gc: stopped the idle sandbox" \
	"^stopped idle sandbox of uid $UK \(holder pid $hp, nothing left inside\)$" "$OUT"
check "gc: the holder is gone" wait_for 10 gone "$hp"
check "gc: and its cgroup" test ! -e "$CPU/$ROOT/user-$UK"

# leftovers made by hand: an empty session leaf, a half-written record, a
# record naming a live process that is not a holder (a recycled pid)
mkdir -p "$CPU/$ROOT/user-$UD/session-0123456789abcdef"
echo "$$ 1" >"$RUN/user-$UD.user.holder"
echo "1 1" >"$RUN/user-$UD.user.holder.new"
# ... and markers of mount namespaces: one whose record is gone with it
# (above), one half-written, and one of another user that a gc of isot_cd
# must not touch
ln -s "user-$UD.user.holder" "$RUN/mntns-4026999991"
ln -s "user-$UD.user.holder" "$RUN/mntns-4026999992.new"
ln -s "user-$UK.user.holder" "$RUN/mntns-4026999994"
run "$CTL" status -c "$CONF" isot_cd
expect_match "status: a recycled pid is not taken for a holder" "STALE record user-$UD.user.holder \(holder pid $$ is gone" "$OUT"
expect_match "status: the empty leaf is flagged" "session-0123456789abcdef +0 process\(es\), empty: gc removes it" "$OUT"
run "$CTL" gc -c "$CONF" isot_cd
expect_eq "gc of hand-made leftovers" "0 removed stale holder record $RUN/user-$UD.user.holder (holder pid $$ is gone)
removed half-written record $RUN/user-$UD.user.holder.new
removed empty leaf $CPU/$ROOT/user-$UD/session-0123456789abcdef
removed empty cgroup $CPU/$ROOT/user-$UD" "$RC $(printf '%s\n' "$OUT" | grep -v marker)"
check "gc did not signal the recycled pid (this test is alive)" kill -0 $$
expect_eq "gc: removed the markers no record backs, said why" \
"removed stale marker $RUN/mntns-4026999991 (its record is gone)
removed stale marker $RUN/mntns-4026999992.new (half-written)" \
	"$(printf '%s\n' "$OUT" | grep marker | sort)"
check "gc of isot_cd: another user's marker stays" test -L "$RUN/mntns-4026999994"
run "$CTL" gc -c "$CONF"
expect_match "gc of all: and now it goes" "^removed stale marker $RUN/mntns-4026999994 \(its record is gone\)$" "$OUT"
check "gc: no marker of ours left" sh -c "! ls $RUN | grep -q '^mntns-402699999'"

# gc never touches a live session
H isot_ca sh -c 'sleep 2' >/dev/null 2>&1 &
sess=$!
check "a session is running" wait_for 10 live_leaf
run "$CTL" gc -c "$CONF" isot_ca
expect_nomatch "gc leaves a live session alone" "removed|stopped" "$OUT"
wait $sess
expect_eq "the session ended normally after gc" 0 "$?"

# ---------------------------------------------------------------- valgrind
vg() { valgrind -q --log-file="$ISO_TMP/vg" --leak-check=full --error-exitcode=99 "$@" >/dev/null 2>&1; }
if command -v valgrind >/dev/null; then
	for args in "check-config $CONF" "check-config $TITLES" "explain -c $CONF isot_cg" \
		"explain -c $CONF root" "status -c $CONF" "status --json -c $CONF" "gc -c $CONF isot_cd"; do
		# shellcheck disable=SC2086
		vg "$CTL" $args
		rc=$?
		# valgrind's own errors are "==PID==" lines ("--PID--" ones are
		# notes about the binary, e.g. one rebuilt while a VM reads it)
		if [ "$rc" -ne 99 ] && ! grep -q '^==[0-9]*==' "$ISO_TMP/vg"; then
			pass "valgrind clean: isolatectl ${args//$ISO_TMP\//}"
		else
			fail "valgrind clean: isolatectl $args" "$(head -30 "$ISO_TMP/vg")"
		fi
	done
else
	skip "valgrind" "not installed (make deps)"
fi

iso_finish
