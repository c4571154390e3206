#!/bin/sh
# The package lane: builds the .deb, installs, enables, purges it on this
# machine (tests/package/test_*.sh, root). Prints the lane's total.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
for t in tests/package/test_*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	if bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $t"; fi
done
echo
echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
