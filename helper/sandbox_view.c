/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sandbox's view of the machine (proc_view). Runs in the holder, root
 * in its new mount namespace, before the user namespace that locks what
 * is mounted here.
 *
 * lxcfs answers each read from the cgroup of the reader's pid-namespace
 * init (the holder), or of the reader itself when there is no pid
 * namespace. Its memory view walks up to the user's memory.max; its CPU
 * view (5.0.3, Debian 12) reads cpu.max of that one cgroup only, which the
 * cgroup backends therefore also write on the holder's leaf (v2), for its
 * /proc/stat; and only with --enable-cfs. On v1 it reads cpu.cfs_quota_us
 * at the reader's cpuset path, which we never manage. So the CPU count
 * always comes from our own files, over lxcfs's.
 */
#define _GNU_SOURCE
#include "sandbox_view.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fsutil.h"

#define FUSE_MAGIC  0x65735546UL
#define MAX_CPUS    8192
#define CPUINFO_MAX (8 << 20)
#define CPU_ONLINE  "/sys/devices/system/cpu/online"

/* lxcfs's file (under its mount) for each of ours; the order is the
 * order of the binds. */
static const char *const lxcfs_files[][2] = {
	{"proc/cpuinfo", "/proc/cpuinfo"},     {"proc/meminfo", "/proc/meminfo"},
	{"proc/stat", "/proc/stat"},	       {"proc/loadavg", "/proc/loadavg"},
	{"proc/uptime", "/proc/uptime"},       {"proc/swaps", "/proc/swaps"},
	{"proc/diskstats", "/proc/diskstats"}, {"sys/devices/system/cpu/online", CPU_ONLINE},
};
#define NLXCFS (sizeof(lxcfs_files) / sizeof(lxcfs_files[0]))

const char *sb_view_name(enum sb_view_got v)
{
	switch (v) {
	case SB_VIEW_LXCFS:
		return "lxcfs";
	case SB_VIEW_LXCFS_CPUS:
		return "lxcfs+cpus";
	case SB_VIEW_CPUS:
		return "cpus";
	default:
		return "none";
	}
}

/* Binds the file fd refers to over dst, read-only. The source is named
 * through /proc/self/fd: it was opened in this mount namespace, which a
 * bind source must be in. */
