#!/bin/bash
# tests/vm/run-vm.sh [--systemd] CMD [ARGS...]
# tests/vm/run-vm.sh --prepare
#
# Boots a throw-away qemu VM whose only cgroup hierarchy is cgroup v2
# (kernel command line cgroup_no_v1=all), runs CMD in it as root in the
# repository directory, streams CMD's stdout/stderr and exits with CMD's
# status.  Our build machines are cgroup v1 hybrid; this is how the v2
# backend meets a real kernel.
#
# Inside the VM:
#   /              the host's / shared read-only over virtio-9p, with a RAM
#                  (tmpfs) overlay on top: /etc, /usr/local, ... are
#                  writable, every write is lost at power-off.
#   <repo>         this repository at the same path as on the host, also
#                  copy-on-write (VM_REPO_RW=1: writes go to the host).
#   /run, /tmp     fresh tmpfs.  /sys/fs/cgroup: cgroup2, mounted with the
#                  options systemd uses; its root starts with no controllers
#                  in cgroup.subtree_control.
#   PID 1          a busybox shell (tests/vm/init.sh); no network but lo.
# CMD gets stdin from /dev/null and a clean environment: PATH, HOME=/root,
# LANG, TERM=dumb, plus CI, every ISO_* variable and the names in VM_ENV.
#
# --prepare   only fetch the kernel into the cache (used by the lane to tell
#             "cannot run here" from a failing test); exit 0 when ready.
# --systemd   boot systemd (the root filesystem's, 252 on Debian 12) as
#             PID 1 instead: pure cgroup v2 under systemd's management,
#             dbus and systemd-logind up; CMD runs from a service
#             (pamiso-vm-run.service, in system.slice) once they are.  Slow
#             or irrelevant units are masked in the overlay (init.sh).
#
# Environment knobs:
#   VM_CACHE     kernel cache (default /var/cache/pam_isolate-vm for root,
#                else ${XDG_CACHE_HOME:-~/.cache}/pam_isolate-vm).  Never
#                inside the repository.
#   VM_MEM       guest RAM in MiB (default 1024; the overlay lives in it)
#   VM_CPUS      vCPUs (default 2)
#   VM_TIMEOUT   seconds before qemu is killed (default 600; exit 124)
#   VM_ACCEL     tcg (default) or kvm
#   VM_REPO_RW=1 share the repository read-write
#   VM_ENV       extra variable names to pass to CMD
#   VM_TIMING=1  print boot/command/total times on stderr
#   VM_DEBUG=1   show the guest console (kernel log, init) on stderr
#   VM_JOURNAL=1 (--systemd) the guest's `journalctl -b` on stderr after CMD
#   VM_SD_WAIT=1 (--systemd) wait for `systemctl is-system-running --wait`
#                before CMD (default: only dbus and logind are waited for)
#   VM_SD_MASK   (--systemd) more units to mask, e.g. "user@.service" (the
#                per-user manager costs ~15 s of emulated CPU per first login)
#
# Exit status: CMD's; 124 on timeout; 125 if the VM failed before CMD ended.
#
# Needs qemu-system-x86 and busybox-static; the kernel is Debian's
# linux-image-amd64, fetched once with `apt-get download` (not installed).
set -euo pipefail

die() { echo "run-vm: $*" >&2; exit 125; }

HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
if [ "$(id -u)" = 0 ]; then
    CACHE=${VM_CACHE:-/var/cache/pam_isolate-vm}
else
    CACHE=${VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pam_isolate-vm}
fi
MEM=${VM_MEM:-1024}
CPUS=${VM_CPUS:-2}
TIMEOUT=${VM_TIMEOUT:-600}
ACCEL=${VM_ACCEL:-tcg}
QEMU=qemu-system-x86_64
BUSYBOX=$(command -v busybox || true)
# Modules the guest needs before it has a root filesystem (Debian builds
# them as modules): PCI transport, 9p root, overlayfs, virtio serial ports.
# fuse: lxcfs (tests/vm/test_proc_view.sh).
WANT_MODS="virtio_pci 9pnet_virtio 9p overlay virtio_console fuse"

MODE=plain PREPARE=0
case ${1:-} in
    --prepare) PREPARE=1 ;;
    --systemd) MODE=systemd; shift
               [ $# -gt 0 ] || die "usage: $0 --systemd CMD [ARGS...]" ;;
    -*) die "unknown option $1" ;;
    '') die "usage: $0 [--systemd] CMD [ARGS...] | --prepare" ;;
