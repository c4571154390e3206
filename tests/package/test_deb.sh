#!/bin/bash
# The Debian package, for real: build libpam-isolate from a copy of the
# tree, lintian it, install it with dpkg, enable it with pam-auth-update,
# open a session through a service that includes common-session and check
# that it is confined, upgrade it over an edited config, disable it, purge
# it while a session's process still runs (its cgroup must stay), then
# reinstall, enable and purge it again, and check that nothing of it is
# left. Root only.
#
# The package goes into the real system paths, so the test refuses to run
# where it would replace something: an installed libpam-isolate, a file of
# the package already on disk, a pam_isolate cgroup tree in use. Everything
# that changes who else on this machine gets confined runs in a private
# mount namespace (in_ns) over copies of /etc/pam.d, /var/lib/pam,
# /var/cache/debconf (pam-auth-update's files and state), /etc/security
# (the conffile: other tests and the admin use /etc/security/isolate.conf
# too) and /run (the helper's state dir, shared with other pam_isolate
# tests): enabling the module there confines no login but the test's own,
# and the host's PAM stack and config are byte-for-byte what they were,
# whatever happens. The copies persist across in_ns calls, so the steps
# see each other's effects.
. "$(dirname "$0")/../lib.sh"
iso_need_root

PKG=libpam-isolate
PROFILE=isolate
CONF=/etc/security/isolate.conf
export DEBIAN_FRONTEND=noninteractive

skip_suite() {
	skip "$ISO_SUITE" "$1"
	iso_summary
	exit $?
}

for t in dpkg-buildpackage dh lintian pam-auth-update unshare git; do
	command -v "$t" >/dev/null ||
		skip_suite "$t is missing: make deps installs the packaging tools"
done
st=$(dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null)
if [ -n "$st" ] && [ "$st" != not-installed ]; then
	skip_suite "$PKG is $st on this machine; the test installs and purges it"