static int bind_fd(int fd, const char *dst)
{
	char src[64];

	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return -errno;
	if (mount(NULL, dst, NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		int r = -errno;

		(void)umount2(dst, MNT_DETACH);
		return r;
	}
	return 0;
}

/* A live lxcfs owned by root at ISO_LXCFS_DIR: its mount is FUSE and a
 * read answers (a dead daemon leaves ENOTCONN behind). */
static int lxcfs_open(int *out)
{
	struct statfs sf;
	struct stat st;
	char buf[64];
	int dfd, fd, r = 0;

	dfd = open(ISO_LXCFS_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fstatfs(dfd, &sf) < 0 || fstat(dfd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if ((unsigned long)sf.f_type != FUSE_MAGIC || st.st_uid != 0) {
		r = -ENODEV; /* not mounted, or not root's */
		goto fail;
	}
	fd = openat(dfd, "proc/uptime", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (read(fd, buf, sizeof(buf)) <= 0)
		r = errno ? -errno : -EIO;
	iso_close(fd);
	if (r < 0)
		goto fail;
	*out = dfd;
	return 0;
fail:
	iso_close(dfd);
	return r;
}

/* Binds lxcfs's files; a file this lxcfs lacks is left as it is. All or
 * nothing otherwise. */
static int lxcfs_bind(int dfd, int *nbound)
{
	bool done[NLXCFS] = {false};
	int r = 0;

	*nbound = 0;
	for (size_t i = 0; i < NLXCFS && r == 0; i++) {
		int fd = openat(dfd, lxcfs_files[i][0], O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0) {
			if (errno != ENOENT)
				r = -errno;
			continue;
		}
		r = bind_fd(fd, lxcfs_files[i][1]);
		iso_close(fd);
		if (r == -ENOENT && i == NLXCFS - 1)
			r = 0; /* a kernel without cpu/online */
		done[i] = r == 0;
		*nbound += r == 0;
	}
	if (r < 0) {
		for (size_t i = 0; i < NLXCFS; i++)
			if (done[i])
				(void)umount2(lxcfs_files[i][1], MNT_DETACH);
		*nbound = 0;
	}
	return r;
}

/* Parses a kernel CPU list ("0-3,5") into ids; returns their number. */
static int parse_cpulist(const char *s, unsigned *ids, int max)
{
	int n = 0;

	while (*s && *s != '\n') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			return -EINVAL;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				return -EINVAL;
		}
		for (unsigned long c = a; c <= b && n < max; c++)
			ids[n++] = (unsigned)c;
		s = *end == ',' ? end + 1 : end;
		if (end == s && *s && *s != '\n')
			return -EINVAL;
	}
	return n;
}

static void format_cpulist(const unsigned *ids, int n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++) {
		int j = i;

		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		if (j > i)
			o += (size_t)snprintf(buf + o, len - o, "%s%u-%u", i ? "," : "", ids[i],
					      ids[j]);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", ids[i]);
		i = j;
	}
	if (o + 1 < len) {
		buf[o] = '\n';
		buf[o + 1] = '\0';
	}
}

static int read_all(const char *path, char **out, size_t *outlen)
{
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int r = 0;

	if (!buf || fd < 0) {
		r = !buf ? -ENOMEM : errno ? -errno : -EIO;
		goto out;
	}
	for (;;) {
		ssize_t k;

		if (n == cap) {
			char *nb = cap < CPUINFO_MAX ? realloc(buf, cap * 2 + 1) : NULL;

			if (!nb) {
				r = -EFBIG;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	buf = NULL;
out:
	free(buf);
	iso_close(fd);
	return r;
}

/* /proc/cpuinfo with the first n "processor" blocks; blocks of another
 * kind (arm64's trailing lines) stay. Filters in place. */
static size_t filter_cpuinfo(char *s, size_t len, unsigned n)
{
	size_t in = 0, o = 0;
	unsigned seen = 0;

	while (in < len) {
		char *end = strstr(s + in, "\n\n");
		size_t blk = end ? (size_t)(end - (s + in)) + 2 : len - in;
		bool cpu = strncmp(s + in, "processor", 9) == 0;

		if (!cpu || seen++ < n) {
			memmove(s + o, s + in, blk);
			o += blk;
		}
		in += blk;
	}
	s[o] = '\0';
	return o;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t k = write(fd, data, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		data += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Writes data to a fresh file in the state dir (root 0700: nobody else
 * can name it), binds it over dst and unlinks it: the bind keeps it. */
static int bind_data(int statedir, const char *data, size_t len, const char *dst)
{
	unsigned char rnd[8];
	char name[40];
	int fd = -1, r;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	snprintf(name, sizeof(name), ".view-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	fd = openat(statedir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return -errno;
	/* the helper's umask would leave it root's alone */
	r = fchmod(fd, 0444) < 0 ? -errno : write_all(fd, data, len);
	if (r == 0)
		r = bind_fd(fd, dst);
	(void)unlinkat(statedir, name, 0);
	iso_close(fd);
	return r;
}

/* The state dir again, by its path in this mount namespace: a bind
 * source must lie on a mount of the binder's namespace, and the fd the
 * helper opened is on the host's. Checked to be the same directory. */
static int statedir_here(int statedir, int *out)
{
	char link[64], path[PATH_MAX];
	struct stat a, b;
	ssize_t n;
	int fd;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", statedir);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0 || path[0] != '/')
		return n < 0 ? -errno : -EINVAL;
	path[n] = '\0';
	fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(statedir, &a) < 0 || fstat(fd, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino || b.st_uid != 0 || (b.st_mode & 0077)) {
		iso_close(fd);
		return -ESTALE;
	}
	*out = fd;
	return 0;
}

/* Our CPU files: the first cpus online CPUs. */
static int cpus_bind(int statedir, unsigned cpus)
{
	static unsigned ids[MAX_CPUS];
	char online[256], list[64];
	char *info = NULL;
	size_t infolen = 0;
	int n, r;

	ssize_t k = iso_read_file_at(AT_FDCWD, CPU_ONLINE, online, sizeof(online));

	if (k < 0)
		return (int)k;
	n = parse_cpulist(online, ids, MAX_CPUS);
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	if ((unsigned)n > cpus)
		n = (int)cpus;
	format_cpulist(ids, n, list, sizeof(list));
	r = read_all("/proc/cpuinfo", &info, &infolen);
	if (r < 0 || !info)
		return r < 0 ? r : -EIO;
	infolen = filter_cpuinfo(info, infolen, (unsigned)n);
	r = bind_data(statedir, info, infolen, "/proc/cpuinfo");
	if (r == 0) {
		r = bind_data(statedir, list, strlen(list), CPU_ONLINE);
		if (r < 0)
			(void)umount2("/proc/cpuinfo", MNT_DETACH);
	}
	free(info);
	return r;
}

enum sb_view_got sb_view_mount(const struct iso_limits *lim, int statedir, char *note,
			       size_t notelen)
{
	unsigned cpus = iso_limits_view_cpus(lim);
	bool mem = lim->memory_max != ISO_UNSET && lim->memory_max != ISO_MAX;
	enum sb_view_got got = SB_VIEW_NONE;
	int dfd = -1, n = 0, r;

	note[0] = '\0';
	if (lim->proc_view == ISO_PROC_VIEW_NO || lim->proc_view == ISO_UNSET || (!cpus && !mem))
		return SB_VIEW_NONE;
	if (lim->proc_view != ISO_PROC_VIEW_CPUS) {
		r = lxcfs_open(&dfd);
		if (r == 0)
			r = lxcfs_bind(dfd, &n);
		iso_close(dfd);
		if (r == 0 && n > 0)
			got = SB_VIEW_LXCFS;
		else
			snprintf(note, notelen, "lxcfs at %s: %s", ISO_LXCFS_DIR,
				 r == -ENODEV ? "not mounted" : strerror(r ? -r : ENOENT));
	}
	/* Our CPU files go over lxcfs's even where it could count: Debian's
	 * lxcfs.service runs without --enable-cfs, and then lxcfs lists every
	 * CPU of the cpuset. Its files count the same where it does. */
	if (!cpus)
		return got;
	if (got == SB_VIEW_NONE && lim->proc_view == ISO_PROC_VIEW_LXCFS)
		return got;
	if (got == SB_VIEW_LXCFS) {
		(void)umount2("/proc/cpuinfo", MNT_DETACH);
		(void)umount2(CPU_ONLINE, MNT_DETACH);
	}
	r = statedir_here(statedir, &dfd);
	if (r == 0) {
		r = cpus_bind(dfd, cpus);
		iso_close(dfd);
	}
	if (r < 0) {
		size_t o = strlen(note);

		snprintf(note + o, notelen - o, "%sCPU files: %s", o ? "; " : "", strerror(-r));
		return got;
	}
	return got == SB_VIEW_LXCFS ? SB_VIEW_LXCFS_CPUS : SB_VIEW_CPUS;
}