esac

command -v "$QEMU" >/dev/null || die "$QEMU not found (apt-get install qemu-system-x86)"
# The initramfs has nothing but this one binary: it must be static.
if [ -z "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
    die "no static busybox (apt-get install busybox-static)"
fi
case $REPO in
    *[[:cntrl:],\'\\]*) die "unsupported character in repository path $REPO" ;;
esac

# ---------------------------------------------------------------- cache ----
# $CACHE/<kver>/vmlinuz            the kernel as packaged
# $CACHE/<kver>/vmlinux            the same, unpacked (booted when present)
# $CACHE/<kver>/modules/           WANT_MODS and their dependencies + order
# $CACHE/<kver>/base.cpio.gz       busybox + modules (the per-run /init is
#                                  appended at boot, so it is never stale)
# $CACHE/current                   <kver> in use
TMPS=""
# shellcheck disable=SC2317  # (called from traps)
cleanup_tmps() { for t in $TMPS; do rm -rf "$t"; done; }
trap cleanup_tmps EXIT

fetch_kernel() {
    local pkg tmp ko m d kdir off
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
          awk '/Depends: linux-image-[0-9]/ { print $2; exit }') || true
    if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
        # a fresh machine may never have run apt-get update
        apt-get update -qq >/dev/null 2>&1 || true
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
              awk '/Depends: linux-image-[0-9]/ { print $2; exit }') || true
    fi
    [ -n "$pkg" ] || die "cannot resolve linux-image-amd64 (apt-get update?)"
    echo "run-vm: fetching $pkg into $CACHE (once)" >&2
    tmp=$(mktemp -d "$CACHE/fetch.XXXXXX"); TMPS="$TMPS $tmp"
    # apt warns when its _apt user cannot write here; harmless, so the log
    # is shown only on failure.
    (cd "$tmp" && apt-get download "$pkg") >"$tmp/log" 2>&1 ||
        { cat "$tmp/log" >&2; die "apt-get download $pkg failed"; }
    mkdir "$tmp/x"
    dpkg-deb -x "$tmp"/*.deb "$tmp/x"
    ko=$(ls "$tmp"/x/boot/vmlinuz-*) || die "no vmlinuz in $pkg"
    kver=${ko##*/vmlinuz-}
    kdir=$tmp/x/lib/modules/$kver/kernel
    d=$tmp/$kver
    mkdir -p "$d/modules"
    cp "$ko" "$d/vmlinuz"
    # Under emulation the bzImage spends ~3 s decompressing itself.  Debian's
    # is xz inside; unpacked, the ELF (with its PVH entry note) boots directly.
    # (tail | xz would fail under pipefail: xz stops reading at the stream end)
    off=$(LC_ALL=C grep -obUaP -m 1 '\xfd7zXZ\x00' "$ko" | cut -d: -f1) || true
    if [ -n "$off" ] && tail -c +"$((off + 1))" "$ko" >"$tmp/payload.xz" &&
       xz -dc --single-stream "$tmp/payload.xz" >"$d/vmlinux" 2>/dev/null &&
       [ "$(head -c 4 "$d/vmlinux" | tr -d '\177')" = ELF ]; then :; else
        rm -f "$d/vmlinux"
    fi
    # Load order: dependencies first.  modules.dep is made by the package's
    # postinst (not run), so read each module's own depends= field.
    add_mod() {
        local f dep
        case " $ORDER " in *" $1 "*) return ;; esac
        f=$(find "$kdir" -name "$1.ko" | head -n 1)
        [ -n "$f" ] || die "module $1 not in $pkg"
        for dep in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
            add_mod "$dep"
        done
        cp "$f" "$d/modules/"
        ORDER="$ORDER $1"
    }
    ORDER=""
    for m in $WANT_MODS; do add_mod "$m"; done
    for m in $ORDER; do echo "$m.ko"; done >"$d/modules/order"
    rm -rf "${CACHE:?}/$kver"
    mv "$d" "$CACHE/$kver"
    echo "$kver" >"$CACHE/current"
    rm -rf "$tmp"
}