fi
for d in /sys/fs/cgroup/pam_isolate /sys/fs/cgroup/*/pam_isolate; do
	[ -e "$d" ] && skip_suite "$d exists: the default cgroup tree is in use here"
done
[ -x "$ISO_HARNESS" ] || { iso_log "build first: make tests"; exit 2; }
iso_setup

# ---- transcript helpers --------------------------------------------------
# T CMD...: run CMD on the host; TN CMD...: run it in the test namespace.
# Both show the command and its output (indented) and set RC and OUT.
show() {
	[ -n "$OUT" ] && printf '%s\n' "$OUT" | sed 's/^/      /'
	[ "$RC" -eq 0 ] || printf '      (exit %d)\n' "$RC"
	return 0
}
T() {
	printf '   # %s\n' "$*"
	OUT=$("$@" 2>&1)
	RC=$?
	show
}
TN() {
	printf '  ns# %s\n' "$*"
	OUT=$(in_ns "$@" 2>&1 </dev/null)
	RC=$?
	show
}
section() { printf '\n---- %s\n' "$*"; }

# ---- the namespace ---------------------------------------------------------
SHADOW=$(mktemp -d /var/tmp/isot-pkgns.XXXXXX)
on_exit "rm -rf '$SHADOW'"
cp -a /etc/pam.d "$SHADOW/pam.d"
cp -a /var/lib/pam "$SHADOW/pam-state"
cp -a /var/cache/debconf "$SHADOW/debconf"
cp -a /etc/security "$SHADOW/security"
# An isolate.conf of the host's stays where it is, unseen by the test.
rm -f "$SHADOW/security/isolate.conf"
mkdir -m 0755 "$SHADOW/run"
# /run last: the mounts before it may name paths under the real /run.
in_ns() {
	# shellcheck disable=SC2016 # $1 is the inner shell's
	unshare -m --propagation private sh -c '
		mount --bind "$1/pam.d" /etc/pam.d &&
		mount --bind "$1/pam-state" /var/lib/pam &&
		mount --bind "$1/debconf" /var/cache/debconf &&
		mount --bind "$1/security" /etc/security &&
		mount --bind "$1/run" /run || exit 125
		shift
		exec "$@"' in_ns "$SHADOW" "$@"
}
# What pam-auth-update manages on the host; checked again at the end.
# (Other tests' own files in /etc/pam.d come and go; they are not ours.)
host_state() {
	(cd /etc/pam.d && sha256sum -- common-*)
	(cd /var/lib/pam && sha256sum -- *)
	debconf-show libpam-runtime 2>/dev/null | sort
}
HOST_BEFORE=$(host_state)
SESSION_ORIG=$(sha256sum <"$SHADOW/pam.d/common-session")
PAMD_ORIG=$(cd "$SHADOW/pam.d" && sha256sum -- *)
PAMSTATE_ORIG=$(cd "$SHADOW/pam-state" && sha256sum -- *)
# in_ns_paths PATH...: "d PATH" or "f PATH" for each that exists in the
# test's view.
in_ns_paths() {
	# shellcheck disable=SC2016 # the inner shell's
	in_ns sh -c 'for p; do
		if [ -d "$p" ]; then echo "d $p"; elif [ -e "$p" ] || [ -L "$p" ]; then echo "f $p"; fi
	done' sh "$@"
}
# Files of DIR's common-* stack that name pam_isolate (none expected).
isolate_lines() { (cd "$1" && grep -l pam_isolate -- common-* 2>/dev/null); }

# ---- build -----------------------------------------------------------------
section "build: dpkg-buildpackage -us -uc -b in a copy of the tree"
W=$(mktemp -d /var/tmp/isot-deb.XXXXXX)
on_exit "rm -rf '$W'"
# Tracked files as they are in the work tree, plus packaging files not yet
# added; nothing is written into the work tree or beside it.
(
	cd "$ISO_TOP" || exit 1
	{ git ls-files -z; git ls-files -z -o --exclude-standard -- debian; } |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -
) | (mkdir "$W/src" && tar -xf - -C "$W/src")
beside() { ls -d "$(dirname "$ISO_TOP")"/*isolate*_* 2>/dev/null; }
BESIDE_BEFORE=$(beside)
start=$(date +%s)
(cd "$W/src" && dpkg-checkbuilddeps && dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1
rc=$?
echo "     build took $(($(date +%s) - start)) s; log: $(wc -l <"$W/build.log") lines"
expect_eq "dpkg-buildpackage succeeds" 0 "$rc"
[ "$rc" -eq 0 ] || { tail -40 "$W/build.log" | sed 's/^/      /'; iso_finish; exit 1; }
expect_eq "changelog version is the Makefile's VERSION" \
	"$(sed -n 's/^VERSION *:= *//p' "$ISO_TOP/Makefile")" \
	"$(cd "$W/src" && dpkg-parsechangelog -S Version)"
expect_eq "nothing written beside the repo" "$BESIDE_BEFORE" "$(beside)"
check "no debhelper files in the work tree" \
	test ! -e "$ISO_TOP/debian/.debhelper" -a ! -e "$ISO_TOP/debian/files" -a ! -e "$ISO_TOP/debian/$PKG"
