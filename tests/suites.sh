# shellcheck shell=sh
# Shared by the lanes that run suite files one after the other
# (tests/run-root.sh, tests/run-package.sh); POSIX sh, like them.

# run_suites LANE FILE...: runs each existing FILE with bash, then prints
# "LANE: N passed, N failed" (suites, not checks); fails if one failed.
run_suites() {
	lane=$1
	shift
	passed=0
	failed=0
	for t in "$@"; do
		[ -e "$t" ] || continue
		echo "== $t"
		if bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $t"; fi
	done
	echo
	echo "$lane: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
