#!/bin/bash
# `make` with the default paths, then `make install PREFIX=...`: the
# installed module must run the helper installed with it (the helper's,
# the config's and the state dir's paths are compiled in, so install
# rebuilds when they differ), and a login through it is confined.
. "$(dirname "$0")/../lib.sh"
iso_need_root
iso_setup

SRC=$(mktemp -d /tmp/isot-inst-src.XXXXXX)
PFX=$(mktemp -d /usr/local/isot-inst.XXXXXX) # not on a nosuid /tmp
on_exit "rm -rf '$SRC' '$PFX'"
# a copy of this tree without its build: `make` there starts from nothing
(cd "$ISO_TOP" && tar --exclude=./build --exclude=./.git -cf - .) | tar -C "$SRC" -xf -
make -C "$SRC" -s -j"$(nproc)" all >"$ISO_TMP/make.log" 2>&1
check "make (default paths) builds" test -e "$SRC/build/pam-isolate-helper"
strings "$SRC/build/pam_isolate.so" | grep -q '^/usr/local/libexec/pam_isolate/pam-isolate-helper$'
check "  ... a module that runs /usr/local/libexec/pam_isolate/pam-isolate-helper" test $? = 0
make -C "$SRC" -s PREFIX="$PFX" PAMDIR="$PFX/lib/security" SYSCONFDIR="$PFX/etc" install \
	>>"$ISO_TMP/make.log" 2>&1
check "make install PREFIX=... works" test -u "$PFX/libexec/pam_isolate/pam-isolate-helper"
mod=$PFX/lib/security/pam_isolate.so
expect_match "make install ships the tmpfiles.d roots of private_tmp = disk" \
	"d /var/tmp/.pam_isolate 0700 root root" "$(cat "$PFX/lib/tmpfiles.d/pam_isolate.conf" 2>&1)"
expect_eq "the installed module runs the helper installed with it" \
	"$PFX/libexec/pam_isolate/pam-isolate-helper" \
	"$(strings "$mod" | grep -m1 '/pam-isolate-helper$')"
expect_eq "and the installed helper reads the config installed with it" \
	"$PFX/etc/security/isolate.conf" \
	"$(strings "$PFX/libexec/pam_isolate/pam-isolate-helper" | grep -m1 '/isolate\.conf$')"

ROOT=isot_inst_$$
on_exit "iso_cgroup_cleanup $ROOT"
iso_user isot_in
on_exit "iso_kill_holders isot_in"
cat >"$PFX/etc/security/isolate.conf" <<EOT
cgroup_root = "$ROOT"
default {
    cpu_quota = 50%
    tasks_max = 64
}
EOT
cat >/etc/pam.d/isot-inst <<EOT
auth     required pam_permit.so
account  required pam_permit.so
session  required pam_permit.so
session  required $mod
EOT
on_exit "rm -f /etc/pam.d/isot-inst"
out=$("$ISO_HARNESS" isot-inst isot_in cat /proc/self/cgroup 2>&1)
expect_eq "a login through the installed module works" 0 "$?"
expect_match "  ... confined by the installed helper and config" "/$ROOT/user-$(id -u isot_in)/session-" "$out"
make -C "$SRC" -s PREFIX="$PFX" PAMDIR="$PFX/lib/security" SYSCONFDIR="$PFX/etc" uninstall \
	>>"$ISO_TMP/make.log" 2>&1
check "make uninstall removes the helper" test ! -e "$PFX/libexec/pam_isolate/pam-isolate-helper"
check "  ... and the tmpfiles.d file" test ! -e "$PFX/lib/tmpfiles.d/pam_isolate.conf"
iso_finish
