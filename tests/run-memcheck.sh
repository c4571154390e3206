#!/bin/bash
# The memcheck lane of `make check` (root):
#   1. valgrind on pamtester driving the module (cgroup + sandbox config)
#      through open_session and close_session, and on each unit test;
#   2. an ASan+UBSan build (make B=build-asan SAN=...), whose unit tests
#      run, whose module runs inside pamtester (libasan preloaded, dlclose
#      made a no-op so leak reports keep symbols), and whose helper runs
#      as root under the attack client (a setuid binary cannot run under
#      ASan: the loader drops LD_PRELOAD and ASan refuses setuid).
# Prints "memcheck: N passed, N failed". Any valgrind error (exit 99), ASan
# or UBSan report fails its step.
[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/security/seclib.sh"
ISO_SUITE=memcheck
sec_setup mem isot_mem
cd "$ISO_TOP" || exit 2

for t in valgrind pamtester; do
	command -v "$t" >/dev/null || { fail "$t installed (make deps)"; iso_finish; exit 1; }
done
sec_conf mem 50% 128
LOGS=$ISO_TMP/logs
mkdir -p "$LOGS"
VG="valgrind --keep-debuginfo=yes --vgdb=no --leak-check=full --error-exitcode=99 --errors-for-leak-kinds=definite,indirect"
gone() { wait_for 5 sec_user_clean isot_mem; } # the session left nothing

# ---- 1. valgrind ----
# shellcheck disable=SC2086
out=$(sec_ns $VG --log-file="$LOGS/vg-pamtester.%p" pamtester -v isot-mem isot_mem open_session close_session 2>&1)
rc=$?
expect_eq "valgrind pamtester open_session close_session (cgroup + sandbox): exit" 0 "$rc"
expect_match "  ... both hooks succeeded" "session has successfully been closed" "$out"
summary=$(grep -h -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$LOGS"/vg-pamtester.* | sed 's/^==[0-9]*== //' | sort -u | tr '\n' ';')
echo "     valgrind: $summary"
check "  ... valgrind: 0 errors" grep -q 'ERROR SUMMARY: 0 errors' "$LOGS"/vg-pamtester.*
check "  ... and the session left nothing behind" gone

for t in "$ISO_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	# shellcheck disable=SC2086
	if $VG --log-file="$LOGS/vg-$n" "$t" >"$LOGS/$n.out" 2>&1; then
		pass "valgrind $n"
	else
		fail "valgrind $n (exit $?)" "$(grep -E 'ERROR SUMMARY|FAILED|lost' "$LOGS/vg-$n" "$LOGS/$n.out" | head -5)"
	fi
done

# ---- 2. ASan + UBSan ----
ASAN_B=build-asan
# -Wno-restrict: with ASan at -O1, GCC 12 sees a possible overlap between
# two distinct members of one struct in tests/unit/test_cgroup.c:139
# (snprintf into f->lay.v1_path[i] from f->base): a false positive.
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -Wno-restrict"
if make -s B=$ASAN_B SAN="$SAN" OPT=-O1 tests >"$LOGS/asan-build" 2>&1; then
	pass "ASan+UBSan build (make B=$ASAN_B SAN=... OPT=-O1 tests)"
else
	fail "ASan+UBSan build (make B=$ASAN_B SAN=... OPT=-O1 tests)" "$(tail -5 "$LOGS/asan-build")"
	iso_finish
	exit 1
fi
# UBSan reports and goes on (recoverable): every report counts.
san_reports() { # san_reports FILE...: new sanitizer reports, one line each
	cat "$@" 2>/dev/null | awk '
		/runtime error|ERROR: (Address|Leak)Sanitizer/ { if (r != "") print r; r = $0; next }
		r != "" && /#0 / { print r " " $0; r = ""; next }
		END { if (r != "") print r }'
}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=98
export UBSAN_OPTIONS=print_stacktrace=1
for t in "$ASAN_B"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	"$t" >"$LOGS/asan-$n" 2>&1
	rc=$?
	new=$(san_reports "$LOGS/asan-$n")
	if [ "$rc" -eq 0 ] && [ -z "$new" ]; then
		pass "ASan+UBSan $n"
	else
		fail "ASan+UBSan $n (exit $rc)" "$(printf '%s\n' "$new" | head -5)" "$(grep -E 'FAILED' "$LOGS/asan-$n" | head -3)"
	fi
done

# The module in pamtester: libasan first, and a dlclose that does nothing.
cat >"$ISO_TMP/nodlclose.c" <<'EOF'
int dlclose(void *handle) { (void)handle; return 0; }
EOF
gcc -shared -fPIC -o "$ISO_TMP/nodlclose.so" "$ISO_TMP/nodlclose.c"
LIBASAN=$(gcc -print-file-name=libasan.so)
cat >/etc/pam.d/isot-mem-asan <<EOF
auth     required pam_permit.so
account  required pam_permit.so
session  required pam_permit.so
session  required $ISO_TOP/$ASAN_B/pam_isolate.so conf=$CONF
EOF
on_exit "rm -f /etc/pam.d/isot-mem-asan"
out=$(sec_ns env LD_PRELOAD="$LIBASAN $ISO_TMP/nodlclose.so" \
	ASAN_OPTIONS="detect_leaks=1:exitcode=98:log_path=$LOGS/asan-pam" UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$LOGS/asan-pam" \
	pamtester -v isot-mem-asan isot_mem open_session close_session 2>&1)
rc=$?
reports=$(san_reports "$LOGS"/asan-pam* | head -5)
expect_eq "ASan+UBSan module in pamtester: exit" 0 "$rc"
expect_match "  ... both hooks succeeded" "session has successfully been closed" "$out"
expect_eq "  ... no ASan/LSan/UBSan report" "" "$reports"
check "  ... and the session left nothing behind" gone

# The helper as root under the attack client: open, then close.
H_ASAN=$SEC_BIN/libexec/helper-asan
install -m 0755 "$ASAN_B/pam-isolate-helper" "$H_ASAN"
# LSan stops the world with ptrace, which the helper (not dumpable, by
# design) refuses: leak checking stays with valgrind; ASan and UBSan run.
hopts="detect_leaks=0:exitcode=98:log_path=$LOGS/asan-helper"
export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$LOGS/asan-helper"
out=$(ASAN_OPTIONS=$hopts sec_attack_root --helper "$H_ASAN" --user isot_mem --conf "$CONF")
sid=$(printf '%s\n' "$out" | sed -n 's/.* sid=\([0-9a-f]*\) .*/\1/p')
expect_match "ASan+UBSan helper (root, via isoattack): open" "helper=0 result=confined" "$out"
out=$(ASAN_OPTIONS=$hopts sec_attack_root --helper "$H_ASAN" --user isot_mem --conf "$CONF" --op close --sid "$sid")
expect_match "ASan+UBSan helper: close" "helper=0 result=closed" "$out"
# and a few hostile requests through the same path
for a in "--raw-len 5" "--raw-len 4000" "--user isot_mem --op 9" "--user ../x" "--user isot_mem --op close --sid zz"; do
	# shellcheck disable=SC2086
	ASAN_OPTIONS=$hopts sec_attack_root --helper "$H_ASAN" --conf "$CONF" $a >/dev/null
done
reports=$(san_reports "$LOGS"/asan-helper* | head -5)
expect_eq "  ... no ASan/UBSan report from the helper (7 requests, 5 hostile)" "" "$reports"
check "  ... and nothing left behind" gone

iso_finish
