#!/bin/sh
# `make check`: every lane, in order of cost. Each lane prints its own
# summary; this prints the total. Under CI=true nothing may be skipped.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
lane() {
	name=$1
	shift
	echo
	echo "######## $name"
	start=$(date +%s)
	if "$@"; then passed=$((passed + 1)); r=ok; else failed=$((failed + 1)); r=FAILED; fi
	echo "######## $name: $r in $(($(date +%s) - start)) s"
}
lane unit sh tests/run-unit.sh
lane root sh tests/run-root.sh
for extra in tests/run-e2e.sh tests/run-memcheck.sh tests/run-vm-lane.sh tests/run-systemd-lane.sh \
	tests/run-package.sh tests/run-package-vm.sh tests/run-man-lint.sh tests/run-lint.sh; do
	[ -e "$extra" ] && lane "$(basename "$extra" .sh)" sh "$extra"
done
echo
echo "lanes: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
