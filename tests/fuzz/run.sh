#!/bin/sh
# `make fuzz`: builds every tests/fuzz/fuzz_*.c as a libFuzzer target
# (clang -fsanitize=fuzzer,address,undefined, UB fatal) and runs each for
# FUZZ_SECONDS (default 60; 20 under CI=true) on its seed corpus
# tests/fuzz/corpus/<name>/ plus a working corpus build/fuzz-corpus/<name>/
# that keeps what earlier runs found. Prints executions/s and total runs
# per target; exits non-zero when a target crashes (the input is kept in
# build/fuzz-artifacts/, replay it with `build/fuzz/<target> <file>`).
#
# A crash fixed later gets its input copied into the seed corpus as a
# regression: every run replays the seeds first.
set -u
cd "$(dirname "$0")/../.." || exit 2
if [ -z "${FUZZ_SECONDS:-}" ]; then
	if [ "${CI:-}" = true ]; then FUZZ_SECONDS=20; else FUZZ_SECONDS=60; fi
fi
CC=${FUZZ_CC:-clang}
FLAGS="-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
-fno-omit-frame-pointer -Icommon -Iconfig -Ihelper"
OUT=build/fuzz
mkdir -p "$OUT" build/fuzz-artifacts

if ! command -v "$CC" >/dev/null; then
	echo "fuzz: $CC not found (make deps)" >&2
	exit 1
fi

# the sources each target needs besides itself
sources() {
	case $1 in
	fuzz_config) echo config/*.c common/iso_err.c ;;
	fuzz_proto) echo "common/proto.c" ;;
	*) echo "" ;;
	esac
}
libs() {
	case $1 in
	fuzz_config) pkg-config --libs libconfuse 2>/dev/null || echo -lconfuse ;;
	*) echo "" ;;
	esac
}

passed=0
failed=0
summary=""
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	seeds=tests/fuzz/corpus/${name#fuzz_}
	work=build/fuzz-corpus/$name
	mkdir -p "$work" "$seeds"
	echo "== $name: build"
	# shellcheck disable=SC2046,SC2086
	if ! $CC $FLAGS "$src" $(sources "$name") -o "$OUT/$name" $(libs "$name"); then
		echo "FAIL $name: does not build"
		failed=$((failed + 1))
		continue
	fi
	echo "== $name: run ${FUZZ_SECONDS} s (seeds: $seeds, $(ls "$seeds" | wc -l) files)"
	log=build/fuzz-artifacts/$name.log
	"$OUT/$name" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -timeout=10 \
		-artifact_prefix=build/fuzz-artifacts/"$name"- "$work" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1)
	line="$name: ${runs:-?} runs, ${eps:-?} execs/s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) files"
	if [ "$rc" -eq 0 ]; then
		echo "ok   $line"
		passed=$((passed + 1))
		summary="$summary
  $line, 0 crashes"
	else
		echo "FAIL $line: exit $rc"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -10 | sed 's/^/     /'
		failed=$((failed + 1))
		summary="$summary
  $line, CRASHED (exit $rc, see $log)"
	fi
done
echo
echo "fuzz (${FUZZ_SECONDS} s per target):$summary"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
