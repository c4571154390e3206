#!/bin/sh
# The e2e lane (tests/e2e): real logins through sshd on 127.0.0.1, su and
# login. Root only; under CI=true a non-root run is a failure. Installs this
# tree once with `make install` into a temporary PREFIX (uninstalled at
# exit), runs every tests/e2e/test_*.sh, checks that they left nothing
# behind, and prints "e2e: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "e2e: needs root (CI=true: this is a failure)"
		echo "e2e: 0 passed, 1 failed"
		exit 1
	fi
	echo "e2e: skipped (needs root): 1 skipped"
	echo "e2e: 0 passed, 0 failed"
	exit 0
fi
[ -e build/pam_isolate.so ] || make -s all >/dev/null || exit 2

PFX=$(mktemp -d /run/isot-e2e-prefix.XXXXXX) || exit 2
chmod 0755 "$PFX"
mk() { make -C "${ISO_E2E_SRC:-$TOP}" -s -j"$(nproc)" B="$PFX/build" PREFIX="$PFX" \
	PAMDIR="$PFX/lib/security" SYSCONFDIR="$PFX/etc" "$@"; }
cleanup() { mk uninstall >/dev/null 2>&1; rm -rf "$PFX"; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
start=$(date +%s)
if ! mk all install >"$PFX/make.log" 2>&1; then
	tail -30 "$PFX/make.log"
	echo "e2e: make install into a temporary PREFIX failed"
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi
echo "e2e: installed this tree into $PFX ($(($(date +%s) - start)) s)"
export ISO_E2E_PREFIX="$PFX"

passed=0 failed=0 skipped=0 bad=""
for t in tests/e2e/test_*.sh; do
	[ -e "$t" ] || continue
	echo
	echo "== $t"
	t0=$(date +%s)
	bash "$t" >"$PFX/out" 2>&1
	rc=$?
	cat "$PFX/out"
	name=$(basename "$t" .sh)
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$" "$PFX/out" | tail -1)
	if [ -n "$line" ]; then
		set -- $line
		passed=$((passed + $2))
		failed=$((failed + $4))
		skipped=$((skipped + $6))
	fi
	if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
		[ -z "$line" ] && failed=$((failed + 1)) # died before its summary
		bad="$bad $name"
	fi
	echo "== $t: exit $rc in $(($(date +%s) - t0)) s"
done

# Nothing of ours may be left on the host.
left=""
[ -e /etc/pam.d/isot-sshd ] && left="$left /etc/pam.d/isot-sshd"
[ -e /usr/local/sbin/isot-sshd ] && left="$left /usr/local/sbin/isot-sshd"
u=$(getent passwd | cut -d: -f1 | grep '^isot_e2' | tr '\n' ' ')
[ -n "$u" ] && left="$left users:$u"
cg=$(ls -d /sys/fs/cgroup/*/isot_e2* 2>/dev/null | tr '\n' ' ')
[ -n "$cg" ] && left="$left cgroups:$cg"
ss -ltn 'sport = :2222' 2>/dev/null | grep -q LISTEN && left="$left port-2222-listener"
r=$(ls -d /run/isot-keys.* /run/isot-pub.* 2>/dev/null | tr '\n' ' ')
[ -n "$r" ] && left="$left $r"
echo
if [ -n "$left" ]; then
	echo "FAIL e2e left behind:$left"
	failed=$((failed + 1))
else
	echo "ok   e2e left nothing behind (PAM files, sshd link, users, cgroups, port 2222, key dirs)"
	passed=$((passed + 1))
fi
[ -n "$bad" ] && echo "failed suites:$bad"
echo "e2e: $skipped skipped, $(($(date +%s) - start)) s"
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$bad" ]
