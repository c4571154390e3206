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
# With --systemd (MODE=systemd), stage 1 prepares the overlay for systemd
#   (masks, our boot target and service, /tmp, the repository) and hands
#   over to /lib/systemd/systemd instead; systemd then runs this script as
#   "service" from pamiso-vm-run.service, which runs the command and
#   powers off (SuccessAction=/FailureAction=poweroff-immediate).
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
    # shellcheck source=/dev/null  # REPO, REPO_RW, MODE: written by run-vm.sh
    . $R/run/vm/ctl/config
    if [ "$MODE" = systemd ]; then
        systemd_prep $R
        # systemd finds /proc, /sys, /dev mounted and keeps them
        mount -t proc proc $R/proc
        mount -t sysfs sys $R/sys
        mount -t devtmpfs dev $R/dev
        umount /proc /sys /dev
        [ -x $R/lib/systemd/systemd ] || die "no /lib/systemd/systemd on the root"
        exec switch_root $R /lib/systemd/systemd
    fi
    umount /proc /sys /dev
    exec switch_root $R /run/vm/busybox sh /run/vm/init stage2
}

# Units masked under --systemd: each costs boot time under emulation or
# wants hardware, network or state this throw-away VM does not have.
# (systemd-logind, dbus, systemd-journald, user@.service stay.)
# lxcfs.service: the lxcfs package enables it and the VM loads fuse.ko, so
# it would mount /var/lib/lxcfs and change what proc_view = auto gives;
# the suites that want lxcfs start their own.
SD_MASKS="systemd-timesyncd.service systemd-pstore.service systemd-udev-settle.service
 systemd-udevd.service systemd-udev-trigger.service systemd-networkd-wait-online.service
 systemd-networkd.service systemd-resolved.service networking.service
 getty.target getty@tty1.service serial-getty@ttyS0.service console-getty.service
 systemd-firstboot.service systemd-machine-id-commit.service systemd-random-seed.service
 systemd-binfmt.service proc-sys-fs-binfmt_misc.automount systemd-repart.service
 systemd-pcrphase.service systemd-pcrphase-sysinit.service systemd-remount-fs.service
 systemd-fsck-root.service systemd-hwdb-update.service systemd-journal-catalog-update.service
 systemd-update-done.service ldconfig.service systemd-modules-load.service modprobe@drm.service
 systemd-tmpfiles-clean.timer apt-daily.timer apt-daily-upgrade.timer man-db.timer
 dpkg-db-backup.timer e2scrub_all.timer fstrim.timer e2scrub_reap.service
 sys-kernel-config.mount sys-fs-fuse-connections.mount tmp.mount
 systemd-ask-password-console.path systemd-ask-password-wall.path
 cryptsetup.target integritysetup.target veritysetup.target remote-fs.target
 ssh.service sshd.service postgresql.service cron.service rsyslog.service
 systemd-sysusers.service systemd-update-utmp.service systemd-update-utmp-runlevel.service
 systemd-journal-flush.service dev-hugepages.mount sys-kernel-debug.mount
 systemd-sysctl.service systemd-tmpfiles-setup-dev.service systemd-tmpfiles-setup.service
 dev-mqueue.mount sys-kernel-tracing.mount lxcfs.service"
# Generators that only cost time here (debug-generator stays: it reads
# systemd.mask= / systemd.wants= from the kernel command line).
SD_MASK_GEN="systemd-sysv-generator systemd-gpt-auto-generator systemd-cryptsetup-generator
 systemd-integritysetup-generator systemd-veritysetup-generator
 systemd-hibernate-resume-generator systemd-getty-generator systemd-rc-local-generator
 systemd-system-update-generator postgresql-generator"

# Writes, into the overlay only (never the host), what systemd needs to
# come up fast and run the command.  $1: the new root.
systemd_prep() {
    R=$1 S=$1/etc/systemd/system
    # The root is a docker-built image: /.dockerenv makes systemd believe
    # it runs in a container (it then ignores the kernel command line and
    # skips units with ConditionVirtualization=!container).  rm leaves an
    # overlay whiteout.
    rm -f $R/.dockerenv
    # Same /tmp and repository as the plain VM, before systemd starts.
    mount -t tmpfs -o nosuid,nodev,mode=1777 tmp $R/tmp
    mount_repo $R
    # Debian's tmpfiles.d/tmp.conf ("D /tmp") would empty /tmp at boot,
    # the repository too when a clone lives there.
    mkdir -p $R/etc/tmpfiles.d
    ln -sf /dev/null $R/etc/tmpfiles.d/tmp.conf
    mkdir -p $S $R/etc/systemd/system-generators
    for u in $SD_MASKS ${SD_MASK_EXTRA:-}; do rm -f $S/$u; ln -s /dev/null $S/$u; done
    for g in $SD_MASK_GEN; do ln -sf /dev/null $R/etc/systemd/system-generators/$g; done
    echo pam-isolate-vm >$R/etc/hostname
    # what systemd-tmpfiles-setup (masked) would make and logind needs
    mkdir -p $R/run/user $R/run/lock
    cat >$S/pamiso-vm.target <<'EOF'
[Unit]
Description=pam_isolate VM: run the test command
Requires=basic.target
After=basic.target
Wants=dbus.service systemd-logind.service systemd-user-sessions.service pamiso-vm-run.service
AllowIsolate=yes
EOF
    cat >$S/pamiso-vm-run.service <<'EOF'
[Unit]
Description=pam_isolate VM: the test command
After=basic.target dbus.service systemd-logind.service systemd-user-sessions.service
Wants=dbus.service systemd-logind.service
SuccessAction=poweroff-immediate
FailureAction=poweroff-immediate
[Service]
Type=exec
ExecStart=/run/vm/busybox sh /run/vm/init service
StandardInput=null
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
EOF
}

# Run by pamiso-vm-run.service once dbus and logind are up.
sd_service() {
    export PATH=/usr/sbin:/usr/bin:/sbin:/bin
    cat /proc/uptime >/run/vm/ctl/t_svc
    # shellcheck source=/dev/null
    . /run/vm/ctl/config
    if [ "$SD_WAIT" = 1 ]; then
        systemctl is-system-running --wait >/run/vm/ctl/sd_state 2>&1
    fi
    run_cmd
    sync
    exit 0
}

# mount_repo [ROOT]: the repository at its host path below ROOT (default /).
mount_repo() {
    r=${1:-}
    mkdir -p "$r$REPO"   # the clone may live under /tmp, a fresh tmpfs here
    if [ "$REPO_RW" = 1 ]; then
        mount -t 9p -o "$P9,cache=mmap" repo "$r$REPO" || die "mount repo rw"
        return
    fi
    v=$r/run/vm
    mkdir -p $v/repo.ro $v/repo.rw/upper $v/repo.rw/work
    mount -t 9p -o "$P9,ro,cache=loose" repo $v/repo.ro || die "mount repo"
    mount -t overlay -o lowerdir=$v/repo.ro,upperdir=$v/repo.rw/upper,workdir=$v/repo.rw/work \
        repo "$r$REPO" || die "overlay on repo"
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
    if [ "${SD_JOURNAL:-0}" = 1 ]; then
        journalctl -b --no-pager >"$err" 2>&1
    fi
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
    service) sd_service ;;
    *) stage1 ;;
esac
die "init fell through"
