/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_SESSION_H
#define ISO_SESSION_H

#include <stddef.h>

#include "hygiene.h"
#include "proto.h"

/* Paths the helper works with; fixed at build time, replaceable only by
 * unit tests (never from argv or the environment). */
struct iso_paths {
	const char *conf;      /* ISO_CONF_PATH */
	const char *rundir;    /* ISO_RUNDIR */
	const char *mountinfo; /* /proc/self/mountinfo */
};

/*
 * Carries out one request for a caller whose identity the kernel gave
 * (hygiene.c). Always fills rep (result, status, message) and fds[] with
 * up to ISO_MAX_FDS namespace fds to pass back (*nfds of them, the rest
 * -1); the caller sends the reply and closes the fds. Returns 1 when a
 * confined open may leave a helper to serve its close (within the per-user
 * bound on root processes we leave), else 0.
 */
int iso_session_handle(const struct iso_paths *paths, const struct iso_caller *caller,
		       const struct iso_request *req, struct iso_reply *rep, int fds[ISO_MAX_FDS],
		       size_t *nfds);

/* Sends rep with the fds iso_session_handle left (in the order of their
 * kinds) and closes them. 0 or -errno. */
int iso_session_reply(int sock, const struct iso_reply *rep, int fds[ISO_MAX_FDS], size_t nfds);

#endif