# The build tree holds a setuid copy of the helper: gone before the work
# dir is opened for lintian.
rm -rf "$W/src"
DEB=$(ls "$W/${PKG}"_*.deb)
CHANGES=$(ls "$W"/*.changes)
VERSION=$(dpkg-deb -f "$DEB" Version)
ARCH=$(dpkg-deb -f "$DEB" Architecture)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

section "contents: dpkg-deb -c $(basename "$DEB")"
T dpkg-deb -c "$DEB"
CONTENTS=$OUT
expect_match "module in the multiarch PAM dir" " \./lib/$MA/security/pam_isolate\.so$" "$CONTENTS"
expect_match "helper setuid root under /usr/libexec/pam_isolate" \
	"^-rwsr-xr-x root/root .* \./usr/libexec/pam_isolate/pam-isolate-helper$" "$CONTENTS"
expect_match "config at /etc/security/isolate.conf" "^-rw-r--r-- root/root .* \./etc/security/isolate\.conf$" "$CONTENTS"
expect_match "pam-auth-update profile" " \./usr/share/pam-configs/$PROFILE$" "$CONTENTS"
expect_match "example configs under /usr/share/doc" " \./usr/share/doc/$PKG/examples/[a-z]+\.conf$" "$CONTENTS"
expect_eq "the config is a conffile" "$CONF" "$(dpkg-deb -I "$DEB" conffiles)"
dpkg-deb -x "$DEB" "$W/x"
expect_match "module calls the helper at its packaged path" "^/usr/libexec/pam_isolate/pam-isolate-helper$" \
	"$(strings "$W/x/lib/$MA/security/pam_isolate.so")"
expect_match "helper reads the packaged config path" "^$CONF$" \
	"$(strings "$W/x/usr/libexec/pam_isolate/pam-isolate-helper")"
rm -rf "$W/x"
T sh -c "dpkg-deb --fsys-tarfile '$DEB' | tar -xOf - ./usr/share/pam-configs/$PROFILE"

section "lintian"
chmod 0755 "$W"
chmod 0644 "$W"/*.deb "$W"/*.changes "$W"/*.buildinfo
# Run unprivileged (lintian unpacks what it checks), from a directory
# nobody may enter: the clone's may be private.
if runuser -u nobody -- true 2>/dev/null; then LINT=(runuser -u nobody -- lintian); else LINT=(lintian); fi
cd "$W" || exit 2
T "${LINT[@]}" --display-info --show-overrides "$DEB" "$CHANGES"
cd / || exit 2
expect_eq "lintian exits 0" 0 "$RC"
expect_nomatch "lintian: no errors, no warnings" "^[EW]: " "$OUT"

# ---- install ---------------------------------------------------------------
section "install: dpkg -i"
# Every file of the package must be new here (the config excepted: an
# admin's is kept aside and put back). Directories that were here stay.
PATHS=$(printf '%s\n' "$CONTENTS" | awk '{ p = $6; sub(/^\./, "", p); if (p != "/") print p }' | sed 's|/$||')
# shellcheck disable=SC2086 # PATHS: one path a word, no blanks
PRE=$(in_ns_paths $PATHS)
# Directories (also /lib -> usr/lib on a merged-/usr system) may exist.
clash=$(printf '%s\n' "$PRE" | sed -n 's/^f //p')
if [ -n "$clash" ]; then
	skip_suite "files of the package exist already and would be replaced: $clash"
fi
# Undo, also on failure: purge (its prerm edits only the namespace's copy),
# then the cgroup trees and the user. Registered last, so run first.
on_exit "iso_cgroup_cleanup pam_isolate"
on_exit "in_ns dpkg --purge $PKG </dev/null"
SCONF=$SHADOW/security/isolate.conf # the conffile, as the test sees it

TN dpkg -i "$DEB"
expect_eq "dpkg -i succeeds" 0 "$RC"
expect_eq "package installed" "install ok installed $VERSION" \
	"$(dpkg-query -W -f='${Status} ${Version}' "$PKG" 2>&1)"
expect_eq "installing enables nothing: common-session unchanged" "$SESSION_ORIG" \
	"$(sha256sum <"$SHADOW/pam.d/common-session")"
expect_eq "no pam_isolate line in common-*" "" "$(isolate_lines "$SHADOW/pam.d")"
HELPER=/usr/libexec/pam_isolate/pam-isolate-helper
expect_eq "installed helper is setuid root" "4755 root root" "$(stat -c '%a %U %G' "$HELPER" 2>&1)"
# shellcheck disable=SC2016 # a dpkg-query format
T dpkg-query -W -f='${Conffiles}\n' "$PKG"
expect_match "dpkg knows the config as a conffile" "^ $CONF [0-9a-f]{32}$" "$OUT"
LISTING=$(dpkg -L "$PKG")

# ---- enable ------------------------------------------------------------------
section "enable: pam-auth-update --enable $PROFILE"
# A cgroup-only policy with a CPU quota and a task limit (cpu and pids
# controllers only), the default cgroup_root so that the purge's clean-up
# is exercised.
cat >"$SCONF" <<'EOF'
# written by tests/package/test_deb.sh
cgroup_root = "pam_isolate"
on_error = deny
exempt_users = { "root" }
default {
	cpu_quota = 20%
	tasks_max = 64
}
EOF
chmod 0644 "$SCONF"
TN pam-auth-update --enable "$PROFILE"
expect_eq "pam-auth-update --enable succeeds" 0 "$RC"
T grep -E '^session' "$SHADOW/pam.d/common-session"
expect_match "pam_isolate is the last session line of common-session" \
	"session[[:space:]]+required[[:space:]]+pam_isolate\.so[[:space:]]*$" "$(printf '%s\n' "$OUT" | tail -1)"
expect_eq "exactly one pam_isolate line" 1 "$(grep -c pam_isolate "$SHADOW/pam.d/common-session")"
expect_eq "not in common-session-noninteractive (interactive only)" 0 \
	"$(grep -c pam_isolate "$SHADOW/pam.d/common-session-noninteractive")"
expect_eq "the host's common-session is untouched" "$(printf '%s\n' "$HOST_BEFORE" | grep ' common-session$')" \
	"$(cd /etc/pam.d && sha256sum -- common-session)"

# ---- a session through common-session ----------------------------------------
section "session: a service that includes common-session"
cat >"$SHADOW/pam.d/isot-pkg" <<'EOF'
auth     required pam_permit.so
account  required pam_permit.so
@include common-session
EOF
iso_user isot_pkg
U=$(id -u isot_pkg)
CPU=$(iso_cg_mount cpu)
if iso_is_v2; then
	LEAF_RE="^0::/pam_isolate/user-$U/session-[0-9a-f]{16}"
	QUOTA_FILE="$CPU/pam_isolate/user-$U/cpu.max"
	QUOTA_WANT="20000 100000"
else
	LEAF_RE="^[0-9]+:([a-z_]+,)*cpu(,[a-z_]+)*:/pam_isolate/user-$U/session-[0-9a-f]{16}"
	QUOTA_FILE="$CPU/pam_isolate/user-$U/cpu.cfs_quota_us"
	QUOTA_WANT=20000
fi
confined_session() { # confined_session LABEL
	TN "$ISO_HARNESS" isot-pkg isot_pkg cat /proc/self/cgroup
	expect_eq "$1: the session opens and closes" 0 "$RC"
	expect_match "$1: the child is in /pam_isolate/user-$U/session-*" "$LEAF_RE" "$OUT"
	TN "$ISO_HARNESS" isot-pkg isot_pkg cat "$QUOTA_FILE"
	expect_eq "$1: the user's cgroup has the configured quota" "$QUOTA_WANT" "$OUT"
	check "$1: close removed the user's cgroup" test ! -e "$CPU/pam_isolate/user-$U"
}
confined_session "enabled"
TN "$ISO_HARNESS" isot-pkg root cat /proc/self/cgroup
expect_nomatch "root's session is not confined" "/pam_isolate/" "$OUT"

# ---- upgrade over an edited config ---------------------------------------------
section "upgrade: the same package as $VERSION+pkgtest1, over the edited config"
UP="$W/up"
dpkg-deb -R "$DEB" "$UP"
sed -i "s/^Version: .*/Version: $VERSION+pkgtest1/" "$UP/DEBIAN/control"
dpkg-deb --root-owner-group -b "$UP" "$W/${PKG}_$VERSION+pkgtest1_$ARCH.deb" >/dev/null
rm -rf "$UP"
CONF_EDITED=$(sha256sum <"$SCONF")
TN dpkg -i "$W/${PKG}_$VERSION+pkgtest1_$ARCH.deb"
expect_eq "dpkg -i of the newer version succeeds" 0 "$RC"
expect_eq "upgraded" "install ok installed $VERSION+pkgtest1" "$(dpkg-query -W -f='${Status} ${Version}' "$PKG")"
expect_eq "the admin's edited config is kept" "$CONF_EDITED" "$(sha256sum <"$SCONF")"
check "no .dpkg-new / .dpkg-dist beside it" test -z "$(ls "$SCONF".dpkg-* 2>/dev/null)"
expect_eq "still enabled, still last" "session required pam_isolate.so" \
	"$(grep -E '^session' "$SHADOW/pam.d/common-session" | tail -1 | tr -s ' \t' ' ' | sed 's/ $//')"
confined_session "upgraded"

# ---- a process that outlives its session ------------------------------------
section "a session leaves a process behind (on_logout = keep)"
TN "$ISO_HARNESS" isot-pkg isot_pkg sh -c 'sleep 600 </dev/null >/dev/null 2>&1 & echo $!'
SLEEPER=$OUT
expect_match "the session started a background sleep" "^[0-9]+$" "$SLEEPER"
check "its user cgroup outlives the session" test -d "$CPU/pam_isolate/user-$U"

# ---- disable ---------------------------------------------------------------------
section "disable: pam-auth-update --disable $PROFILE"
TN pam-auth-update --disable "$PROFILE"
expect_eq "pam-auth-update --disable succeeds" 0 "$RC"
expect_eq "common-session is byte-identical to the original" "$SESSION_ORIG" \
	"$(sha256sum <"$SHADOW/pam.d/common-session")"
TN "$ISO_HARNESS" isot-pkg isot_pkg cat /proc/self/cgroup
expect_eq "a session still opens" 0 "$RC"
expect_nomatch "and is not confined" "/pam_isolate/" "$OUT"
rm -f "$SHADOW/pam.d/isot-pkg"

# ---- purge -----------------------------------------------------------------------
section "purge while that process still runs: dpkg --purge $PKG"
printf '   # dpkg -L %s\n%s\n' "$PKG" "$(printf '%s\n' "$LISTING" | sed 's/^/      /')"
cgroup_dirs() { find /sys/fs/cgroup -maxdepth 2 -name pam_isolate -type d 2>/dev/null | sort; }
check "/run/pam_isolate exists before the purge" test -d "$SHADOW/run/pam_isolate"
T cgroup_dirs
TN dpkg --purge "$PKG"
expect_eq "dpkg --purge succeeds" 0 "$RC"
expect_match "the purge says which cgroup tree it left" "$CPU/pam_isolate still has processes; left in place" "$OUT"
check "the running session's cgroup is still there" test -d "$CPU/pam_isolate/user-$U"
check "and its process is untouched" grep -q "/pam_isolate/user-$U/" "/proc/$SLEEPER/cgroup"
check "/run/pam_isolate removed" test ! -e "$SHADOW/run/pam_isolate"
expect_eq "package gone from dpkg's database" "" \
	"$(dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null | grep -v '^not-installed$')"
# shellcheck disable=SC2086
NOW=$(in_ns_paths $PATHS)
expect_eq "of the package's paths, only the directories that were there before are left" "$PRE" "$NOW"
expect_eq "no pam-isolate-helper left (outside /usr/local)" "" \
	"$(find /usr -xdev -path /usr/local -prune -o -name 'pam-isolate-helper*' -print 2>/dev/null)"
expect_eq "no pam_isolate line in common-*" "" "$(isolate_lines "$SHADOW/pam.d")"

section "the process ends; reinstall, enable, purge while enabled"
kill "$SLEEPER"
for _ in $(seq 50); do kill -0 "$SLEEPER" 2>/dev/null || break; sleep 0.1; done
TN dpkg -i "$DEB"
expect_eq "dpkg -i succeeds" 0 "$RC"
TN pam-auth-update --enable "$PROFILE"
expect_eq "enabled again" 1 "$(grep -c pam_isolate "$SHADOW/pam.d/common-session")"
TN dpkg --purge "$PKG"
expect_eq "dpkg --purge succeeds" 0 "$RC"
expect_eq "the purge took the line out of the stack (prerm)" "" "$(isolate_lines "$SHADOW/pam.d")"
T cgroup_dirs
expect_eq "no pam_isolate cgroup dirs left" "" "$OUT"
expect_eq "package gone from dpkg's database" "" \
	"$(dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null | grep -v '^not-installed$')"
expect_eq "common-session is byte-identical to the original" "$SESSION_ORIG" \
	"$(sha256sum <"$SHADOW/pam.d/common-session")"
expect_eq "all of /etc/pam.d is as it was" "$PAMD_ORIG" "$(cd "$SHADOW/pam.d" && sha256sum -- *)"
expect_eq "pam-auth-update's state (/var/lib/pam) is as it was" "$PAMSTATE_ORIG" \
	"$(cd "$SHADOW/pam-state" && sha256sum -- *)"
expect_eq "the host's common-*, /var/lib/pam, debconf: never touched" "$HOST_BEFORE" "$(host_state)"
expect_eq "no pam_isolate line in the host's common-*" "" "$(isolate_lines /etc/pam.d)"

iso_finish
