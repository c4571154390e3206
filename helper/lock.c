/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "iso_names.h"

int iso_state_open(const char *path, int *dirfd, struct iso_err *err)
{
	struct stat st;
	int fd, r;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return iso_err_set(err, -errno, "cannot create state directory %s: %s", path,
				   strerror(errno));
	/* O_PATH|O_NOFOLLOW without O_DIRECTORY: a symlink opens as itself,
	 * so that we can say what is wrong instead of "Not a directory". */
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return iso_err_set(err, -errno, "cannot open state directory %s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = iso_err_set(err, -errno, "cannot stat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISLNK(st.st_mode)) {
		r = iso_err_set(err, -ELOOP,
				"refusing state directory %s: it is a symlink (must be a directory "
				"owned by root with mode 0700)",
				path);
		goto fail;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 07777) != 0700) {
		r = iso_err_set(err, -EPERM,
				"refusing state directory %s: must be a directory owned by root "
				"with mode 0700 (found %s, uid %u, mode %04o)",
				path, S_ISDIR(st.st_mode) ? "a directory" : "no directory",
				(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	*dirfd = fd;
	return 0;
fail:
	iso_close(fd);
	return r;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* *waited carries over calls: the user lock's retries on an orphaned
 * inode share one bound */
static int flock_poll(int fd, int wait_ms, long *waited)
{
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (*waited >= wait_ms)
			return -EAGAIN;
		sleep_ms(5);
		*waited += 5;
	}
	return 0;
}

int iso_flock_wait(int fd, int wait_ms)
{
	long waited = 0;

	return flock_poll(fd, wait_ms, &waited);
}

static int named_lock(int statedir, const char *name, int wait_ms, int *lockfd, struct iso_err *err)
{
	struct stat fst, nst;
	long waited = 0;
	int fd = -1, r;

	for (;;) {
		/* O_NONBLOCK|O_NOCTTY: a FIFO or device planted under the name
		 * must neither block the open nor become our terminal; the
		 * fstat below refuses it. */
		fd = openat(statedir, name,
			    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
			    0600);
		if (fd < 0)
			return iso_err_set(err, -errno, "cannot open lock %s/%s: %s%s", ISO_RUNDIR,
					   name, strerror(errno),
					   errno == ELOOP ? " (a symlink: refused)" : "");
		if (fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode) || fst.st_uid != 0 ||
		    fst.st_nlink != 1) {
			r = iso_err_set(err, -EPERM,
					"refusing lock file %s/%s: not a root-owned regular file "
					"with one link",
					ISO_RUNDIR, name);
			goto fail;
		}
		r = flock_poll(fd, wait_ms, &waited);
		if (r == -EAGAIN) {
			r = iso_err_set(err, r, "user lock %s/%s busy for %d ms; giving up",
					ISO_RUNDIR, name, wait_ms);
			goto fail;
		}
		if (r < 0) {
			r = iso_err_set(err, r, "cannot lock %s/%s: %s", ISO_RUNDIR, name,
					strerror(-r));
			goto fail;
		}
		/* The previous holder may have unlinked the file between our
		 * open and flock: then we locked an orphan inode. */
		if (fstatat(statedir, name, &nst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    nst.st_ino == fst.st_ino && nst.st_dev == fst.st_dev) {
			*lockfd = fd;
			return 0;
		}
		iso_close(fd);
	}
fail:
	iso_close(fd);
	return r;
}

int iso_user_lock(int statedir, uid_t uid, int wait_ms, int *lockfd, struct iso_err *err)
{
	char name[64];
	int r = iso_name_user_lock(name, sizeof(name), uid);

	if (r < 0)
		return iso_err_set(err, r, "lock name too long");
	return named_lock(statedir, name, wait_ms, lockfd, err);
}

int iso_worker_lock(int statedir, uid_t uid, int *lockfd)
{
	char name[64];
	int r = iso_name_worker_lock(name, sizeof(name), uid);

	if (r < 0)
		return r;
	return named_lock(statedir, name, 0, lockfd, NULL);
}

void iso_worker_unlock(int statedir, uid_t uid, int lockfd)
{
	char name[64];

	if (lockfd < 0)
		return;
	/* unlinked while still locked: a worker that opened it meanwhile
	 * sees another inode under the name and takes the new file */
	if (iso_name_worker_lock(name, sizeof(name), uid) == 0)
		unlinkat(statedir, name, 0);
	iso_close(lockfd);
}

void iso_user_unlock(int statedir, uid_t uid, int lockfd, bool remove)
{
	char name[64];

	if (lockfd < 0)
		return;
	if (remove && iso_name_user_lock(name, sizeof(name), uid) == 0)
		unlinkat(statedir, name, 0);
	iso_close(lockfd);
}
