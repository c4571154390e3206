#!/bin/sh
# Installs what pam_isolate needs to build and test on Debian. Quiet and
# quick when everything is there already.
set -eu
PKGS="build-essential pkg-config libpam0g-dev libconfuse-dev libcmocka-dev
libcap-dev pamtester openssh-server openssh-client expect valgrind cppcheck
clang clang-tidy clang-format libclang-rt-14-dev qemu-system-x86
busybox-static procps psmisc iproute2 groff-base mandoc passwd login util-linux
python3 python3-prometheus-client strace debhelper lintian libsystemd-dev bubblewrap lxcfs fuse3
systemd libpam-systemd dbus dbus-user-session"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root: sudo make deps)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The lxcfs package starts its daemon (systemd, or its init script where
# no policy-rc.d forbids it) and enables it at boot. The tests start their
# own lxcfs where they want one and must not find another at
# /var/lib/lxcfs; an admin who wants it enables it (pam_isolate(8), LXCFS).
case "$missing " in
*" lxcfs "*)
	if [ -d /run/systemd/system ]; then
		systemctl disable --now lxcfs.service >/dev/null 2>&1 || true
	elif [ -x /etc/init.d/lxcfs ]; then
		/etc/init.d/lxcfs stop >/dev/null 2>&1 || true
		update-rc.d lxcfs disable >/dev/null 2>&1 || true
	fi
	echo "install-deps: lxcfs installed, not started (to use it: systemctl enable --now lxcfs)"
	;;
esac
