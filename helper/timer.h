/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_TIMER_H
#define ISO_TIMER_H

#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "iso_err.h"

/*
 * session_max_time: starts a detached watcher for the session leaf
 * user-<uid>/<leaf>. A minute before the deadline (at once for shorter
 * limits) it writes a warning to every terminal the session's processes
 * use; at the deadline it SIGKILLs every process in the leaf. It exits as
 * soon as the leaf is gone (the session closed). After a kill it cleans up
 * as close would (the PAM application died with the session, so no close
 * comes): leaf, and an idle sandbox. Returns once the watcher
 * is started; the watcher never outlives the deadline by more than a few
 * seconds.
 */
int iso_timer_start(struct cg_engine *cg, unsigned ctrls, int statedir, uid_t uid, const char *user,
		    const char *leaf, int64_t seconds, int sock_fd, int lock_fd,
		    struct iso_err *err);

#endif
