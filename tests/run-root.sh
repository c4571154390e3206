#!/bin/sh
# Runs the root suites (integration, security) on this machine's cgroup
# layout. The v2 VM lane runs this same script inside the VM.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
for t in tests/integration/test_*.sh tests/security/test_*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	if bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $t"; fi
done
echo
echo "root suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
