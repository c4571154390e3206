#!/bin/sh
# Lints the man pages: each must pass `mandoc -T lint -W warning`,
# `groff -ww -z` (mdoc or man macros, as the page is written) and
# `man --warnings -l` (where man-db is installed) with no message at all,
# and render with mandoc. Needs mandoc and groff-base
# (make deps); without them the lane fails under CI=true and is skipped
# otherwise.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
for tool in mandoc groff; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		if [ "${CI:-}" = true ]; then
			echo "FAIL man-lint: $tool not installed (make deps)"
			echo "man-lint: 0 passed, 1 failed"
			exit 1
		fi
		echo "skip man-lint: $tool not installed (make deps)"
		echo "man-lint: 0 passed, 0 failed"
		exit 0
	fi
done
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT INT TERM
# the pages as built (make): man/*.in with the install paths filled in
for page in build/man/*.[1-9]; do
	[ -e "$page" ] || continue
	if grep -q '^\.Dd' "$page"; then macros=-mdoc; else macros=-man; fi
	problems=""
	# lint PROBLEM CMD...: CMD must succeed and print nothing
	lint() {
		name=$1
		shift
		if ! "$@" >"$tmp" 2>&1 || [ -s "$tmp" ]; then
			problems="$problems $name"
			sed 's/^/     /' "$tmp"
		fi
	}
	lint mandoc-lint mandoc -T lint -W warning "$page"
	lint groff groff -ww -z "$macros" "$page"
	# shellcheck disable=SC2016 # $1 is for the inner shell
	lint render sh -c 'mandoc -T utf8 "$1" >/dev/null' sh "$page"
	# what `man -l` shows an admin, with groff's warnings on
	if command -v man >/dev/null 2>&1; then
		# shellcheck disable=SC2016
		lint man-l sh -c 'MANWIDTH=80 man --warnings -l "$1" >/dev/null' sh "$page"
	fi
	# The section in the file name is the one in .Dt/.TH.
	sect=${page##*.}
	grep -Eq "^\.(Dt|TH) [^ ]+ \"?$sect\"?( |$)" "$page" || problems="$problems section"
	if [ -z "$problems" ]; then
		passed=$((passed + 1))
		echo "ok   $page"
	else
		failed=$((failed + 1))
		echo "FAIL $page:$problems"
	fi
done
echo
echo "man-lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
