/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_HYGIENE_H
#define ISO_HYGIENE_H

#include <sys/types.h>

#include "iso_err.h"

/* Who ran us, as the kernel says. */
/* The kept helper's wait for the user lock, and the time from the close's
 * request after which it serves it no more: below the module's 30 s
 * timeout, after which the module closes with a helper of its own. */
#define ISO_KEPT_LOCK_WAIT_MS 20000
#define ISO_KEPT_DEADLINE_MS  25000

struct iso_caller {
	uid_t ruid; /* getuid() before we drop to full root (su: the invoker) */
	pid_t pid;  /* the PAM process to place (== getppid()) */
	/* served by the helper kept at open (kept.c): the caller moved itself
	 * out of the leaf, and its pid, no longer our parent's, is not acted
	 * on; pidfd names that very process */
	int kept;
	int pidfd;
	long long deadline_ms; /* kept: CLOCK_MONOTONIC ms after which it is not served */
};

/*
 * First thing in main (SECURITY.md): valid fds 0-2, every other fd but
 * keep_fd closed, empty environment with a fixed PATH, umask 077, no core
 * dumps, not dumpable, default signal dispositions and an empty mask.
 * Returns 0 or -errno; on failure the helper must exit.
 */
int iso_sanitize_process(int keep_fd);

/* Fails (-E2BIG, with a message naming the limit) when a resource limit
 * the caller left us is too low for a call to finish, so that we stop
 * before changing anything rather than half-way. */
int iso_check_rlimits(struct iso_err *err);

/* Reads the caller's identity from the kernel: SO_PEERCRED of fd, which
 * must be an unnamed SOCK_SEQPACKET unix socket (a socketpair) whose peer
 * is our parent (pid > 0, and its pidfd where the kernel has
 * SO_PEERPIDFD). -EACCES when the peer's euid is not 0: non-root callers
 * are refused before the request is read. */
int iso_caller_identify(int fd, struct iso_caller *out, struct iso_err *err);

/* Becomes root in every uid/gid (real, effective, saved) with no
 * supplementary groups, so the invoking user can no longer signal us. */
int iso_become_root(struct iso_err *err);

/* After iso_become_root: dies with the caller (PR_SET_PDEATHSIG) so that
 * its pid cannot be recycled under us; -ESRCH when it is gone already. */
/* For the kept helper, which is no child of the caller and so cannot die
 * with it: 0 while the caller process is alive and still waits on the
 * socket (it gives up after a timeout and closes it), -ESRCH else. 0 for
 * any other helper. */
int iso_caller_present(const struct iso_caller *caller);

/* CLOCK_MONOTONIC in ms. */
long long iso_now_ms(void);

int iso_bind_to_caller(const struct iso_caller *caller, struct iso_err *err);

#endif
