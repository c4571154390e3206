/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Directory-fd based file access for the setuid helper. Everything is
 * relative to a directory fd opened once, never by a path re-resolved from
 * the root, and the last component is never followed when it is a symlink.
 * Callers pass single path components; a name with '/' would still work,
 * but only its last component would be protected by O_NOFOLLOW.
 */
#define _GNU_SOURCE
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

void iso_close(int fd)
{
	int saved = errno;

	/* Linux releases the fd even when close() fails with EINTR: a retry
	 * could close an fd another thread just got. Never retry. */
	if (fd >= 0)
		(void)close(fd);
	errno = saved;
}

int iso_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int iso_open_dir_at(int dirfd, const char *name, int *out)
{
	int fd;

	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*out = fd;
	return 0;
}

int iso_opendir_at(int dirfd, const char *name, DIR **out)
{
	DIR *d;
	int fd;
	int r = 0;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		iso_close(fd);
		goto out;
	}
	*out = d;
out:
	return r;
}

int iso_mkdir_at(int dirfd, const char *name, mode_t mode, uid_t owner)
{
	struct stat st;
	bool made = false;
	int fd = -1;
	int r = 0;

	if (mkdirat(dirfd, name, mode) == 0)
		made = true;
	else if (errno != EEXIST) {
		r = -errno;
		goto out;
	}
	/* Verify through an fd, not a second path lookup: O_NOFOLLOW turns a
	 * planted symlink into ELOOP/ENOTDIR instead of following it. */
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = errno == ELOOP ? -ENOTDIR : -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		r = -ENOTDIR;
		goto out;
	}
	if (owner != (uid_t)-1 && st.st_uid != owner) {
		r = -EPERM;
		goto out;
	}
	/* mkdir applies the umask (the helper runs with 077); a directory we
	 * made gets the mode asked for. Existing ones are left as they are. */
	if (made && (st.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {
		r = -errno;
		goto out;
	}
out:
	iso_close(fd);
	return r;
}

int iso_open_file_at(int dirfd, const char *name, int flags, int *out)
{
	struct stat st;
	int fd;
	int r = 0;

	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	*out = fd;
	fd = -1;
out:
	iso_close(fd);
	return r;
}

int iso_write_file_at(int dirfd, const char *name, const char *data, bool create)
{
	size_t len = strlen(data);
	ssize_t n;
	int fd = -1;
	int r;

	r = iso_open_file_at(dirfd, name, O_WRONLY | (create ? O_CREAT | O_TRUNC : 0), &fd);
	if (r < 0)
		goto out;
	/* cgroupfs parses each write(2) as one value: never split it. */
	n = write(fd, data, len);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	if ((size_t)n != len) {
		r = -EIO;
		goto out;
	}
out:
	iso_close(fd);
	return r;
}

ssize_t iso_read_file_at(int dirfd, const char *name, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd = -1;
	int r;

	if (len == 0)
		return -EINVAL;
	r = iso_open_file_at(dirfd, name, O_RDONLY, &fd);
	if (r < 0)
		goto out;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (got > 0 && buf[got - 1] == '\n')
		buf[--got] = '\0';
out:
	iso_close(fd);
	return r < 0 ? r : (ssize_t)got;
}

/* "<name>.bad-<16 hex digits>": a name nobody can have planted for us
 * (64 random bits); a pid or a time could be planted in advance. */
static int aside_name(const char *name, char *buf, size_t len)
{
	unsigned long long rnd;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	return iso_snprintf(buf, len, "%s.bad-%016llx", name, rnd);
}

static bool is_root_dir(int fd, mode_t mode)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	       st.st_gid == 0 && (st.st_mode & 07777) == mode;
}

/*
 * pfd/name is not ours (a symlink, a file, somebody else's dir): a fresh
 * root:root 0700 dir is made under a random name and swapped in with one
 * RENAME_EXCHANGE, which leaves the squatter under that random name. No
 * moment exists at which name is free for a user to take again; once it
 * is ours, the sticky bit keeps it (root owns it). Filesystems without
 * RENAME_EXCHANGE get a rename aside and a mkdir, retried. Returns the
 * open new dir in *out.
 */
