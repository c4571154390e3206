/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_TIDY_H
#define ISO_TIDY_H

/*
 * The one way to tidy a user once a session, a holder or a watcher is
 * done: used by the close, its clean-up worker, the session_max_time
 * watcher, the holder's keeper and `isolatectl gc`. What it removes is
 * only what is empty, so whoever calls it under the user lock cannot
 * take anything from a session that is still running.
 */

#include <sys/types.h>

#include "iso_err.h"

struct cg_engine;

/* What is left of a user: a user dir in some managed hierarchy, or the
 * record of the per-user holder (its sandbox outlives every session). */
#define ISO_LEFT_TREE	0x1
#define ISO_LEFT_RECORD 0x2
int iso_user_left(struct cg_engine *cg, int statedir, uid_t uid);

/*
 * Under the user lock lockfd, which it releases: removes leaf (NULL:
 * none) when it is empty, then every empty leaf and the user dir once
 * no leaf is left (cg_user_gc; *live gets the session leaves that hold
 * processes), and the lock file with the lock when nothing of the user
 * is left. cg NULL: the user has no cgroup of ours. Returns
 * iso_user_left's bits as they were before the unlock; a failed gc is
 * told in err (may be NULL) and tidies what it can.
 */
int iso_user_tidy(struct cg_engine *cg, int statedir, uid_t uid, const char *leaf, int lockfd,
		  int *live, struct iso_err *err);

#endif
