#!/bin/sh
# Runs inside the pure cgroup v2 VM (tests/vm/run-vm.sh; bench/bench.sh
# starts it): the time of one cgroup migration, paced like logins and back
# to back, with the cgroup2 mount as it is, remounted with favordynmods,
# and remounted without it again. Prints markdown cells, one line each:
#   mount | gap (us) | n | med | p95 | max | x back to back
# Root only, in the VM: it remounts /sys/fs/cgroup.
set -eu
BIN=${1:?usage: favordynmods.sh BINDIR}
N=${N_MIG:-60}
CG=/sys/fs/cgroup
D=$CG/isot_mig_$$
mkdir "$D"
trap 'rmdir "$D" 2>/dev/null; mount -o remount "$CG" 2>/dev/null || true' EXIT
val() { v=${2#*"$1"=}; echo "${v%% *}"; }
for pass in default favordynmods default; do
	if [ "$pass" = favordynmods ]; then
		mount -o remount,favordynmods "$CG"
	else
		mount -o remount "$CG"
	fi
	grep -q "^[^ ]* $CG cgroup2 [^ ]*favordynmods" /proc/mounts && on=on || on=off
	b=$("$BIN/migrate" "$D" "$N" 0)
	p=$("$BIN/migrate" "$D" "$N" 30000)
	bm=$(val med "$b")
	for r in "30000 $p" "0 $b"; do
		gap=${r%% *} res=${r#* }
		printf '@ %s (favordynmods %s) | %s | %s | %s | %s | %s | %s\n' "$pass" "$on" "$gap" \
			"$(val n "$res")" "$(val med "$res")" "$(val p95 "$res")" "$(val max "$res")" \
			"$(awk -v a="$(val med "$res")" -v b="$bm" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')"
	done
done
