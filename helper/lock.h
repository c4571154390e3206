/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_LOCK_H
#define ISO_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "iso_err.h"

/* Creates (mkdir) and opens the state directory ISO_RUNDIR, then verifies
 * it: a real directory, owned by root, mode 0700. Anything else (a
 * symlink, another owner, a looser mode) is refused, never "fixed". */
int iso_state_open(const char *path, int *dirfd, struct iso_err *err);

/*
 * Takes the per-user lock user-<uid>.lock in the state dir (flock
 * LOCK_EX, waiting at most wait_ms). The file may be unlinked by the last holder;
 * after locking we check that the name still points at our inode and
 * retry otherwise, so two helpers never hold "the" lock on two inodes.
 */
int iso_user_lock(int statedir, uid_t uid, int wait_ms, int *lockfd, struct iso_err *err);

/* flock(fd, LOCK_EX), waiting at most wait_ms (polled every 5 ms): 0,
 * -EAGAIN when it stayed busy, or -errno. Every lock others wait on is
 * taken so: a process frozen while it holds one holds no one up for long. */
int iso_flock_wait(int fd, int wait_ms);

/* Open and close of one user are serialised; 30 s is far beyond any real
 * critical section (a few ms) and keeps a wedged helper from blocking that
 * user's logins forever. */
#define ISO_LOCK_WAIT_MS 30000

/* Releases the lock; with remove, unlinks the lock file first (the user
 * has nothing left, so nothing stays behind in /run). */
void iso_user_unlock(int statedir, uid_t uid, int lockfd, bool remove);

/* At most one clean-up worker (session.c) per user: it holds this lock,
 * user-<uid>.gc, for its whole life. Never waits: -EAGAIN when another
 * worker has it. */
int iso_worker_lock(int statedir, uid_t uid, int *lockfd);
/* Unlinks user-<uid>.gc and releases it. */
void iso_worker_unlock(int statedir, uid_t uid, int lockfd);

#endif
