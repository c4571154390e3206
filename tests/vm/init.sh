#!/bin/sh
# tests/vm/init.sh: PID 1 of the VM that tests/vm/run-vm.sh boots.
#
# Stage 1 (no argument): /init of the initramfs (busybox + a few modules).
#   Loads the modules, builds the root = host / over 9p (read-only) + tmpfs
#   overlay, mounts the run's control share on <root>/run/vm/ctl and
#   switch_roots into stage 2.  A real root mount (not the initramfs) is
#   what makes pivot_root and mount namespaces behave as on a real host.
# Stage 2 ("stage2"): PID 1 in that root.  Mounts cgroup2 and the usual
#   API filesystems, runs /run/vm/ctl/cmd.sh, writes its status to
#   /run/vm/ctl/rc and powers off.
#
# Output of init itself goes to the console (ttyS0): a file on the host,
# shown when the VM fails, or live with VM_DEBUG=1.
set -u

P9="trans=virtio,version=9p2000.L,msize=262144"

log() { echo "vm-init: $*"; }
die() {
    log "FATAL: $*"
    # -no-reboot on the host turns the reboot into qemu's exit
    reboot -f
    exit 1
}

stage1() {
    /bin/busybox --install -s /bin
    export PATH=/bin
    mount -t devtmpfs dev /dev
    mount -t proc proc /proc
    mount -t sysfs sys /sys
    while read -r m; do
        insmod "/modules/$m" || die "insmod $m"
    done </modules/order
    # cache=loose: the host's / does not change under a test run; caching
    # metadata makes exec and path lookups much cheaper under emulation.
    mount -t 9p -o "$P9,ro,cache=loose" hostroot /lower || die "mount host /"
    mount -t tmpfs -o mode=755 overlay-rw /rw
    mkdir /rw/upper /rw/work
    mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
        root /newroot || die "mount overlay root"
    R=/newroot
    # /run is ours from the start: it holds init, busybox and the control
    # share, so stage 2 needs nothing from the host to come up.
    mount -t tmpfs -o mode=755,nosuid,nodev run $R/run
    mkdir -p $R/run/vm/ctl
    cp /init /bin/busybox $R/run/vm/
    mount -t 9p -o "$P9,cache=none" ctl $R/run/vm/ctl || die "mount ctl share"
    umount /proc /sys /dev
    exec switch_root $R /run/vm/busybox sh /run/vm/init stage2
}

mount_repo() {
    mkdir -p "$REPO"   # the clone may live under /tmp, a fresh tmpfs here
    if [ "$REPO_RW" = 1 ]; then
        mount -t 9p -o "$P9,cache=mmap" repo "$REPO" || die "mount repo rw"
        return
    fi
    mkdir -p /run/vm/repo.ro /run/vm/repo.rw/upper /run/vm/repo.rw/work
    mount -t 9p -o "$P9,ro,cache=loose" repo /run/vm/repo.ro || die "mount repo"
    mount -t overlay -o lowerdir=/run/vm/repo.ro,upperdir=/run/vm/repo.rw/upper,workdir=/run/vm/repo.rw/work \
        repo "$REPO" || die "overlay on repo"
}

run_cmd() {
    out=/dev/null err=/dev/null
    for p in /sys/class/virtio-ports/*; do
        case $(cat "$p/name") in
            vm.out) out=/dev/${p##*/} ;;
            vm.err) err=/dev/${p##*/} ;;
        esac
    done
    cat /proc/uptime >/run/vm/ctl/t_cmd
    # PID 1 (this shell) waits here; busybox sh waits with waitpid(-1), so
    # orphans reparented to us are reaped meanwhile.
    env -i /bin/bash /run/vm/ctl/cmd.sh </dev/null >"$out" 2>"$err"
    rc=$?
    cat /proc/uptime >/run/vm/ctl/t_end
    # written last: its presence tells the host that CMD really ended
    echo "$rc" >/run/vm/ctl/rc
}

stage2() {
    # busybox --install needs /proc/self/exe to know what to link to
    /run/vm/busybox mount -t proc proc /proc
    /run/vm/busybox mkdir -p /run/vm/bin
    /run/vm/busybox --install -s /run/vm/bin
    export PATH=/run/vm/bin
    # shellcheck source=/dev/null  # REPO, REPO_RW, MODE: written by run-vm.sh
    . /run/vm/ctl/config
    mount -t sysfs sys /sys
    mount -t devtmpfs dev /dev
    # The options systemd uses on a pure v2 host, so the kernel applies the
    # same rules as on our users' machines.
    mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot \
        cgroup2 /sys/fs/cgroup || die "mount cgroup2"
    mkdir -p /dev/pts /dev/shm
    mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts /dev/pts
    mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm
    mount -t tmpfs -o nosuid,nodev,mode=1777 tmp /tmp
    # devtmpfs has no /dev/fd: bash process substitution needs it
    ln -sf /proc/self/fd /dev/fd
    ln -sf /proc/self/fd/0 /dev/stdin
    ln -sf /proc/self/fd/1 /dev/stdout
    ln -sf /proc/self/fd/2 /dev/stderr
    mkdir -p /run/lock /run/user
    mount_repo
    hostname pam-isolate-vm
    ip link set lo up   # tests may use 127.0.0.1 (sshd); there is no NIC
    case $MODE in
        plain) run_cmd ;;
        *) die "unknown mode $MODE" ;;
    esac
    sync
    reboot -f
}

case ${1:-} in
    stage2) stage2 ;;
    *) stage1 ;;
esac
die "init fell through"
