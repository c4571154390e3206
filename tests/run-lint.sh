#!/bin/sh
# The lint lane of `make check`: tools/lint.sh (cppcheck, clang-tidy,
# clang-format), one result per tool.
set -u
cd "$(dirname "$0")/.." || exit 2
out=$(sh tools/lint.sh 2>&1)
rc=$?
printf '%s\n' "$out"
passed=$(printf '%s\n' "$out" | grep -cE '^lint: [a-z-]+: clean')
failed=$(printf '%s\n' "$out" | grep -cE '^lint: [a-z-]+: FAILED|^lint: .* not found')
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo
echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
