/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_DAEMON_H
#define ISO_DAEMON_H

#include <sys/types.h>

#include "iso_err.h"

/* Before forking a root process that outlives the helper: resource
 * limits, oom_score_adj, nice, scheduling policy, CPU affinity and I/O
 * priority back to the system's defaults, so that whoever started the
 * login cannot get it killed or starved. -EPERM (with a message) when a
 * limit that would kill it cannot be raised. The child then calls
 * setsid(). */
int iso_daemon_defaults(struct iso_err *err);

/* Whether a process orphaned now would be inherited by PID 1 or another
 * root process: 0 yes, -EPERM (with a message naming it) when a
 * subreaper that is not root would be its parent. Costs two forks; the
 * probe runs with as_uid (the login's real uid) so that a zombie left
 * with such a subreaper is counted against that user. */
int iso_daemon_reaper_ok(uid_t as_uid, struct iso_err *err);

struct cg_engine;

/* Forks a root process that outlives the helper (double fork): 1 in that
 * process, which runs in a session of its own and, with cg and ctrls, in
 * <root>/daemons of those hierarchies; 0 in the caller once it confirmed
 * that it runs there; -errno (with a message) when it did not start. */
int iso_daemon_fork(struct cg_engine *cg, unsigned ctrls, struct iso_err *err);

/* The end of such a process: its ids dropped to nobody, then _exit. */
__attribute__((noreturn)) void iso_daemon_exit(void);

#endif
