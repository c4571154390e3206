#!/bin/sh
# Runs the root suites (integration, security) on this machine's cgroup
# layout. The v2 VM lane runs this same script inside the VM, with
# ISO_SUITES naming the suites to run (paths), when not all of them.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
suites=${ISO_SUITES:-$(ls tests/integration/test_*.sh tests/security/test_*.sh 2>/dev/null)}
for t in $suites; do
	[ -e "$t" ] || continue
	echo "== $t"
	if bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $t"; fi
done
echo
echo "root suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
