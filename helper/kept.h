/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ISO_KEPT_H
#define ISO_KEPT_H

/*
 * One helper per session: after a CONFINED open, a child of the helper
 * stays on the protocol socket and serves that session's close, so that a
 * logout costs one message instead of a second exec of a setuid program.
 * EOF (the application ended without a close, or went away) ends it with
 * nothing done, as when no helper was kept.
 */

#include <sys/types.h>

#include "hygiene.h"
#include "proto.h"
#include "session.h"

/* Forks the kept helper, for a caller whose real uid is 0 and whose
 * cgroups are root's (else -EPERM). 1 in it, with *pidfd naming the caller and
 * *replied the pipe end to wait on: it calls iso_kept_serve. 0 in the
 * helper once the child runs, with *replied the other end: the helper
 * answers the open with ISO_REPLY_KEPT, calls iso_kept_replied and exits.
 * -errno when none was kept: the helper answers as always and the close
 * starts a helper of its own. Call while the caller is our parent. */
int iso_kept_start(const struct iso_caller *caller, int *pidfd, int *replied);

/* In the helper, once the open's reply is sent: lets the child serve. */
void iso_kept_replied(int replied);

/* Waits until the helper answered the open (its death before: exits), then
 * for the close of the session open_req/open_rep made, from the caller
 * itself (SCM_CREDENTIALS), and serves it; anything else is refused, EOF
 * ends it. Takes pidfd and replied. Does not return. */
__attribute__((noreturn)) void iso_kept_serve(const struct iso_paths *paths,
					      const struct iso_caller *caller, int pidfd,
					      int replied, const struct iso_request *open_req,
					      const struct iso_reply *open_rep,
					      unsigned watchdog_s);

#endif