static int swap_in(int pfd, const char *name, mode_t mode, struct iso_squat *sq, int *out)
{
	char tmp[sizeof(sq->aside)];
	struct stat st;
	int fd, r = -EEXIST;

	for (int tries = 0; tries < 8 && r == -EEXIST; tries++) {
		r = aside_name(name, tmp, sizeof(tmp));
		if (r < 0)
			return r;
		if (mkdirat(pfd, tmp, 0700) < 0) {
			r = -errno; /* EEXIST: a 1 in 2^64 chance, another name */
			continue;
		}
		fd = openat(pfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || (mode != 0700 && fchmod(fd, mode) < 0) || !is_root_dir(fd, mode)) {
			r = fd < 0 ? -errno : -EPERM;
			iso_close(fd);
			return r;
		}
		if (renameat2(pfd, tmp, pfd, name, RENAME_EXCHANGE) == 0) {
			/* the squatter is at tmp now; its owner for the log */
			if (fstatat(pfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0)
				sq->owner = st.st_uid;
			sq->moved++;
			snprintf(sq->aside, sizeof(sq->aside), "%s", tmp);
			*out = fd;
			return 0;
		}
		r = -errno;
		if (r == -ENOENT && renameat2(pfd, tmp, pfd, name, RENAME_NOREPLACE) == 0) {
			*out = fd; /* it went away by itself */
			return 0;
		}
		if (r == -EINVAL) {
			/* no RENAME_EXCHANGE here: aside, then ours in its place */
			if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    renameat2(pfd, name, pfd, tmp, RENAME_NOREPLACE) < 0 &&
			    errno == EEXIST) {
				/* tmp is ours: name it anew, then move the squatter */
				char tmp2[sizeof(tmp)];

				if (aside_name(name, tmp2, sizeof(tmp2)) == 0 &&
				    renameat2(pfd, tmp, pfd, tmp2, RENAME_NOREPLACE) == 0 &&
				    renameat2(pfd, name, pfd, tmp, RENAME_NOREPLACE) == 0) {
					sq->owner = st.st_uid;
					sq->moved++;
					snprintf(sq->aside, sizeof(sq->aside), "%s", tmp);
					if (renameat2(pfd, tmp2, pfd, name, RENAME_NOREPLACE) ==
					    0) {
						*out = fd;
						return 0;
					}
					snprintf(tmp, sizeof(tmp), "%s", tmp2);
				}
			}
			r = -EEXIST;
		}
		/* lost a race for name: our dir goes, another try */
		iso_close(fd);
		(void)unlinkat(pfd, tmp, AT_REMOVEDIR);
		if (r == -ENOENT)
			r = -EEXIST;
	}
	return r;
}

/* FUSE_SUPER_MAGIC (linux/magic.h), fuse and fuseblk alike. */
#define ISO_FUSE_MAGIC 0x65735546

/* Opens pfd/name as root's dir of mode, making it when missing and
 * swapping in a new one when what is there is not root's. A root-owned dir
 * of another mode only root can have made: it gets the mode. Owner and
 * group are what the filesystem says, and a FUSE daemon says anything: a
 * FUSE filesystem (the one kind a user mounts, with fusermount) is
 * refused; an admin's own filesystem or bind mount there is fine. A name
 * that comes and goes (a user racing mkdir and rmdir) is tried again. */
static int own_dir_at(int pfd, const char *name, mode_t mode, struct iso_squat *sq, int *out)
{
	struct statfs sfs;
	struct stat st;
	int fd = -1, r = -ENOENT;

	*out = -1;
	for (int tries = 0; tries < 8 && r == -ENOENT; tries++) {
		if (mkdirat(pfd, name, 0700) < 0 && errno != EEXIST)
			return -errno;
		fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = fd < 0 ? -errno : 0;
	}
	if (r == 0 && fstat(fd, &st) < 0)
		r = -errno;
	if (r == 0 && (fstatfs(fd, &sfs) < 0 || sfs.f_type == ISO_FUSE_MAGIC)) {
		iso_close(fd);
		return -EXDEV;
	}
	if (r == 0 && st.st_uid == 0 && st.st_gid == 0) {
		if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {
			r = -errno;
			iso_close(fd);
			return r;
		}
		*out = fd;
		return 0;
	}
	iso_close(fd);
	/* a symlink (ELOOP), a file (ENOTDIR) or somebody else's dir */
	if (r < 0 && r != -ELOOP && r != -ENOTDIR)
		return r;
	return swap_in(pfd, name, mode, sq, out);
}

int iso_instance_root_open(const char *parent, const char *name, struct iso_squat *sq, int *out)
{
	struct stat st;
	int pfd, r;

	*out = -1;
	pfd = open(parent, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	/* Anyone who may write the parent without the sticky bit could swap
	 * the root under us between the checks and the bind. */
	if (fstat(pfd, &st) < 0 || st.st_uid != 0 ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		iso_close(pfd);
		return -EPERM;
	}
	r = own_dir_at(pfd, name, 0700, sq, out);
	iso_close(pfd);
	return r;
}

/* The root is root's 0700, so nobody else writes in it now; but an entry
 * made while it was not (a root a user made before tmpfiles took it over)
 * is swapped out as a squatter, not refused: refusing would lock that
 * uid out for good. */
int iso_instance_open(int rootfd, uid_t uid, struct iso_squat *sq, int *out)
{
	char n[16];
	int r;

	*out = -1;
	r = iso_snprintf(n, sizeof(n), "%u", (unsigned)uid);
	if (r < 0)
		return r;
	return own_dir_at(rootfd, n, 01777, sq, out);
}
