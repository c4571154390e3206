#!/bin/sh
# Runs every cmocka unit test binary; each prints its own summary.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $t"; fi
done
echo
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
