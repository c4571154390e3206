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
#include <sys/stat.h>
#include <time.h>
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

/* A wrong entry goes aside under a name nobody can have taken from us:
 * RENAME_NOREPLACE, so a planted target cannot be replaced or refuse us
 * silently. Root may rename another user's entry in a sticky dir. */
static int move_aside(int pfd, const char *name, struct iso_squat *sq)
{
	struct stat st;
	int r;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	r = iso_snprintf(sq->aside, sizeof(sq->aside), "%s.bad-%ld-%d", name, (long)time(NULL),
			 (int)getpid());
	if (r < 0)
		return r;
	if (renameat2(pfd, name, pfd, sq->aside, RENAME_NOREPLACE) < 0)
		return -errno;
	sq->moved++;
	sq->owner = st.st_uid;
	return 0;
}

int iso_instance_root_open(const char *parent, const char *name, struct iso_squat *sq, int *out)
{
	struct stat st;
	int pfd, fd = -1, r = -EEXIST;

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
	for (int tries = 0; tries < 3; tries++) {
		if (mkdirat(pfd, name, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == 0 && st.st_gid == 0 &&
		    (st.st_mode & 07777) == 0700) {
			r = 0;
			break;
		}
		/* a symlink (ELOOP), a file (ENOTDIR) or somebody else's dir */
		if (fd < 0 && errno != ELOOP && errno != ENOTDIR) {
			r = -errno;
			break;
		}
		iso_close(fd);
		fd = -1;
		r = move_aside(pfd, name, sq);
		if (r < 0)
			break;
		r = -EEXIST;
	}
	iso_close(pfd);
	if (r < 0) {
		iso_close(fd);
		return r;
	}
	*out = fd;
	return 0;
}

int iso_instance_open(int rootfd, uid_t uid, int *out)
{
	char n[16];
	struct stat st;
	int fd, r;

	*out = -1;
	r = iso_snprintf(n, sizeof(n), "%u", (unsigned)uid);
	if (r < 0)
		return r;
	if (mkdirat(rootfd, n, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(rootfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Only root can create in the 0700 root: anything else is not ours. */
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || st.st_gid != 0) {
		iso_close(fd);
		return -EPERM;
	}
	if ((st.st_mode & 07777) != 01777 && fchmod(fd, 01777) < 0) {
		r = -errno;
		iso_close(fd);
		return r;
	}
	*out = fd;
	return 0;
}