build_base() {
    local b
    b=$(mktemp -d "$CACHE/base.XXXXXX"); TMPS="$TMPS $b"
    mkdir -p "$b"/bin "$b"/dev "$b"/proc "$b"/sys "$b"/lower "$b"/rw "$b"/newroot
    cp "$BUSYBOX" "$b/bin/busybox"
    ln -s busybox "$b/bin/sh"
    cp -r "$CACHE/$kver/modules" "$b/modules"
    (cd "$b" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1) \
        >"$b.cpio.gz"
    mv "$b.cpio.gz" "$CACHE/$kver/base.cpio.gz"
    rm -rf "$b"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9     # parallel runs share one download / one base image
kver=$(cat "$CACHE/current" 2>/dev/null || true)
if [ -z "$kver" ] || [ ! -s "$CACHE/$kver/vmlinuz" ] ||
   [ ! -s "$CACHE/$kver/modules/order" ] ||
   ! grep -qx fuse.ko "$CACHE/$kver/modules/order"; then
    fetch_kernel
fi
if [ ! -s "$CACHE/$kver/base.cpio.gz" ] ||
   [ "$BUSYBOX" -nt "$CACHE/$kver/base.cpio.gz" ]; then
    build_base
fi
exec 9>&-
[ "$PREPARE" = 1 ] && exit 0

# -------------------------------------------------------------- per run ----
RUN=$(mktemp -d "${TMPDIR:-/tmp}/pam_isolate-vm.XXXXXX")
QPID="" READERS=""
# shellcheck disable=SC2317  # (called from traps)
cleanup() {
    # A second signal (timeout(1) and ^C signal the whole process group too)
    # must not cut this short and leave the run dir behind.
    trap '' INT TERM
    # qemu runs under timeout(1): TERM reaches qemu through it.
    if [ -n "$QPID" ]; then kill "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true; fi
    for p in $READERS; do kill "$p" 2>/dev/null || true; done
    rm -rf "$RUN"
    cleanup_tmps
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir "$RUN/ctl" "$RUN/init.d"

sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# config for init.sh (POSIX sh, sourced by busybox)
{
    echo "REPO=$(sq "$REPO")"
    echo "REPO_RW=$(sq "${VM_REPO_RW:-0}")"
    echo "MODE=$MODE"
    echo "SD_WAIT=$(sq "${VM_SD_WAIT:-0}")"
    echo "SD_JOURNAL=$(sq "${VM_JOURNAL:-0}")"
    echo "SD_MASK_EXTRA=$(sq "${VM_SD_MASK:-}")"
} >"$RUN/ctl/config"

# The command, run with bash (host userland) under `env -i`.
{
    echo 'umask 022'
    for v in PATH LANG CI $(compgen -e | grep '^ISO_' || true) ${VM_ENV:-}; do
        [ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
    done
    echo 'export HOME=/root USER=root LOGNAME=root TERM=dumb'
    [ -n "${LANG+x}" ] || echo 'export LANG=C.UTF-8'
    printf 'cd %q || exit 125\n' "$REPO"
    printf 'exec'; printf ' %q' "$@"; echo
} >"$RUN/ctl/cmd.sh"

# initrd = cached base + a one-file archive with the current init.sh (the
# kernel unpacks concatenated cpio archives in order).
cp "$HERE/init.sh" "$RUN/init.d/init"
chmod 755 "$RUN/init.d/init"
{
    cat "$CACHE/$kver/base.cpio.gz"
    (cd "$RUN/init.d" && echo init | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1)
} >"$RUN/initrd"

# CMD's stdout/stderr leave the guest on two virtio serial ports, which
# qemu writes into fifos read here: no kernel messages mixed in, and output
# streams while CMD runs.
mkfifo "$RUN/out" "$RUN/err"
cat "$RUN/out" & READERS="$READERS $!"
cat "$RUN/err" >&2 & READERS="$READERS $!"
if [ "${VM_DEBUG:-0}" = 1 ]; then
    mkfifo "$RUN/console"
    sed -u 's/^/[vm] /' <"$RUN/console" >&2 & READERS="$READERS $!"
    LOGLEVEL=7
else
    LOGLEVEL=1   # console kept in a file, shown if the VM fails
fi

KERNEL=$CACHE/$kver/vmlinux
[ -s "$KERNEL" ] || KERNEL=$CACHE/$kver/vmlinuz
# qboot: a minimal firmware, boots ~0.4 s sooner than SeaBIOS under TCG
BIOS=()
[ -r /usr/share/qemu/qboot.rom ] && BIOS=(-bios /usr/share/qemu/qboot.rom)

# shellcheck disable=SC2054  # the commas are qemu's
case $ACCEL in
    # Unaccelerated by default: /dev/kvm may open yet be unusable (on our
    # build machines qemu asserts on MSR 0x10a), so no auto-detection.
    tcg) ACCEL_ARGS=(-accel tcg,thread=multi -cpu max) ;;
    kvm) ACCEL_ARGS=(-accel kvm -cpu host) ;;
    *) die "VM_ACCEL must be tcg or kvm" ;;
