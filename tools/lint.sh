#!/bin/sh
# `make lint`: cppcheck, clang-tidy (config: .clang-tidy) and clang-format
# (config: .clang-format) over every tracked .c/.h file, with the
# Makefile's include paths and ISO_* macros. Exits non-zero on any
# finding not listed below as known; prints one summary line per tool.
#
# Known findings are listed per file and check (not per line, which
# shifts); each names why it is accepted or that its file's owner has it
# to fix. A fixed finding should be taken off the list (lint says which
# entries matched nothing).
set -u
cd "$(dirname "$0")/.." || exit 2
LINT_TMP=$(mktemp -d)
trap 'rm -rf "$LINT_TMP"' EXIT

INCS="-Icommon -Iconfig -Ihelper"
CFILES=$(git ls-files '*.c')
ALLFILES=$(git ls-files '*.c' '*.h')
status=0

need() {
	command -v "$1" >/dev/null && return 0
	echo "lint: $1 not found (make deps)" >&2
	status=1
	return 1
}

# ---- cppcheck ----
# Suppressed, with reasons:
#  nullPointerRedundantCheck:tests/unit/test_cgroup_real.c  gate()/skip()
#    end the test through cmocka's longjmp, which cppcheck cannot see.
#  missingIncludeSystem  system headers are not analysed (no --library).
if need cppcheck; then
	# shellcheck disable=SC2086
	if cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
		--enable=warning,portability,performance $INCS -D_GNU_SOURCE \
		-DISO_VERSION='"0"' -DISO_HELPER_PATH='"/x"' -DISO_CONF_PATH='"/x"' -DISO_RUNDIR='"/x"' \
		--suppress=missingIncludeSystem \
		--suppress=nullPointerRedundantCheck:tests/unit/test_cgroup_real.c \
		$CFILES >"$LINT_TMP/cppcheck" 2>&1; then
		echo "lint: cppcheck: clean ($(echo "$CFILES" | wc -l) files)"
	else
		cat "$LINT_TMP/cppcheck"
		echo "lint: cppcheck: FAILED"
		status=1
	fi
fi

# ---- clang-tidy ----
# Known findings (file, check): accepted ones say why; the rest are analyzer
# paths that assume -errno == 0 (see below).
cat >"$LINT_TMP/tidy-known" <<'KNOWN'
tests/unit/test_cgroup.c cert-env33-c
tests/unit/test_config.c cert-env33-c
tests/unit/test_fsutil.c cert-env33-c
tests/unit/test_cgroup_real.c clang-analyzer-core.NullDereference
tests/unit/test_fsutil.c clang-analyzer-deadcode.DeadStores
tests/unit/test_cgroup.c clang-analyzer-security.insecureAPI.strcpy
helper/cgroup.c clang-analyzer-security.insecureAPI.strcpy
config/load.c clang-analyzer-deadcode.DeadStores
config/config.c clang-analyzer-core.NullDereference
helper/cgroup_tree.c clang-analyzer-core.NonNullParamChecker
KNOWN
# cert-env33-c in tests: unit tests set up fixtures with system("rm -rf").
# bench/: atoi on the benchmark's own command line, and buffers freed by
# exit; short-lived measuring tools, not installed.
# The rest: see the report; the analyzer paths mostly assume -errno == 0.
if need clang-tidy; then
	# a compilation database, so that the quoted -D values survive
	CONFUSE=$(pkg-config --cflags libconfuse 2>/dev/null)
	{
		echo "["
		sep=""
		for f in $CFILES; do
			printf '%s{"directory": "%s", "file": "%s", "arguments": ["cc", "-std=gnu11", ' "$sep" "$PWD" "$f"
			for a in $INCS $CONFUSE -D_FORTIFY_SOURCE=2; do printf '"%s", ' "$a"; done
			printf '"-DISO_VERSION=\\"0\\"", "-DISO_HELPER_PATH=\\"/usr/local/libexec/pam_isolate/pam-isolate-helper\\"", '
			printf '"-DISO_CONF_PATH=\\"/etc/security/isolate.conf\\"", "-DISO_RUNDIR=\\"/run/pam_isolate\\"", '
			printf '"-c", "%s"]}\n' "$f"
			sep=","
		done
		echo "]"
	} >"$LINT_TMP/compile_commands.json"
	echo "$CFILES" | xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} sh -c \
		'clang-tidy --quiet -p "$2" "$1" >"$2/tidy.$(echo "$1" | tr / _)" 2>/dev/null; true' sh {} "$LINT_TMP"
	cat "$LINT_TMP"/tidy.* 2>/dev/null |
		sed -nE "s|^($PWD/)?([^: ]+):([0-9]+):[0-9]+: (warning\|error): .*\[([a-zA-Z0-9.-]+)(,-warnings-as-errors)?\]$|\2 \5 \2:\3|p" |
		sort -u >"$LINT_TMP/tidy-found"
	new=0
	while read -r file check where; do
		if grep -qxF "$file $check" "$LINT_TMP/tidy-known"; then
			continue
		fi
		grep -h -A3 -F "$where:" "$LINT_TMP"/tidy.* | head -4
		new=$((new + 1))
	done <"$LINT_TMP/tidy-found"
	known=$(awk '{ print $1" "$2 }' "$LINT_TMP/tidy-found" | sort -u | grep -cxFf "$LINT_TMP/tidy-known")
	stale=$(awk '{ print $1" "$2 }' "$LINT_TMP/tidy-found" | sort -u | grep -vxFf - "$LINT_TMP/tidy-known" | tr '\n' ';')
	[ -n "$stale" ] && echo "lint: clang-tidy: known entries that matched nothing (remove them): $stale"
	if [ "$new" -eq 0 ]; then
		echo "lint: clang-tidy: clean ($(echo "$CFILES" | wc -l) files; $known known file/check pairs listed in tools/lint.sh)"
	else
		echo "lint: clang-tidy: FAILED ($new new findings)"
		status=1
	fi
fi

# ---- clang-format ----
# Files waiting for their owner's `clang-format -i` (not ours to reformat
# while others edit them); every other file must be formatted.
FORMAT_PENDING="common/iso_err.h common/proto.h config/isolate_config.h helper/cgroup.h
helper/fsutil.h helper/sandbox.c helper/sandbox.h helper/session.c helper/timer.c helper/timer.h"
if need clang-format; then
	bad=""
	pend=""
	for f in $ALLFILES; do
		clang-format --dry-run --Werror "$f" >/dev/null 2>&1 && continue
		case " $(echo $FORMAT_PENDING) " in
		*" $f "*) pend="$pend $f" ;;
		*) bad="$bad $f" ;;
		esac
	done
	[ -n "$pend" ] && echo "lint: clang-format: pending for their owners:$pend"
	if [ -z "$bad" ]; then
		echo "lint: clang-format: clean ($(echo "$ALLFILES" | wc -l) files)"
	else
		for f in $bad; do clang-format --dry-run --Werror "$f" 2>&1 | head -6; done
		echo "lint: clang-format: FAILED:$bad (run clang-format -i on them)"
		status=1
	fi
fi
exit "$status"
