/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sandbox's private /tmp, /var/tmp and /dev/shm, mounted by the
 * holder in its new mount namespace before /proc and the user namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <syslog.h>
#include <unistd.h>

#include "fsutil.h"
#include "iso_names.h"
#include "sandbox_internal.h"

static void size_opt(char *buf, size_t len, const struct iso_limits *lim)
{
	struct sysinfo si;
	int64_t ram = sysinfo(&si) == 0 ? (int64_t)si.totalram * si.mem_unit : 0;
	int64_t size = iso_limits_tmpfs_size(lim, ram);

	/* no size= is the kernel's half of the RAM, as "max" asks */
	if (size == ISO_MAX || size <= 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, ",size=%lld", (long long)size);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int mkdir_sticky(const char *path)
{
	if (mkdir(path, 0700) < 0 || chmod(path, 01777) < 0)
		return -errno;
	return 0;
}

/* /tmp and /var/tmp: one tmpfs for both, so that its size bounds what a
 * user can pin through them together. Its two directories are
 * bind-mounted over /tmp and /var/tmp; its root is hidden below the /tmp
 * bind. */
static int mount_tmp_tmpfs(const struct iso_limits *lim, const char **what)
{
	char opts[64], sz[40];

	if (!is_dir("/tmp"))
		return 0; /* nothing to hide */
	size_opt(sz, sizeof(sz), lim);
	snprintf(opts, sizeof(opts), "mode=0755%s", sz);
	*what = "mounting a private tmpfs on /tmp";
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return -errno;
	*what = "making the private /tmp and /var/tmp directories";
	if (mkdir_sticky("/tmp/tmp") < 0 || mkdir_sticky("/tmp/var-tmp") < 0)
		return -errno;
	*what = "bind-mounting the private /var/tmp";
	if (is_dir("/var/tmp") && mount("/tmp/var-tmp", "/var/tmp", NULL, MS_BIND, NULL) < 0)
		return -errno;
	*what = "bind-mounting the private /tmp";
	if (mount("/tmp/tmp", "/tmp", NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

/* <parent>/.pam_isolate/<uid>; -ENOENT when there is no parent. */
static int open_instance(const char *parent, uid_t uid, int *out, const char **what)
{
	struct iso_squat sq = {0};
	int root = -1, r;

	*what = "opening the instance root below /tmp or /var/tmp";
	r = iso_instance_root_open(parent, ISO_TMP_INSTANCE_ROOT, &sq, &root);
	if (sq.moved)
		syslog(LOG_WARNING,
		       "sandbox uid=%u: %s/%s was not root's 0700 dir (owner uid %u): moved "
		       "aside to %s",
		       (unsigned)uid, parent, ISO_TMP_INSTANCE_ROOT, (unsigned)sq.owner, sq.aside);
	if (r == -EXDEV || r == -EACCES)
		*what = "opening the instance root below /tmp or /var/tmp: a FUSE filesystem "
			"is mounted there (a user's?); unmount it";
	if (r < 0)
		return r;
	*what = "opening the user's instance below /tmp or /var/tmp";
	sq = (struct iso_squat){0};
	r = iso_instance_open(root, uid, &sq, out);
	iso_close(root);
	if (sq.moved)
		syslog(LOG_WARNING,
		       "sandbox uid=%u: %s/%s/%u was not root's dir (owner uid %u): moved aside to "
		       "%s",
		       (unsigned)uid, parent, ISO_TMP_INSTANCE_ROOT, (unsigned)uid,
		       (unsigned)sq.owner, sq.aside);
	return r;
}

/* Keeps the flags the host's mount has (noexec /tmp stays noexec): a
 * bind remount sets them all anew. */
static int bind_instance(int fd, const char *target)
{
	char src[64];
	struct statvfs vs;
	unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;

	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (fstatvfs(fd, &vs) == 0) {
		fl |= (vs.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0;
		fl |= (vs.f_flag & ST_RDONLY) ? MS_RDONLY : 0;
	}
	if (mount(src, target, NULL, MS_BIND, NULL) < 0 || mount(NULL, target, NULL, fl, NULL) < 0)
		return -errno;
	return 0;
}

/* Per-user directories on disk, kept between logins. The fds are opened
 * here, in the holder's mount namespace: a bind source from another
 * namespace's mount fails with EINVAL. Both are opened before either
 * bind, so the first bind cannot redirect the second lookup. */
static int mount_tmp_disk(uid_t uid, const char **what)
{
	static const char *const dirs[2] = {"/var/tmp", "/tmp"};
	int fds[2] = {-1, -1}, r = 0;

	for (int i = 0; i < 2 && r == 0; i++) {
		r = open_instance(dirs[i], uid, &fds[i], what);
		if (r == -ENOENT)
			r = 0; /* no such directory: nothing to hide */
	}
	for (int i = 0; i < 2 && r == 0; i++) {
		*what = i ? "bind-mounting the user's /tmp" : "bind-mounting the user's /var/tmp";
		if (fds[i] >= 0)
			r = bind_instance(fds[i], dirs[i]);
	}
	iso_close(fds[0]);
	iso_close(fds[1]);
	return r;
}

int sb_mount_private_tmp(const struct iso_limits *lim, uid_t uid, const char **what)
{
	if (lim->private_tmp == ISO_TMP_DISK)
		return mount_tmp_disk(uid, what);
	if (lim->private_tmp == ISO_TMP_TMPFS)
		return mount_tmp_tmpfs(lim, what);
	return 0;
}

int sb_mount_private_shm(const struct iso_limits *lim)
{
	char opts[64], sz[40];

	if (lim->private_shm != 1 || !is_dir("/dev/shm"))
		return 0;
	size_opt(sz, sizeof(sz), lim);
	snprintf(opts, sizeof(opts), "mode=1777%s", sz);
	if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return -errno;
	return 0;
}