esac

# Kernel command line: cgroup_no_v1=all is the point of the VM.  The rest
# saves time under emulation: mitigations=off, no_timer_check (skip the
# IO-APIC timer probe), tsc=reliable (no clocksource watchdog), i8042.*
# (no PS/2 probing).  panic=-1: a guest panic ends qemu at once.
APPEND="console=ttyS0 loglevel=$LOGLEVEL rdinit=/init cgroup_no_v1=all \
panic=-1 mitigations=off no_timer_check tsc=reliable random.trust_cpu=on \
i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd"
if [ "$MODE" = systemd ]; then
    # init.sh stage 1 still builds the root, then hands over to systemd:
    # only v2 (systemd 252 would pick it anyway without v1 controllers),
    # our boot target, and no status chatter on the console.
    if [ "${VM_DEBUG:-0}" = 1 ]; then SDLOG="systemd.show_status=1 systemd.log_level=info"
    else SDLOG="systemd.show_status=0 systemd.log_level=notice"; fi
    APPEND="$APPEND systemd.unified_cgroup_hierarchy=1 systemd.unit=pamiso-vm.target \
$SDLOG systemd.journald.forward_to_console=0"
fi

FS9P="security_model=none,multidevs=remap"   # remap: the host / spans filesystems
T0=$(date +%s%N)
# -nodefaults: no NIC, no VGA, no floppy.  -no-reboot: the guest's
# `reboot -f` ends qemu.  timeout -k: qemu dies even if this script is killed.
timeout -k 5 "$TIMEOUT" "$QEMU" \
    -nodefaults -no-user-config -display none -monitor none -no-reboot \
    -machine pc "${BIOS[@]}" "${ACCEL_ARGS[@]}" -m "$MEM" -smp "$CPUS" \
    -kernel "$KERNEL" -initrd "$RUN/initrd" -append "$APPEND" \
    -chardev file,id=con,path="$RUN/console" -serial chardev:con \
    -device virtio-serial-pci,max_ports=3 \
    -chardev file,id=out,path="$RUN/out" -device virtserialport,chardev=out,name=vm.out \
    -chardev file,id=err,path="$RUN/err" -device virtserialport,chardev=err,name=vm.err \
    -fsdev "local,id=root,path=/,readonly=on,$FS9P" -device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
    -fsdev "local,id=repo,path=$REPO,$FS9P" -device virtio-9p-pci,fsdev=repo,mount_tag=repo \
    -fsdev "local,id=ctl,path=$RUN/ctl,$FS9P" -device virtio-9p-pci,fsdev=ctl,mount_tag=ctl \
    </dev/null &
QPID=$!
qrc=0
wait "$QPID" || qrc=$?
QPID=""
T1=$(date +%s%N)
# A reader still blocked in open() (qemu died before opening its fifo)
# needs a writer to come and go before it sees EOF.
for f in "$RUN/out" "$RUN/err" "$RUN/console"; do
    if [ -p "$f" ]; then exec 3<>"$f"; exec 3>&-; fi
done
for p in $READERS; do wait "$p" 2>/dev/null || true; done
READERS=""

if [ "${VM_TIMING:-0}" = 1 ]; then
    up() { cut -d' ' -f1 "$RUN/ctl/$1" 2>/dev/null || echo '?'; }
    echo "run-vm: boot $(up t_cmd)s (guest uptime at CMD start)," \
         "CMD ended at $(up t_end)s, total wall $(( (T1 - T0) / 1000000 ))ms" >&2
fi
if [ -s "$RUN/ctl/rc" ]; then
    exit "$(cat "$RUN/ctl/rc")"
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    echo "run-vm: timed out after ${TIMEOUT}s" >&2
    exit 124
fi
echo "run-vm: the VM stopped (qemu status $qrc) before CMD ended; console:" >&2
[ -f "$RUN/console" ] && tail -n 40 "$RUN/console" | sed 's/^/[vm] /' >&2
exit 125
