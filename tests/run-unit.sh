#!/bin/sh
# Runs every cmocka unit test binary; each prints its own summary.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
# As root, the engine's real-kernel test runs too (cpu and pids only).
[ "$(id -u)" -eq 0 ] && export ISO_REAL_CGROUP=1
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $t"; fi
done
echo
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
